// The fleet state repositories: problems and history, inventories,
// detector states, vulnerability findings, agent commands.
#include <gtest/gtest.h>

#include <set>

#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class FleetStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    NewEnrolSecret s;
    s.name = "default";
    s.sha256 = "secret-hash";
    s.created_at = 1;
    auto created = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
    ASSERT_TRUE(created.ok());
    secret_ = created->id;
  }

  int64_t Enrol(const std::string& hostname) {
    HostEnrolment e;
    e.machine_id = "m-" + hostname;
    e.hostname = hostname;
    e.enrol_secret_id = secret_;
    e.node_key_sha256 = "node-" + hostname;
    e.now = 10;
    auto r = MustWrite([&](StoreWriter& w) { return w.hosts().Enrol(e); });
    return r.ok() ? r->host.id : 0;
  }

  static FleetProblem Problem(int64_t host, const std::string& id, int64_t revision,
                              RiskLevel risk = RiskLevel::kHigh) {
    FleetProblem p;
    p.host_id = host;
    p.hostname = "web-" + std::to_string(host);
    p.agent_problem_id = id;
    p.rule_id = "HOST-OPEN-PORTS";
    p.title = "tcp port 8080 is open";
    p.risk_level = risk;
    p.first_detected_at = 1000 + revision;
    p.last_detected_at = 2000 + revision;
    p.status_changed_at = 2000 + revision;
    p.revision = revision;
    p.finding_json = R"({"id":")" + id + R"("})";
    p.updated_at = 3000;
    return p;
  }

  ProblemUpsert Upsert(const FleetProblem& p) {
    auto r = MustWrite([&](StoreWriter& w) { return w.problems().Upsert(p); });
    return r.ok() ? *r : ProblemUpsert{};
  }

  static HostPort Port(int64_t port, std::string process) {
    HostPort p;
    p.protocol = "tcp";
    p.family = "ipv4";
    p.address = "0.0.0.0";
    p.port = port;
    p.process = std::move(process);
    return p;
  }

  std::vector<HostPort> Ports(int64_t host) {
    ListQuery q;
    q.filters = {{"host_id", FilterOp::kEq, host}};
    auto page = store().inventory().ListPorts(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? page->items : std::vector<HostPort>{};
  }

  int64_t secret_ = 0;
};

TEST_F(FleetStoreTest, ProblemUpsertKeepsIdAndRefusesOlderRevisions) {
  int64_t host = Enrol("web-1");
  ProblemUpsert first = Upsert(Problem(host, "p1", 1));
  EXPECT_TRUE(first.created);
  EXPECT_TRUE(first.applied);
  ASSERT_GT(first.problem.id, 0);

  FleetProblem newer = Problem(host, "p1", 3);
  newer.status = ProblemStatus::kDismissed;
  newer.dismissal = ProblemDismissal{"accepted risk", {"user", "4", "alice"}, 2500, 9000};
  ProblemUpsert second = Upsert(newer);
  EXPECT_FALSE(second.created);
  EXPECT_TRUE(second.applied);
  EXPECT_EQ(second.problem.id, first.problem.id);
  EXPECT_EQ(second.problem.first_detected_at, 1001);  // the earlier first detection stays

  ProblemUpsert stale = Upsert(Problem(host, "p1", 2));
  EXPECT_FALSE(stale.applied);
  auto stored = store().problems().Get(first.problem.id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->revision, 3);
  EXPECT_EQ((*stored)->status, ProblemStatus::kDismissed);
  ASSERT_TRUE((*stored)->dismissal.has_value());
  EXPECT_EQ((*stored)->dismissal->comment, "accepted risk");
  EXPECT_EQ((*stored)->dismissal->by.name, "alice");
  EXPECT_EQ((*stored)->dismissal->until, 9000);
  EXPECT_EQ((*stored)->finding_json, R"({"id":"p1"})");
}

