// Record ingest: idempotency by record id, one transaction per batch, and
// the record bodies the agent really produces.
#include "server/record_ingest.h"

#include <gtest/gtest.h>

#include "api/openapi_spec.h"
#include "api/request_validator.h"
#include "core/time_format.h"
#include "problems/problem_rendering.h"
#include "store/store_test_fixture.h"

namespace warden::server {
namespace {

using store::StoreWriter;

class RecordIngestTest : public store::StoreTest {
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
    host_ = {host->host.id, "web-1", {}};
  }

  // A problem event exactly as the agent renders it for its sinks.
  static Json ProblemRecord(ProblemAction action, int64_t revision, ProblemStatus status,
                            const std::string& comment = "") {
    ProblemEvent e;
    e.action = action;
    e.at = 1'700'000'000 + revision;
    e.comment = comment;
    Problem& p = e.problem;
    p.id = "f00d";
    p.rule_id = "HOST-OPEN-PORTS";
    p.host = "web-1";
    p.title = "tcp port 8080 is open";
    p.risk_level = RiskLevel::kHigh;
    p.resource = "tcp/0.0.0.0:8080";
    p.status = status;
    p.first_detected = 1'700'000'000;
    p.last_detected = e.at;
    p.status_changed = e.at;
    p.revision = revision;
    if (status == ProblemStatus::kDismissed) {
      p.dismissed_comment = comment;
      p.dismissed_at = e.at;
    }
    p.finding.id = p.id;
    p.finding.rule_id = p.rule_id;
    p.finding.title = p.title;
    p.finding.description = "python3 listens on 8080";
    return {{"id", ProblemEventId(e)},
            {"kind", "problems"},
            {"time_ms", e.at * 1000},
            {"body", ProblemEventToJson(e)}};
  }

  static Json StatusRecord(int64_t time_ms) {
    Json job = {{"name", "HOST-VULN"}, {"kind", "detector"},  {"schedule", "every 6h"},
                {"last_run", nullptr}, {"last_run_ms", 5000}, {"duration_ms", 1200},
                {"outcome", "ok"},     {"result", "3 CVEs"},  {"running", false},
                {"next_run_ms", 9000}, {"runs", 4},           {"failures", 1},
                {"stuck", false},      {"queued", false},     {"note", nullptr}};
    Json query = {{"name", "listening_ports"}, {"kind", "query"}, {"last_run_ms", 0}};
    return {{"id", "status-" + std::to_string(time_ms)},
            {"kind", "status"},
            {"time_ms", time_ms},
            {"body",
             {{"host", "web-1"},
              {"agent", {{"version", "0.9.0"}, {"pid", 42}}},
              {"resources", {{"rss_bytes", 1}}},
              {"jobs", Json::array({job, query})}}}};
  }

  static Json PortsRecord(const std::string& id, int64_t time_ms, std::vector<int> ports) {
    Json items = Json::array();
    for (int port : ports)
      items.push_back({{"protocol", "tcp"},
                       {"family", "ipv4"},
                       {"address", port == 631 ? "127.0.0.1" : "0.0.0.0"},
                       {"port", port},
                       {"pid", 100 + port},
                       {"process", "p" + std::to_string(port)},
                       {"path", nullptr},
                       {"user", "root"}});
    return {{"id", id},
            {"kind", "inventory"},
            {"time_ms", time_ms},
            {"body", {{"type", "ports"}, {"items", items}}}};
  }

  static Json Batch(Json records) { return {{"batch_id", "b1"}, {"records", std::move(records)}}; }

  // Validates the batch against the spec (as the dispatcher would), then ingests it.
  Result<IngestOutcome> Push(const Json& batch) {
    auto spec = api::OpenApiSpec::Embedded();
    EXPECT_TRUE(spec.ok());
    const api::Operation* op = (*spec)->FindById("pushAgentRecords");
    EXPECT_NE(op, nullptr);
    std::string text = batch.dump();
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/json"}};
    api::ApiRequest request{{}, {}, headers, text};
    api::ValidatedRequest validated;
    std::optional<api::ApiError> error = api::ValidateRequest(*op, request, &validated);
    EXPECT_FALSE(error.has_value()) << (error ? error->field + ": " + error->message : "");
    PreparedRecordBatch prepared = PrepareRecordBatch(batch);
    EXPECT_FALSE(prepared.error.has_value())
        << prepared.error->field << ": " << prepared.error->message;
    return IngestRecordBatch(store(), host_, std::move(prepared), 123).Wait();
  }

