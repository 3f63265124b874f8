// Scans and their targets, detector runs, and labels in use.
#include <gtest/gtest.h>

#include "sql/sqlite_database.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class ScanStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    secret_ = Secret("default", {});
  }

  int64_t Secret(const std::string& name, std::vector<std::string> labels) {
    NewEnrolSecret s;
    s.name = name;
    s.sha256 = "secret-" + name;
    s.labels = std::move(labels);
    s.created_at = 1;
    auto created = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
    return created.ok() ? created->id : 0;
  }

  int64_t Enrol(const std::string& hostname, int64_t secret = 0, EpochMs now = 10) {
    HostEnrolment e;
    e.machine_id = "m-" + hostname;
    e.hostname = hostname;
    e.enrol_secret_id = secret != 0 ? secret : secret_;
    e.node_key_sha256 = "node-" + hostname;
    e.now = now;
    auto r = MustWrite([&](StoreWriter& w) { return w.hosts().Enrol(e); });
    return r.ok() ? r->host.id : 0;
  }

  // A scan of `hosts` with one command each; the command ids, in order.
  std::pair<Scan, std::vector<int64_t>> NewScanOf(const std::vector<int64_t>& hosts,
                                                  EpochMs at = 100) {
    std::vector<int64_t> commands;
    auto scan = MustWrite([&](StoreWriter& w) -> Result<Scan> {
      NewScan n;
      n.requested_at = at;
      n.requested_by = {"user", "1", "alice"};
      n.scope = "hosts";
      n.host_ids = hosts;
      n.rule_ids = {"HOST-OPEN-PORTS"};
      ASSIGN_OR_RETURN(Scan s, w.scans().Create(n));
      for (int64_t host : hosts) {
        NewAgentCommand c;
        c.host_id = host;
        c.type = "run_detector";
        c.created_at = at;
        ASSIGN_OR_RETURN(AgentCommandRow row, w.commands().Create(c));
        RETURN_IF_ERROR(w.scans().AddTarget(s.id, host, row.id, at));
        commands.push_back(row.id);
      }
      return s;
    });
    return {scan.ok() ? *scan : Scan{}, commands};
  }

  std::optional<int64_t> Move(int64_t command, ScanTargetState state, EpochMs at = 200) {
    auto moved = MustWrite([&](StoreWriter& w) {
      return w.scans().MoveTargetOfCommand(command, state, std::nullopt, at);
    });
    return moved.ok() ? *moved : std::nullopt;
  }

  Scan Stored(int64_t id) {
    auto scan = store().scans().Get(id);
    EXPECT_TRUE(scan.ok() && scan->has_value());
    return scan.ok() && scan->has_value() ? **scan : Scan{};
  }

  std::vector<DetectorRun> Runs(int64_t host) {
    ListQuery q;
    q.filters = {{"host_id", FilterOp::kEq, host}};
    auto page = store().detector_runs().List(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? page->items : std::vector<DetectorRun>{};
  }

  static DetectorRun Run(int64_t host, EpochMs started, std::string outcome,
                         std::string trigger = "schedule") {
    DetectorRun r;
    r.host_id = host;
    r.rule_id = "HOST-OPEN-PORTS";
    r.started_at = started;
    r.outcome = std::move(outcome);
    if (r.outcome != "running") r.duration_ms = 40;
    r.result = "ok: 3 found";
    r.trigger = std::move(trigger);
    return r;
  }

  Status Record(const DetectorRun& run) {
    return store_->Write([&](StoreWriter& w) { return w.detector_runs().Record(run); })
        .Wait()
        .status();
  }

  std::vector<LabelCount> Labels(std::optional<SortOrder> sort = std::nullopt,
                                 std::vector<FieldFilter> filters = {}) {
    ListQuery q;
    q.sort = std::move(sort);
    q.filters = std::move(filters);
    auto page = store().labels().List(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? page->items : std::vector<LabelCount>{};
  }

  int64_t secret_ = 0;
};

TEST_F(ScanStoreTest, TargetsMoveForwardOnlyAndTheScanFollowsItsCounts) {
  const int64_t a = Enrol("a"), b = Enrol("b"), c = Enrol("c");
  auto [scan, commands] = NewScanOf({a, b, c});
  Scan s = Stored(scan.id);
  EXPECT_EQ(s.state, "pending");
  EXPECT_EQ(s.counts.targeted, 3);
  EXPECT_EQ(s.counts.pending, 3);
  EXPECT_EQ(s.host_ids, (std::vector<int64_t>{a, b, c}));
  EXPECT_EQ(s.rule_ids, (std::vector<std::string>{"HOST-OPEN-PORTS"}));
  EXPECT_EQ(s.requested_by.name, "alice");

  EXPECT_EQ(Move(commands[0], ScanTargetState::kRunning), scan.id);
  s = Stored(scan.id);
  EXPECT_EQ(s.state, "running");
  EXPECT_EQ(s.counts.pending, 2);
  EXPECT_EQ(s.counts.running, 1);
  EXPECT_EQ(Move(commands[0], ScanTargetState::kSucceeded), scan.id);
  EXPECT_EQ(Move(commands[1], ScanTargetState::kFailed), scan.id);  // answered, never delivered
  // Backwards or again: nothing moves.
  EXPECT_EQ(Move(commands[0], ScanTargetState::kRunning), std::nullopt);
  EXPECT_EQ(Move(commands[1], ScanTargetState::kSucceeded), std::nullopt);
  s = Stored(scan.id);
  EXPECT_EQ(s.state, "running");
  EXPECT_EQ(s.counts.succeeded, 1);
  EXPECT_EQ(s.counts.failed, 1);
  EXPECT_EQ(s.counts.pending, 1);

  auto failed = MustWrite(
      [&](StoreWriter& w) { return w.scans().FailTargetsOfHost(c, "the host was revoked", 300); });
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(*failed, 1);
  s = Stored(scan.id);
  EXPECT_EQ(s.state, "done");
  EXPECT_EQ(s.counts.pending + s.counts.running, 0);
  EXPECT_EQ(s.counts.failed, 2);
  auto targets = store().scans().Targets(scan.id);
  ASSERT_TRUE(targets.ok());
  ASSERT_EQ(targets->size(), 3u);
  EXPECT_EQ((*targets)[2].host_id, c);
  EXPECT_EQ((*targets)[2].error, "the host was revoked");
  EXPECT_EQ((*targets)[0].state, ScanTargetState::kSucceeded);

  // A command that no scan sent moves nothing.
  EXPECT_EQ(Move(commands.back() + 1000, ScanTargetState::kRunning), std::nullopt);
}

TEST_F(ScanStoreTest, ATargetIsAddedOnceAndAScopeMustBeKnown) {
  const int64_t a = Enrol("a");
  auto [scan, commands] = NewScanOf({a});
  Status again = store_
                     ->Write([&, id = scan.id, command = commands[0]](StoreWriter& w) {
                       return w.scans().AddTarget(id, a, command, 5);
                     })
                     .Wait()
                     .status();
  EXPECT_EQ(again.code(), StatusCode::kInvalidArgument) << again.message();
  auto bad = store_
                 ->Write([](StoreWriter& w) {
                   NewScan n;
                   n.scope = "everything";
                   return w.scans().Create(n);
                 })
                 .Wait();
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Stored(scan.id).counts.targeted, 1);
}

