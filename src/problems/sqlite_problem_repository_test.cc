#include "problems/sqlite_problem_repository.h"

#include <gtest/gtest.h>

#include "problems/problem_rendering.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::TempDir;

Finding PortFinding(int port, int pid = 100) {
  Finding f;
  f.id = MakeFindingId({"HOST-OPEN-PORTS", "h1", "tcp", std::to_string(port)});
  f.rule_id = "HOST-OPEN-PORTS";
  f.title = "Process listening on tcp port " + std::to_string(port);
  f.risk_level = RiskLevel::kMedium;
  f.resource = "h1";
  f.attributes["port"] = port;
  f.evidence["pid"] = pid;  // volatile: not a change
  return f;
}

class SqliteProblemRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteProblemRepository::Open(dir_.path() + "/state.db", false);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
  }
  std::vector<ProblemEvent> Run(std::vector<Finding> findings, int64_t now) {
    Observation obs;
    obs.findings = std::move(findings);
    auto r = store_->Reconcile("HOST-OPEN-PORTS", "h1", obs, now);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<ProblemEvent>{};
  }
  TempDir dir_;
  std::unique_ptr<SqliteProblemRepository> store_;
};

TEST_F(SqliteProblemRepositoryTest, OpenResolvedReopenedLifecycleWithHistory) {
  auto e1 = Run({PortFinding(8080)}, 1000);
  ASSERT_EQ(e1.size(), 1u);
  EXPECT_EQ(e1[0].action, ProblemAction::kOpened);
  EXPECT_EQ(e1[0].problem.status, ProblemStatus::kOpen);

  EXPECT_TRUE(Run({PortFinding(8080, 101)}, 1100).empty()) << "a new pid alone is not a change";

  auto e2 = Run({}, 1200);
  ASSERT_EQ(e2.size(), 1u);
  EXPECT_EQ(e2[0].action, ProblemAction::kResolved);
  EXPECT_EQ(e2[0].problem.resolved_at, 1200);

  auto e3 = Run({PortFinding(8080)}, 1300);
  ASSERT_EQ(e3.size(), 1u);
  EXPECT_EQ(e3[0].action, ProblemAction::kReopened);
  EXPECT_EQ(e3[0].problem.times_reopened, 1);
  EXPECT_EQ(e3[0].problem.first_detected, 1000);
  EXPECT_EQ(e3[0].problem.last_detected, 1300);

  auto history = store_->History(e1[0].problem.id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].action, ProblemAction::kOpened);
  EXPECT_EQ((*history)[1].action, ProblemAction::kResolved);
  EXPECT_EQ((*history)[2].action, ProblemAction::kReopened);
  EXPECT_EQ((*history)[2].revision, 3);
}

TEST_F(SqliteProblemRepositoryTest, InvalidUtf8InEvidenceIsStored) {
  Finding f = PortFinding(6000);
  f.evidence["cmdline"] = std::string("/bin/x \xff\xfe");
  auto e = Run({f}, 1000);
  ASSERT_EQ(e.size(), 1u);
  auto p = store_->Get(f.id);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->finding.evidence["cmdline"], "/bin/x \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_F(SqliteProblemRepositoryTest, ChangedAttributesAreAnUpdate) {
  Run({PortFinding(9000)}, 1000);
  Finding f = PortFinding(9000);
  f.attributes["process"] = "/usr/bin/other";
  auto e = Run({f}, 1100);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].action, ProblemAction::kUpdated);
  EXPECT_EQ(e[0].problem.revision, 2);
}

TEST_F(SqliteProblemRepositoryTest, DismissedProblemStaysDismissedUntilExpiry) {
  auto opened = Run({PortFinding(7000)}, 1000);
  EXPECT_FALSE(store_->Dismiss(opened[0].problem.id, "  ", 0, 1050).ok())
      << "a comment is mandatory";
  auto d = store_->Dismiss(opened[0].problem.id.substr(0, 8), "test service, expected", 2000, 1050);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->problem.status, ProblemStatus::kDismissed);
  EXPECT_TRUE(Run({PortFinding(7000)}, 1100).empty());
  EXPECT_TRUE(Run({}, 1200).empty()) << "dismissed problems are not auto-resolved";
  auto p = store_->Get(opened[0].problem.id);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->status, ProblemStatus::kDismissed);
  EXPECT_EQ(p->dismissed_comment, "test service, expected");
  // After the expiry, a condition still present opens again.
  auto e = Run({PortFinding(7000)}, 2100);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].action, ProblemAction::kReopened);
  EXPECT_NE(e[0].comment.find("dismissal expired"), std::string::npos);
}