TEST_F(FleetStoreTest, ProblemUpsertRefusesBadJsonAndMissingKeys) {
  int64_t host = Enrol("web-1");
  FleetProblem p = Problem(host, "p1", 1);
  p.finding_json = "[1]";
  auto r = store().Write([&](StoreWriter& w) { return w.problems().Upsert(p); }).Wait();
  EXPECT_FALSE(r.ok());
  p = Problem(host, "", 1);
  r = store().Write([&](StoreWriter& w) { return w.problems().Upsert(p); }).Wait();
  EXPECT_FALSE(r.ok());
}

TEST_F(FleetStoreTest, ProblemListsPerHostByRiskWithPagingAndHistory) {
  int64_t a = Enrol("web-1");
  int64_t b = Enrol("web-2");
  for (int i = 0; i < 25; ++i)
    Upsert(Problem(a, "a" + std::to_string(i), 1, static_cast<RiskLevel>(1 + i % 5)));
  Upsert(Problem(b, "b0", 1, RiskLevel::kExtreme));

  ListQuery q;
  q.limit = 7;
  q.sort = SortOrder{"risk_level", true};
  q.filters = {{"host_id", FilterOp::kEq, a}};
  std::set<int64_t> seen;
  int64_t last_rank = 6;
  for (;;) {
    auto page = store().problems().List(q);
    ASSERT_TRUE(page.ok()) << page.status().message();
    EXPECT_EQ(page->total, 25);
    for (const FleetProblem& p : page->items) {
      EXPECT_EQ(p.host_id, a);
      EXPECT_LE(static_cast<int64_t>(p.risk_level), last_rank);
      last_rank = static_cast<int64_t>(p.risk_level);
      seen.insert(p.id);
    }
    if (!page->next_cursor) break;
    q.cursor = *page->next_cursor;
  }
  EXPECT_EQ(seen.size(), 25u);

  ListQuery high;
  high.filters = {{"risk_level", FilterOp::kGe, int64_t{4}}};
  auto page = store().problems().List(high);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 11);  // 10 of a (very_high, extreme) and b's extreme

  int64_t pid = *seen.begin();
  for (int rev = 1; rev <= 3; ++rev) {
    ProblemHistoryRecord h;
    h.problem_id = pid;
    h.revision = rev;
    h.at = 100 * rev;
    h.action = rev == 1 ? "opened" : "updated";
    h.comment = rev == 2 ? std::optional<std::string>("why") : std::nullopt;
    ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.problems().AppendHistory(h); }).ok());
  }
  ListQuery hq;
  hq.filters = {{"problem_id", FilterOp::kEq, pid}};
  auto history = store().problems().ListHistory(hq);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->items.size(), 3u);
  EXPECT_EQ(history->items[0].action, "opened");
  EXPECT_EQ(history->items[1].comment, "why");
  EXPECT_EQ(history->items[2].revision, 3);
}

TEST_F(FleetStoreTest, PortSnapshotsReplaceKeepFirstSeenAndIgnoreOlderSnapshots) {
  int64_t host = Enrol("web-1");
  auto replace = [&](std::vector<HostPort> ports, EpochMs at) {
    auto r = MustWrite(
        [&](StoreWriter& w) { return w.inventory().ReplacePorts(host, "web-1", ports, at); });
    return r.ok() && *r;
  };
  EXPECT_TRUE(replace({Port(22, "sshd"), Port(80, "nginx")}, 1000));
  EXPECT_TRUE(replace({Port(22, "sshd"), Port(443, "nginx")}, 2000));
  std::vector<HostPort> ports = Ports(host);
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0].port, 22);
  EXPECT_EQ(ports[0].first_seen_at, 1000);
  EXPECT_EQ(ports[0].last_seen_at, 2000);
  EXPECT_EQ(ports[1].port, 443);
  EXPECT_EQ(ports[1].first_seen_at, 2000);

  EXPECT_FALSE(replace({Port(9999, "old")}, 1500));  // late, older snapshot
  EXPECT_EQ(Ports(host).size(), 2u);
  auto times = store().inventory().Times(host);
  ASSERT_TRUE(times.ok());
  EXPECT_EQ(times->ports_at, 2000);
  EXPECT_FALSE(times->packages_at.has_value());
}