TEST_F(ScanStoreTest, ScansListNewestFirstByHostAndState) {
  const int64_t a = Enrol("a"), b = Enrol("b");
  auto first = NewScanOf({a, b}, 100);
  auto second = NewScanOf({b}, 200);
  auto third = NewScanOf({a}, 300);
  Move(second.second[0], ScanTargetState::kSucceeded);

  auto list = [&](std::vector<FieldFilter> filters, int64_t limit = 100, std::string cursor = "") {
    ListQuery q;
    q.filters = std::move(filters);
    q.limit = limit;
    q.cursor = std::move(cursor);
    auto page = store().scans().List(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? *page : ListPage<Scan>{};
  };
  auto all = list({}, 2);
  ASSERT_EQ(all.items.size(), 2u);
  EXPECT_EQ(all.total, 3);
  EXPECT_EQ(all.items[0].id, third.first.id);
  ASSERT_TRUE(all.next_cursor.has_value());
  auto rest = list({}, 2, *all.next_cursor);
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0].id, first.first.id);

  auto of_b = list({{"host_id", FilterOp::kEq, b}});
  ASSERT_EQ(of_b.items.size(), 2u);
  EXPECT_EQ(of_b.items[0].id, second.first.id);
  EXPECT_EQ(of_b.items[1].id, first.first.id);
  auto done = list({{"state", FilterOp::kEq, std::string("done")}});
  ASSERT_EQ(done.items.size(), 1u);
  EXPECT_EQ(done.items[0].id, second.first.id);
  EXPECT_EQ(list({{"state", FilterOp::kNe, std::string("done")}}).total, 2);
}