TEST_F(SqliteProblemRepositoryTest, ListFiltersAndCounts) {
  Run({PortFinding(1), PortFinding(2)}, 1000);
  Run({PortFinding(1)}, 1100);
  ProblemFilter open;
  open.statuses = {ProblemStatus::kOpen};
  auto l = store_->List(open);
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].finding.attributes["port"], 1);
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[ProblemStatus::kOpen], 1);
  EXPECT_EQ((*counts)[ProblemStatus::kResolved], 1);
}

TEST_F(SqliteProblemRepositoryTest, FailedBeforeCommitLeavesStateUnchangedAndReplaysSameIds) {
  Observation obs;
  obs.findings = {PortFinding(5000)};
  std::string first_id;
  auto failed = store_->Reconcile("HOST-OPEN-PORTS", "h1", obs, 1000,
                                  [&](const std::vector<ProblemEvent>& ev) {
                                    first_id = ProblemEventId(ev.at(0));
                                    return IoError("queue unavailable");
                                  });
  EXPECT_FALSE(failed.ok());
  auto l = store_->List({});
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->empty()) << "the transaction must roll back";
  auto again = store_->Reconcile("HOST-OPEN-PORTS", "h1", obs, 1000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ProblemEventId(again->at(0)), first_id) << "replayed events keep their ids";
}

TEST_F(SqliteProblemRepositoryTest, DetailsAreReplacedEachRun) {
  Observation obs;
  Finding host = PortFinding(1);
  obs.findings = {host};
  Finding a = PortFinding(11), b = PortFinding(12);
  obs.details[host.id] = {a, b};
  ASSERT_TRUE(store_->Reconcile("HOST-OPEN-PORTS", "h1", obs, 1000).ok());
  EXPECT_EQ(store_->Details(host.id)->size(), 2u);
  obs.details[host.id] = {a};
  ASSERT_TRUE(store_->Reconcile("HOST-OPEN-PORTS", "h1", obs, 1100).ok());
  EXPECT_EQ(store_->Details(host.id)->size(), 1u);
}

TEST_F(SqliteProblemRepositoryTest, OcsfRenderingFollowsLifecycle) {
  auto opened = Run({PortFinding(8443)}, 1000);
  Json o = ProblemEventToOcsf(opened[0]);
  EXPECT_EQ(o["class_uid"], 2004);
  EXPECT_EQ(o["activity_id"], 1);
  EXPECT_EQ(o["type_uid"], 200401);
  EXPECT_EQ(o["status"], "New");
  EXPECT_EQ(o["severity_id"], 3);
  auto resolved = Run({}, 1100);
  Json r = ProblemEventToOcsf(resolved[0]);
  EXPECT_EQ(r["activity_id"], 3);
  EXPECT_EQ(r["status_id"], 4);
  EXPECT_EQ(r["finding_info"]["uid"], opened[0].problem.id);
}

Finding RuntimeFinding(const std::string& rule, const std::string& key, int pid) {
  Finding f;
  f.id = MakeFindingId({"host.ebpf", rule, "h1", key});
  f.rule_id = rule;
  f.title = rule + " fired";
  f.risk_level = RiskLevel::kHigh;
  f.resource = "h1";
  f.attributes["pid"] = pid;
  return f;
}

