// Scan progress: agents' reports (status jobs, run_detector results, by
// POST or as command_results records) as detector runs and scan targets.
#include "server/scan_progress.h"

#include <gtest/gtest.h>

#include <limits>

#include "server/record_ingest.h"
#include "store/store_test_fixture.h"

namespace warden::server {
namespace {

using store::StoreWriter;

TEST(ScanProgressTest, StatusJobsGiveTheLastAndTheCurrentRunOfEachDetector) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  Json jobs = Json::array({
      {{"name", "HOST-OPEN-PORTS"},
       {"kind", "detector"},
       {"last_run_ms", 5000},
       {"duration_ms", 40},
       {"outcome", "stopped"},
       {"result", "stopped: stuck"},
       {"running", true},
       {"running_since_ms", 9000},
       {"next_run_ms", 99999}},
      {{"name", "HOST-VULN"}, {"kind", "detector"}, {"last_run_ms", 0}, {"outcome", nullptr}},
      {{"name", "q1"}, {"kind", "query"}, {"last_run_ms", 5000}, {"outcome", "ok"}},
      {{"name", "odd"}, {"kind", "detector"}, {"last_run_ms", 5000}, {"outcome", "melted"}},
      {{"name", "far"},
       {"kind", "detector"},
       {"last_run_ms", max},
       {"duration_ms", max},
       {"outcome", "ok"}},
      {{"kind", "detector"}, {"last_run_ms", 5000}, {"outcome", "ok"}},
      "not an object",
  });
  std::vector<store::DetectorRun> runs = DetectorRunsFromStatusJobs(jobs);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].rule_id, "HOST-OPEN-PORTS");
  EXPECT_EQ(runs[0].started_at, 5000);
  EXPECT_EQ(runs[0].outcome, "timed_out");
  EXPECT_EQ(runs[0].finished_at, 5040);
  EXPECT_EQ(runs[0].next_run_at, std::nullopt);  // running again: not known yet
  EXPECT_EQ(runs[1].started_at, 9000);
  EXPECT_EQ(runs[1].outcome, "running");
  EXPECT_EQ(runs[2].rule_id, "far");
  EXPECT_EQ(runs[2].finished_at, max);  // saturated, not overflowed
  EXPECT_TRUE(DetectorRunsFromStatusJobs(Json("jobs")).empty());
}

TEST(ScanProgressTest, RunOutputEntriesWithoutWhatARunNeedsAreSkipped) {
  Json output = {{"runs",
                  {{{"rule_id", "HOST-VULN"},
                    {"started_at_ms", 7000},
                    {"duration_ms", 12},
                    {"outcome", "skipped"},
                    {"result", "skipped: no feed"},
                    {"next_run_ms", 8000}},
                   {{"rule_id", "HOST-VULN"}, {"outcome", "ok"}},
                   {{"started_at_ms", 7000}, {"outcome", "ok"}},
                   {{"rule_id", "X"}, {"started_at_ms", -1}, {"outcome", "ok"}},
                   {{"rule_id", "X"}, {"started_at_ms", 1}, {"outcome", 3}},
                   {{"rule_id", std::string(300, 'x')}, {"started_at_ms", 1}, {"outcome", "ok"}},
                   42}}};
  std::vector<store::DetectorRun> runs = DetectorRunsFromRunOutput(7, output);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].host_id, 7);
  EXPECT_EQ(runs[0].outcome, "skipped");
  EXPECT_EQ(runs[0].duration_ms, 12);
  EXPECT_EQ(runs[0].next_run_at, 8000);
  EXPECT_TRUE(DetectorRunsFromRunOutput(7, Json({{"started", {"A"}}})).empty());
  EXPECT_TRUE(DetectorRunsFromRunOutput(7, Json()).empty());
}