TEST_F(ScanStoreTest, PendingTargetsOnHostsNotSeenRecentlyAreCounted) {
  const int64_t fresh = Enrol("fresh", 0, 5000), stale = Enrol("stale", 0, 10);
  auto [scan, commands] = NewScanOf({fresh, stale});
  auto offline = store().scans().CountPendingOnHostsSeenBefore(scan.id, 1000);
  ASSERT_TRUE(offline.ok());
  EXPECT_EQ(*offline, 1);
  Move(commands[1], ScanTargetState::kRunning);  // it came back and took it
  EXPECT_EQ(*store().scans().CountPendingOnHostsSeenBefore(scan.id, 1000), 0);
}

TEST_F(ScanStoreTest, ARunReportedTwiceIsOneRowWithWhatBothSaid) {
  const int64_t host = Enrol("a");
  auto [scan, commands] = NewScanOf({host});
  // The status heartbeat saw it running, then finished; then its run-now
  // result arrived.
  ASSERT_TRUE(Record(Run(host, 5000, "running")).ok());
  DetectorRun finished = Run(host, 5000, "succeeded");
  finished.next_run_at = 9000;
  ASSERT_TRUE(Record(finished).ok());
  DetectorRun asked = Run(host, 5000, "succeeded", "run_now");
  asked.scan_id = scan.id;
  asked.command_id = commands[0];
  ASSERT_TRUE(Record(asked).ok());
  // A late status record that still saw it running changes nothing.
  ASSERT_TRUE(Record(Run(host, 5000, "running")).ok());

  std::vector<DetectorRun> runs = Runs(host);
  ASSERT_EQ(runs.size(), 1u);
  const DetectorRun& r = runs[0];
  EXPECT_EQ(r.outcome, "succeeded");
  EXPECT_EQ(r.duration_ms, 40);
  EXPECT_EQ(r.finished_at, 5040);
  EXPECT_EQ(r.next_run_at, 9000);  // kept: the run-now result said nothing of it
  EXPECT_EQ(r.trigger, "run_now");
  EXPECT_EQ(r.scan_id, scan.id);
  EXPECT_EQ(r.command_id, commands[0]);
}