  int64_t HistoryCount(int64_t problem_id) {
    store::ListQuery q;
    q.filters = {{"problem_id", store::FilterOp::kEq, problem_id}};
    auto page = store().problems().ListHistory(q);
    return page.ok() ? page->total : -1;
  }

  IngestHost host_;
};

TEST_F(RecordIngestTest, TheSameBatchTwiceIsStoredOnceAndCountedAsDuplicates) {
  Json batch =
      Batch({ProblemRecord(ProblemAction::kOpened, 1, ProblemStatus::kOpen), StatusRecord(7000),
             PortsRecord("ports-1", 8000, {22, 631}),
             Json{{"id", "r1"},
                  {"kind", "results"},
                  {"time_ms", 1},
                  {"body", {{"name", "q"}, {"action", "added"}, {"columns", {{"n", 1}}}}}}});
  auto first = Push(batch);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->accepted, 4);
  EXPECT_EQ(first->duplicates, 0);
  auto again = Push(batch);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->accepted, 0);
  EXPECT_EQ(again->duplicates, 4);

  auto problem = store().problems().FindByAgentId(host_.id, "f00d");
  ASSERT_TRUE(problem.ok() && problem->has_value());
  EXPECT_EQ(HistoryCount((*problem)->id), 1);
  EXPECT_EQ(store().ledger().CountForHost(host_.id).value(), 4);
  store::ListQuery q;
  q.filters = {{"host_id", store::FilterOp::kEq, host_.id}};
  auto ports = store().inventory().ListPorts(q);
  ASSERT_TRUE(ports.ok());
  ASSERT_EQ(ports->items.size(), 2u);
  EXPECT_FALSE(ports->items[0].loopback);
  EXPECT_TRUE(ports->items[1].loopback);  // 631 on 127.0.0.1
}

TEST_F(RecordIngestTest, RecordsRepeatedInsideOneBatchAreStoredOnce) {
  Json record = PortsRecord("ports-1", 8000, {22});
  auto outcome = Push(Batch({record, record}));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->accepted, 1);
  EXPECT_EQ(outcome->duplicates, 1);
}

TEST_F(RecordIngestTest, ProblemEventsKeepHistoryAndLateOlderEventsDoNotRollBack) {
  ASSERT_TRUE(Push(Batch({ProblemRecord(ProblemAction::kOpened, 1, ProblemStatus::kOpen)})).ok());
  ASSERT_TRUE(Push(Batch({ProblemRecord(ProblemAction::kDismissed, 3, ProblemStatus::kDismissed,
                                        "accepted risk")}))
                  .ok());
  // Revision 2 arrives last (it sat in a retry queue).
  ASSERT_TRUE(Push(Batch({ProblemRecord(ProblemAction::kUpdated, 2, ProblemStatus::kOpen)})).ok());
  auto problem = store().problems().FindByAgentId(host_.id, "f00d");
  ASSERT_TRUE(problem.ok() && problem->has_value());
  const store::FleetProblem& p = **problem;
  EXPECT_EQ(p.revision, 3);
  EXPECT_EQ(p.status, ProblemStatus::kDismissed);
  ASSERT_TRUE(p.dismissal.has_value());
  EXPECT_EQ(p.dismissal->comment, "accepted risk");
  EXPECT_EQ(p.dismissal->by.type, "node");
  EXPECT_EQ(p.risk_level, RiskLevel::kHigh);
  EXPECT_EQ(p.first_detected_at, 1'700'000'000'000);
  EXPECT_EQ(p.description, "python3 listens on 8080");
  EXPECT_EQ(p.hostname, "web-1");
  EXPECT_EQ(HistoryCount(p.id), 3);

  store::ListQuery q;
  q.filters = {{"problem_id", store::FilterOp::kEq, p.id}};
  auto history = store().problems().ListHistory(q);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->items.size(), 3u);
  EXPECT_EQ(history->items[2].action, "dismissed");
  EXPECT_EQ(history->items[2].comment, "accepted risk");
  EXPECT_EQ(history->items[2].actor.id, std::to_string(host_.id));
}