TEST_F(FleetStoreTest, PackagesAndFindingsReplaceAndCountCves) {
  int64_t host = Enrol("web-1");
  std::vector<HostPackage> pkgs(2);
  pkgs[0].name = "openssl";
  pkgs[0].version = "3.0.1";
  pkgs[1].name = "bash";
  pkgs[1].version = "5.2";
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                return w.inventory().ReplacePackages(host, pkgs, 100);
              }).ok());
  std::vector<VulnerabilityFindingRow> findings(2);
  for (int i = 0; i < 2; ++i) {
    findings[i].cve = "CVE-2024-000" + std::to_string(i);
    findings[i].package = "openssl";
    findings[i].installed_version = "3.0.1";
    findings[i].severity = 3 + i;
    findings[i].cvss_score = 7.5 + i;
  }
  findings[0].fixed_version = "3.0.2";
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                return w.vulnerabilities().ReplaceForHost(host, "web-1", findings, 200);
              }).ok());
  ListQuery q;
  q.filters = {{"host_id", FilterOp::kEq, host}};
  auto page = store().inventory().ListPackages(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].name, "bash");
  EXPECT_EQ(page->items[0].cve_count, 0);
  EXPECT_EQ(page->items[1].cve_count, 2);

  ListQuery fq;
  fq.filters = {{"host_id", FilterOp::kEq, host}, {"fix_available", FilterOp::kEq, int64_t{1}}};
  auto fixable = store().vulnerabilities().List(fq);
  ASSERT_TRUE(fixable.ok());
  ASSERT_EQ(fixable->items.size(), 1u);
  EXPECT_EQ(fixable->items[0].fixed_version, "3.0.2");
  EXPECT_EQ(fixable->items[0].cvss_score, 7.5);
  ListQuery sorted;
  auto by_severity = store().vulnerabilities().List(sorted);  // default -severity
  ASSERT_TRUE(by_severity.ok());
  ASSERT_EQ(by_severity->items.size(), 2u);
  EXPECT_EQ(by_severity->items[0].severity, 4);
}

TEST_F(FleetStoreTest, CountsSumAHostsProblemsFindingsPortsAndPackages) {
  int64_t host = Enrol("web-1");
  int64_t other = Enrol("web-2");
  Upsert(Problem(host, "a", 1, RiskLevel::kHigh));
  Upsert(Problem(host, "b", 1, RiskLevel::kHigh));
  Upsert(Problem(host, "c", 1, RiskLevel::kLow));
  FleetProblem dismissed = Problem(host, "d", 1);
  dismissed.status = ProblemStatus::kDismissed;
  Upsert(dismissed);
  FleetProblem resolved = Problem(host, "e", 1);
  resolved.status = ProblemStatus::kResolved;
  Upsert(resolved);
  Upsert(Problem(other, "a", 1));
  std::vector<VulnerabilityFindingRow> findings(3);
  const char* packages[] = {"openssl", "libssl3", "bash"};
  for (int i = 0; i < 3; ++i) {
    findings[i].cve = i < 2 ? "CVE-2024-1" : "CVE-2024-2";  // one CVE on two packages
    findings[i].package = packages[i];
    findings[i].installed_version = "1";
    findings[i].severity = i == 1 ? 4 : 2;
  }
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                return w.vulnerabilities().ReplaceForHost(host, "web-1", findings, 5);
              }).ok());
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                return w.inventory().ReplacePorts(host, "web-1", {Port(22, "sshd")}, 5);
              }).ok());
  auto counts = store().inventory().Counts(host);
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  EXPECT_EQ(counts->open_problems, 3);
  EXPECT_EQ(counts->open_problems_by_risk[static_cast<int>(RiskLevel::kHigh)], 2);
  EXPECT_EQ(counts->open_problems_by_risk[static_cast<int>(RiskLevel::kLow)], 1);
  EXPECT_EQ(counts->dismissed_problems, 1);
  EXPECT_EQ(counts->vulnerabilities, 2);
  EXPECT_EQ(counts->vulnerabilities_by_severity[4], 1);  // CVE-2024-1 at its worst
  EXPECT_EQ(counts->vulnerabilities_by_severity[2], 1);
  EXPECT_EQ(counts->open_ports, 1);
  EXPECT_EQ(counts->packages, 0);
}