TEST_F(ScanStoreTest, RunsLeftRunningAreClosedByALaterRunAndListNewestFirst) {
  const int64_t host = Enrol("a"), other = Enrol("b");
  ASSERT_TRUE(Record(Run(host, 1000, "running")).ok());  // the agent died during it
  ASSERT_TRUE(Record(Run(host, 3000, "failed")).ok());
  ASSERT_TRUE(Record(Run(host, 2000, "succeeded")).ok());
  ASSERT_TRUE(Record(Run(other, 4000, "succeeded")).ok());
  std::vector<DetectorRun> runs = Runs(host);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].started_at, 3000);
  EXPECT_EQ(runs[1].started_at, 2000);
  EXPECT_EQ(runs[2].started_at, 1000);
  EXPECT_EQ(runs[2].outcome, "failed");
  EXPECT_EQ(runs[2].duration_ms, std::nullopt);
  EXPECT_NE(runs[2].result->find("did not report"), std::string::npos);

  ListQuery q;
  q.filters = {{"host_id", FilterOp::kEq, host}, {"outcome", FilterOp::kEq, std::string("failed")}};
  q.sort = SortOrder{"duration_ms", false};
  auto failed = store().detector_runs().List(q);
  ASSERT_TRUE(failed.ok()) << failed.status().message();
  ASSERT_EQ(failed->items.size(), 2u);
  EXPECT_EQ(failed->items[0].started_at, 1000);  // duration 0 until it ends

  EXPECT_EQ(Record(Run(host, 0, "succeeded")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Record(Run(host, 5, "exploded")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Record(Run(host, 5, "succeeded", "cron")).code(), StatusCode::kInvalidArgument);
}

TEST_F(ScanStoreTest, AFinishedRunMovesTheHostsDetectorStateForwardOnly) {
  const int64_t host = Enrol("a");
  DetectorState d;
  d.rule_id = "HOST-OPEN-PORTS";
  d.last_run_at = 2000;
  d.outcome = "succeeded";
  d.runs = 4;
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                return w.inventory().ReplaceDetectors(host, {d}, 2500);
              }).ok());
  ASSERT_TRUE(Record(Run(host, 1000, "failed")).ok());  // older: changes nothing
  auto detectors = store().inventory().Detectors(host);
  ASSERT_TRUE(detectors.ok());
  ASSERT_EQ(detectors->size(), 1u);
  EXPECT_EQ((*detectors)[0].last_run_at, 2000);

  DetectorRun newer = Run(host, 3000, "failed", "run_now");
  newer.next_run_at = 7000;
  ASSERT_TRUE(Record(newer).ok());
  detectors = store().inventory().Detectors(host);
  ASSERT_EQ(detectors->size(), 1u);
  const DetectorState& now = (*detectors)[0];
  EXPECT_EQ(now.last_run_at, 3000);
  EXPECT_EQ(now.duration_ms, 40);
  EXPECT_EQ(now.outcome, "failed");
  EXPECT_EQ(now.next_run_at, 7000);
  EXPECT_EQ(now.runs, 5);
  EXPECT_EQ(now.failures, 1);

  // A detector the host never reported gets its state from the run.
  DetectorRun vuln = Run(host, 3000, "succeeded", "run_now");
  vuln.rule_id = "HOST-VULN";
  ASSERT_TRUE(Record(vuln).ok());
  EXPECT_EQ(store().inventory().Detectors(host)->size(), 2u);
}

TEST_F(ScanStoreTest, PruningDeletesRunsStartedBeforeTheCutoffAndKeepsTheDetectorState) {
  const int64_t host = Enrol("a"), other = Enrol("b");
  ASSERT_TRUE(Record(Run(host, 1000, "succeeded")).ok());
  ASSERT_TRUE(Record(Run(host, 2000, "failed")).ok());
  ASSERT_TRUE(Record(Run(host, 3000, "succeeded")).ok());
  ASSERT_TRUE(Record(Run(other, 1500, "succeeded")).ok());
  auto pruned = MustWrite([](StoreWriter& w) { return w.detector_runs().PruneBefore(2000); });
  ASSERT_TRUE(pruned.ok()) << pruned.status().message();
  EXPECT_EQ(*pruned, 2);  // 1000 on one host, 1500 on the other; 2000 is not before
  std::vector<DetectorRun> runs = Runs(host);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].started_at, 3000);
  EXPECT_EQ(runs[1].started_at, 2000);
  EXPECT_TRUE(Runs(other).empty());
  // The host's detector state is not a run: it stays.
  auto detectors = store().inventory().Detectors(host);
  ASSERT_TRUE(detectors.ok());
  ASSERT_EQ(detectors->size(), 1u);
  EXPECT_EQ((*detectors)[0].last_run_at, 3000);
}