TEST_F(RecordIngestTest, StatusRecordsBecomeDetectorStatesWithTheApisOutcomes) {
  ASSERT_TRUE(Push(Batch({StatusRecord(7000)})).ok());
  auto detectors = store().inventory().Detectors(host_.id);
  ASSERT_TRUE(detectors.ok());
  ASSERT_EQ(detectors->size(), 1u);  // the query job is not a detector
  const store::DetectorState& d = (*detectors)[0];
  EXPECT_EQ(d.rule_id, "HOST-VULN");
  EXPECT_EQ(d.outcome, "succeeded");
  EXPECT_EQ(d.last_run_at, 5000);
  EXPECT_EQ(d.duration_ms, 1200);
  EXPECT_EQ(d.next_run_at, 9000);
  EXPECT_EQ(d.runs, 4);
  EXPECT_EQ(d.failures, 1);
}

// Result lines exactly in the shape the agent's result log writes them
// (src/agent/result_log.h): one stored row per result row, under the
// query's name, at the record's time; the status's query jobs with the
// rows their summary names.
TEST_F(RecordIngestTest, ResultLinesBecomeRowsPerQueryAndStatusKeepsQueryJobs) {
  Json header = {{"name", "srv:procs"},
                 {"hostIdentifier", "web-1"},
                 {"calendarTime", "Wed Jan 10 12:00:00 2024 UTC"},
                 {"unixTime", 1704888000},
                 {"epoch", 2},
                 {"counter", 5},
                 {"numerics", true},
                 {"decorations", Json::object()}};
  Json snapshot = header;
  snapshot["action"] = "snapshot";
  snapshot["snapshot"] =
      Json::array({{{"pid", 1}, {"name", "init"}}, {{"pid", 2}, {"name", "sh"}}});
  Json removed = header;
  removed["action"] = "removed";
  removed["columns"] = {{"pid", 3}, {"name", "old"}};
  Json status = StatusRecord(1704888001000);
  status["body"]["jobs"][1] = {{"name", "srv:procs"},
                               {"kind", "query"},
                               {"last_run_ms", 1704888000000},
                               {"duration_ms", 3},
                               {"outcome", "ok"},
                               {"result", "2 rows (snapshot)"},
                               {"next_run_ms", 1704888060000},
                               {"runs", 9}};
  auto outcome = Push(
      Batch({{{"id", "s"}, {"kind", "results"}, {"time_ms", 1704888000000}, {"body", snapshot}},
             {{"id", "d"}, {"kind", "results"}, {"time_ms", 1704888000500}, {"body", removed}},
             status}));
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  store::ListQuery q;
  q.filters = {{"name", store::FilterOp::kEq, std::string("srv:procs")},
               {"host_id", store::FilterOp::kEq, host_.id}};
  q.sort = store::SortOrder{"id", false};
  auto rows = store().scheduled_results().List(q);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->items.size(), 3u);
  EXPECT_EQ(rows->items[0].action, "snapshot");
  EXPECT_EQ(Json::parse(rows->items[0].row_json), (Json{{"pid", 1}, {"name", "init"}}));
  EXPECT_EQ(rows->items[0].run_at, 1704888000000);
  EXPECT_EQ(rows->items[0].epoch, 2);
  EXPECT_EQ(rows->items[0].counter, 5);
  EXPECT_EQ(rows->items[0].hostname, "web-1");
  EXPECT_EQ(rows->items[2].action, "removed");
  auto jobs = store().scheduled_results().HostJobs(host_.id);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].name, "srv:procs");
  EXPECT_EQ((*jobs)[0].last_rows, 2);
  EXPECT_EQ((*jobs)[0].next_run_at, 1704888060000);
  EXPECT_EQ((*jobs)[0].runs, 9);
}