TEST_F(FleetStoreTest, DetectorStatesAreReplacedByNewerStatus) {
  int64_t host = Enrol("web-1");
  DetectorState d;
  d.rule_id = "HOST-VULN";
  d.last_run_at = 100;
  d.outcome = "succeeded";
  d.runs = 3;
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                return w.inventory().ReplaceDetectors(host, {d}, 1000);
              }).ok());
  d.rule_id = "HOST-OPEN-PORTS";
  auto older =
      MustWrite([&](StoreWriter& w) { return w.inventory().ReplaceDetectors(host, {d}, 500); });
  ASSERT_TRUE(older.ok());
  EXPECT_FALSE(*older);
  auto detectors = store().inventory().Detectors(host);
  ASSERT_TRUE(detectors.ok());
  ASSERT_EQ(detectors->size(), 1u);
  EXPECT_EQ((*detectors)[0].rule_id, "HOST-VULN");
  EXPECT_EQ((*detectors)[0].runs, 3);
  EXPECT_EQ((*detectors)[0].outcome, "succeeded");
}

TEST_F(FleetStoreTest, CommandsArePendingUntilAnsweredAndRedeliveredWhenUnanswered) {
  int64_t host = Enrol("web-1");
  NewAgentCommand c;
  c.host_id = host;
  c.type = "run_detector";
  c.args_json = R"({"rule_ids":[]})";
  c.created_at = 100;
  auto created = MustWrite([&](StoreWriter& w) { return w.commands().Create(c); });
  ASSERT_TRUE(created.ok());
  auto pending = store().commands().Pending(host, 0, 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                return w.commands().MarkDelivered({created->id}, 200);
              }).ok());
  EXPECT_TRUE(store().commands().Pending(host, 200, 10)->empty());   // just delivered
  EXPECT_EQ(store().commands().Pending(host, 201, 10)->size(), 1u);  // delivered long ago

  AgentCommandOutcome done{"succeeded", std::nullopt, R"({"runs":1})", 300};
  auto record = [&](int64_t h, const AgentCommandOutcome& o) {
    auto r =
        MustWrite([&](StoreWriter& w) { return w.commands().RecordResult(h, created->id, o); });
    return r.ok() ? *r : CommandResultUpdate::kNotFound;
  };
  EXPECT_EQ(record(host + 1000, done), CommandResultUpdate::kNotFound);
  EXPECT_EQ(record(host, done), CommandResultUpdate::kRecorded);
  EXPECT_EQ(record(host, done), CommandResultUpdate::kSameAgain);
  EXPECT_EQ(record(host, AgentCommandOutcome{"failed", "boom", std::nullopt, 400}),
            CommandResultUpdate::kConflict);
  EXPECT_TRUE(store().commands().Pending(host, 1'000'000, 10)->empty());
  auto row = store().commands().Get(created->id);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->deliveries, 1);
  EXPECT_EQ((*row)->result_output_json, R"({"runs":1})");
}

TEST_F(FleetStoreTest, DeletingAHostRemovesWhatItReported) {
  int64_t host = Enrol("web-1");
  ProblemUpsert p = Upsert(Problem(host, "p1", 1));
  ProblemHistoryRecord h;
  h.problem_id = p.problem.id;
  h.action = "opened";
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.problems().AppendHistory(h); }).ok());
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                return w.inventory().ReplacePorts(host, "web-1", {Port(22, "sshd")}, 5);
              }).ok());
  NewAgentCommand c;
  c.host_id = host;
  c.type = "reload_config";
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.commands().Create(c); }).ok());
  auto deleted = MustWrite([&](StoreWriter& w) { return w.hosts().Delete(host); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_FALSE(store().problems().Get(p.problem.id)->has_value());
  EXPECT_TRUE(Ports(host).empty());
}

}  // namespace
}  // namespace warden::store