TEST_F(ScanStoreTest, LabelsCountTheHostsCarryingThemAsLabelsChange) {
  const int64_t web = Secret("web", {"env=prod", "role_web"});
  const int64_t a = Enrol("a", web), b = Enrol("b", web), c = Enrol("c");
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                return w.hosts().SetLabels(c, {"env=prod", "50%_off"});
              }).ok());
  std::vector<LabelCount> labels = Labels();
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels[0].name, "50%_off");
  EXPECT_EQ(labels[1].name, "env=prod");
  EXPECT_EQ(labels[1].host_count, 3);
  EXPECT_EQ(labels[2].name, "role_web");
  EXPECT_EQ(labels[2].host_count, 2);

  labels = Labels(SortOrder{"host_count", true});
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels[0].name, "env=prod");
  EXPECT_EQ(labels[2].name, "50%_off");

  // Contains, case-insensitively; % and _ are themselves.
  auto named = [&](const std::string& q) {
    std::vector<std::string> out;
    for (const LabelCount& l :
         Labels(std::nullopt, {{"name_contains", FilterOp::kEq, std::string(q)}}))
      out.push_back(l.name);
    return out;
  };
  EXPECT_EQ(named("ENV"), (std::vector<std::string>{"env=prod"}));
  EXPECT_EQ(named("%"), (std::vector<std::string>{"50%_off"}));
  EXPECT_EQ(named("_"), (std::vector<std::string>{"50%_off", "role_web"}));
  EXPECT_TRUE(named("v_p").empty());  // "env=prod" if _ matched any character

  // A label no host carries any more is gone.
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.hosts().SetLabels(c, {}); }).ok());
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.hosts().Delete(a); }).ok());
  labels = Labels();
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0].name, "env=prod");
  EXPECT_EQ(labels[0].host_count, 1);
  EXPECT_EQ(labels[1].host_count, 1);
  (void)b;
}

TEST_F(ScanStoreTest, DeletingAHostRemovesItsRunsAndTargets) {
  const int64_t host = Enrol("a");
  NewScanOf({host});
  ASSERT_TRUE(Record(Run(host, 1000, "succeeded")).ok());
  auto deleted = MustWrite([&](StoreWriter& w) { return w.hosts().Delete(host); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_TRUE(Runs(host).empty());
}

// The labels table of migration 5 starts from the labels hosts had before.
TEST(ScanMigrationTest, LabelsInUseBeforeTheMigrationAreCounted) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/server.db";
  auto db = SqliteDatabase::Open(path, SqliteDatabase::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok()) << db.status().message();
  ASSERT_TRUE(ApplyMigrations(**db, SqliteMigrations().first(4), 1).ok());
  for (int host = 1; host <= 3; ++host) {
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO hosts (id, machine_id, hostname, enrolled_at, "
                           "last_seen_at) VALUES (" +
                           std::to_string(host) + ", 'm" + std::to_string(host) + "', 'h', 1, 1)")
                    .ok());
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO host_labels (host_id, label) VALUES (" +
                           std::to_string(host) + ", 'prod')")
                    .ok());
  }
  ASSERT_TRUE((*db)->Exec("INSERT INTO host_labels (host_id, label) VALUES (1, 'db')").ok());
  ASSERT_TRUE(ApplyMigrations(**db, SqliteMigrations(), 2).ok());
  auto st = (*db)->Prepare("SELECT name, host_count FROM labels ORDER BY name");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(st->Step().value());
  EXPECT_EQ(st->Text(0), "db");
  EXPECT_EQ(st->Int(1), 1);
  ASSERT_TRUE(st->Step().value());
  EXPECT_EQ(st->Text(0), "prod");
  EXPECT_EQ(st->Int(1), 3);
  EXPECT_FALSE(st->Step().value());
}

}  // namespace
}  // namespace warden::store