TEST(RowsFromJobResultTest, ReadsTheAgentsSummariesAndNothingElse) {
  EXPECT_EQ(RowsFromJobResult("12 rows (snapshot)"), 12);
  EXPECT_EQ(RowsFromJobResult("0 rows, 0 added, 0 removed"), 0);
  EXPECT_EQ(RowsFromJobResult("ok: 1 rows (snapshot)"), 1);  // as the agent's status says it
  EXPECT_EQ(RowsFromJobResult("failed: no such table: nope"), std::nullopt);
  EXPECT_EQ(RowsFromJobResult("3 CVEs"), std::nullopt);
  EXPECT_EQ(RowsFromJobResult(""), std::nullopt);
  EXPECT_EQ(RowsFromJobResult("99999999999999999999999 rows"), std::nullopt);
}

TEST_F(RecordIngestTest, CommandResultsAnswerTheirCommand) {
  store::NewAgentCommand c;
  c.host_id = host_.id;
  c.type = "reload_config";
  auto cmd = MustWrite([&](StoreWriter& w) { return w.commands().Create(c); });
  ASSERT_TRUE(cmd.ok());
  Json record = {
      {"id", "cr-1"},
      {"kind", "command_results"},
      {"time_ms", 4242},
      {"body",
       {{"command_id", std::to_string(cmd->id)}, {"status", "failed"}, {"error", "no such rule"}}}};
  Json unknown = record;
  unknown["id"] = "cr-2";
  unknown["body"]["command_id"] = "999999";  // ignored: no such command
  auto outcome = Push(Batch({record, unknown}));
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_EQ(outcome->accepted, 2);
  auto row = store().commands().Get(cmd->id);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->finished_at, 4242);
  EXPECT_EQ((*row)->result_status, "failed");
  EXPECT_EQ((*row)->result_error, "no such rule");
}

TEST_F(RecordIngestTest, ABadRecordNamesItsFieldAndNothingOfTheBatchIsStored) {
  Json bad = ProblemRecord(ProblemAction::kOpened, 1, ProblemStatus::kOpen);
  bad["body"]["first_detected"] = "yesterday";
  PreparedRecordBatch prepared = PrepareRecordBatch(Batch({PortsRecord("p", 1, {22}), bad}));
  ASSERT_TRUE(prepared.error.has_value());
  EXPECT_EQ(prepared.error->field, "/records/1/body/first_detected");
  auto outcome = IngestRecordBatch(store(), host_, std::move(prepared), 1).Wait();
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(store().ledger().CountForHost(host_.id).value(), 0);

  for (const Json& body : {Json(nullptr), Json::array(), Json{{"records", 3}},
                           Json{{"batch_id", "b"}, {"records", Json::array({42})}}}) {
    EXPECT_TRUE(PrepareRecordBatch(body).error.has_value()) << body.dump();
  }
}

TEST_F(RecordIngestTest, AFailingRecordUndoesTheWholeBatchIncludingItsLedgerClaims) {
  // The second record passes preparation but the store refuses it (no
  // rule id): the first record's snapshot and claim are undone too.
  PreparedRecordBatch prepared =
      PrepareRecordBatch(Batch({PortsRecord("p1", 1, {22}),
                                ProblemRecord(ProblemAction::kOpened, 1, ProblemStatus::kOpen)}));
  ASSERT_FALSE(prepared.error.has_value());
  std::get<ProblemRecordRows>(prepared.records[1].rows).problem.rule_id.clear();
  auto outcome = IngestRecordBatch(store(), host_, std::move(prepared), 1).Wait();
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(store().ledger().CountForHost(host_.id).value(), 0);
  store::ListQuery q;
  q.filters = {{"host_id", store::FilterOp::kEq, host_.id}};
  EXPECT_TRUE(store().inventory().ListPorts(q)->items.empty());
}

}  // namespace
}  // namespace warden::server