TEST_F(SqliteProblemRepositoryTest, RaiseOpensOnceCountsRepeatsAndNeverResolves) {
  auto e1 = store_->Raise({RuntimeFinding("HOST-EXEC-FROM-TMP", "/tmp/x", 1),
                           RuntimeFinding("HOST-EXEC-FROM-TMP", "/tmp/x", 2),
                           RuntimeFinding("HOST-REVERSE-SHELL", "bash -i", 3)},
                          "h1", 1000);
  ASSERT_TRUE(e1.ok()) << e1.status().message();
  ASSERT_EQ(e1->size(), 2u) << "one opened event per distinct condition";
  EXPECT_EQ((*e1)[0].action, ProblemAction::kOpened);
  EXPECT_EQ((*e1)[0].problem.rule_id, "HOST-EXEC-FROM-TMP");
  EXPECT_EQ((*e1)[1].problem.rule_id, "HOST-REVERSE-SHELL");

  auto e2 = store_->Raise({RuntimeFinding("HOST-EXEC-FROM-TMP", "/tmp/x", 4)}, "h1", 1100);
  ASSERT_TRUE(e2.ok());
  EXPECT_TRUE(e2->empty()) << "a repeat of an open problem is not an event";
  auto p = store_->Get(RuntimeFinding("HOST-EXEC-FROM-TMP", "/tmp/x", 0).id);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->status, ProblemStatus::kOpen);
  EXPECT_EQ(p->first_detected, 1000);
  EXPECT_EQ(p->last_detected, 1100);
  EXPECT_EQ(p->occurrences, 3);
  EXPECT_EQ(p->finding.attributes["pid"], 4) << "the latest evidence is kept";

  // Another detector's reconcile does not touch runtime problems.
  Run({}, 1200);
  auto still = store_->Get(p->id);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->status, ProblemStatus::kOpen);
}

TEST_F(SqliteProblemRepositoryTest, RaiseKeepsDismissedUntilExpiryThenReopens) {
  Finding f = RuntimeFinding("HOST-NETWORK-TOOL", "nc", 1);
  ASSERT_TRUE(store_->Raise({f}, "h1", 1000).ok());
  ASSERT_TRUE(store_->Dismiss(f.id, "pentest this week", 2000, 1001).ok());
  auto quiet = store_->Raise({f}, "h1", 1500);
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(quiet->empty());
  EXPECT_EQ(store_->Get(f.id)->status, ProblemStatus::kDismissed);
  auto back = store_->Raise({f}, "h1", 2500);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].action, ProblemAction::kReopened);
  EXPECT_NE((*back)[0].comment.find("dismissal expired"), std::string::npos);
}

TEST_F(SqliteProblemRepositoryTest, UndismissOpensAndTheNextRunResolvesWhatIsGone) {
  auto opened = Run({PortFinding(7100)}, 1000);
  const std::string id = opened.at(0).problem.id;
  EXPECT_FALSE(store_->Undismiss(id, "", 1010).ok()) << "only a dismissed problem";
  ASSERT_TRUE(store_->Dismiss(id, "expected", 0, 1050).ok());
  auto u = store_->Undismiss(id.substr(0, 8), "not expected after all", 1060);
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->action, ProblemAction::kUndismissed);
  EXPECT_EQ(u->problem.status, ProblemStatus::kOpen);
  EXPECT_EQ(u->problem.revision, 3);
  auto gone = Run({}, 1100);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].action, ProblemAction::kResolved);
  auto history = store_->History(id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 4u);
  EXPECT_EQ((*history)[2].action, ProblemAction::kUndismissed);
  EXPECT_EQ((*history)[2].comment, "not expected after all");
}

TEST_F(SqliteProblemRepositoryTest, StoredFindingReadsBackAsTheSameJson) {
  Finding f = PortFinding(7200);
  f.description = "why";
  f.remediation = "stop it";
  f.links = {"https://example.test/a"};
  f.ocsf_extra["vulnerabilities"] = Json::array({1});
  auto e = Run({f}, 1000);
  ASSERT_EQ(e.size(), 1u);
  auto p = store_->Get(f.id);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(ProblemToJson(*p), ProblemToJson(e[0].problem));
  EXPECT_EQ(p->finding.ocsf_extra, f.ocsf_extra);
  EXPECT_EQ(ProblemEventToOcsf(e[0]), ProblemEventToOcsf({e[0].action, e[0].at, "", *p}));
}

TEST_F(SqliteProblemRepositoryTest, RaiseFailingBeforeCommitStoresNothing) {
  Finding f = RuntimeFinding("HOST-NETWORK-TOOL", "nc", 1);
  auto r = store_->Raise(
      {f}, "h1", 1000, [](const std::vector<ProblemEvent>&) { return Unavailable("queue full"); });
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(store_->Get(f.id).ok()) << "the problem was rolled back with its record";
}

}  // namespace
}  // namespace warden