class ScanProgressStoreTest : public store::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store::NewEnrolSecret s;
    s.name = "default";
    s.sha256 = "secret-hash";
    s.created_at = 1;
    auto secret = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
    ASSERT_TRUE(secret.ok());
    store::HostEnrolment e;
    e.machine_id = "m1";
    e.hostname = "web-1";
    e.enrol_secret_id = secret->id;
    e.node_key_sha256 = "node";
    e.now = 10;
    auto host = MustWrite([&](StoreWriter& w) { return w.hosts().Enrol(e); });
    ASSERT_TRUE(host.ok());
    host_ = host->host.id;
    auto scan = MustWrite([&](StoreWriter& w) -> Result<store::Scan> {
      store::NewScan n;
      n.requested_at = 100;
      n.requested_by = {"user", "1", "alice"};
      n.scope = "hosts";
      n.host_ids = {host_};
      ASSIGN_OR_RETURN(store::Scan created, w.scans().Create(n));
      store::NewAgentCommand c;
      c.host_id = host_;
      c.type = "run_detector";
      c.created_at = 100;
      ASSIGN_OR_RETURN(store::AgentCommandRow row, w.commands().Create(c));
      command_ = row.id;
      RETURN_IF_ERROR(w.scans().AddTarget(created.id, host_, row.id, 100));
      return created;
    });
    ASSERT_TRUE(scan.ok());
    scan_ = scan->id;
  }

  store::Scan Scan() {
    auto s = store().scans().Get(scan_);
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && s->has_value() ? **s : store::Scan{};
  }

  int64_t host_ = 0;
  int64_t command_ = 0;
  int64_t scan_ = 0;
};

TEST_F(ScanProgressStoreTest, DeliveryThenAResultRecordEndTheTargetAndRecordTheRun) {
  ASSERT_TRUE(
      MustWrite([&](StoreWriter& w) { return MarkCommandsDelivered(w, {command_}, 200); }).ok());
  EXPECT_EQ(Scan().state, "running");
  EXPECT_TRUE(store().commands().Get(command_)->value().delivered_at.has_value());

  Json output = {{"runs",
                  {{{"rule_id", "HOST-OPEN-PORTS"},
                    {"started_at_ms", 300},
                    {"duration_ms", 20},
                    {"outcome", "error"},
                    {"result", "error: no /proc"}}}}};
  Json batch = {{"batch_id", "b1"},
                {"records",
                 {{{"id", "cr-1"},
                   {"kind", "command_results"},
                   {"time_ms", 400},
                   {"body",
                    {{"command_id", std::to_string(command_)},
                     {"status", "failed"},
                     {"error", "HOST-OPEN-PORTS error: no /proc"},
                     {"output", output}}}}}}};
  PreparedRecordBatch prepared = PrepareRecordBatch(batch);
  ASSERT_FALSE(prepared.error.has_value()) << prepared.error->message;
  auto ingested = IngestRecordBatch(store(), {host_, "web-1", {}}, std::move(prepared), 500).Wait();
  ASSERT_TRUE(ingested.ok()) << ingested.status().message();
  EXPECT_EQ(ingested->accepted, 1);

  store::Scan scan = Scan();
  EXPECT_EQ(scan.state, "done");
  EXPECT_EQ(scan.counts.failed, 1);
  auto targets = store().scans().Targets(scan_);
  ASSERT_TRUE(targets.ok());
  ASSERT_EQ(targets->size(), 1u);
  EXPECT_EQ((*targets)[0].error, "HOST-OPEN-PORTS error: no /proc");
  store::ListQuery q;
  q.filters = {{"host_id", store::FilterOp::kEq, host_}};
  auto runs = store().detector_runs().List(q);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->items.size(), 1u);
  EXPECT_EQ(runs->items[0].outcome, "failed");
  EXPECT_EQ(runs->items[0].trigger, "run_now");
  EXPECT_EQ(runs->items[0].scan_id, scan_);
  EXPECT_EQ(runs->items[0].command_id, command_);

  // The same result posted again: the first one stands, nothing moves twice.
  store::AgentCommandOutcome again{"failed", "HOST-OPEN-PORTS error: no /proc", output.dump(), 400};
  auto update =
      MustWrite([&](StoreWriter& w) { return RecordCommandResult(w, host_, command_, again); });
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(*update, store::CommandResultUpdate::kSameAgain);
  EXPECT_EQ(Scan().counts.failed, 1);
}

}  // namespace
}  // namespace warden::server
