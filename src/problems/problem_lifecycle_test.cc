#include "problems/problem_lifecycle.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

// The clock the tests move by hand: the lifecycle never reads a clock, it is
// given "now", so any sequence of times can be replayed.
class FakeClock {
 public:
  int64_t now() const { return now_; }
  int64_t Advance(int64_t seconds) { return now_ += seconds; }

 private:
  int64_t now_ = 1'700'000'000;
};

Finding PortFinding(int port, int pid = 100) {
  Finding f;
  f.id = MakeFindingId({"HOST-OPEN-PORTS", "h1", "tcp", std::to_string(port)});
  f.rule_id = "HOST-OPEN-PORTS";
  f.title = "Process listening on tcp port " + std::to_string(port);
  f.risk_level = RiskLevel::kMedium;
  f.resource = "h1";
  f.attributes["port"] = port;
  f.evidence["pid"] = pid;
  return f;
}

Finding RuntimeFinding(const std::string& key, int pid) {
  Finding f;
  f.id = MakeFindingId({"host.ebpf", "HOST-NETWORK-TOOL", "h1", key});
  f.rule_id = "HOST-NETWORK-TOOL";
  f.title = "network tool";
  f.risk_level = RiskLevel::kHigh;
  f.resource = "h1";
  f.evidence["pid"] = pid;
  return f;
}

// Keeps the problems between runs as a repository would.
class Ports {
 public:
  explicit Ports(FakeClock& clock) : clock_(clock) {}
  std::vector<ProblemEvent> See(std::vector<Finding> findings) {
    Observation obs;
    obs.findings = std::move(findings);
    LifecycleOutcome out = ReconcileProblems(Stored(), "HOST-OPEN-PORTS", "h1", obs, clock_.now());
    for (auto& c : out.changes) {
      EXPECT_EQ(c.is_new, problems_.count(c.problem.id) == 0) << c.problem.id;
      problems_[c.problem.id] = c.problem;
    }
    return out.events;
  }
  std::vector<Problem> Stored() const {
    std::vector<Problem> v;
    for (const auto& [id, p] : problems_) v.push_back(p);
    return v;
  }
  Problem& at(const std::string& id) { return problems_.at(id); }

 private:
  FakeClock& clock_;
  std::map<std::string, Problem> problems_;
};

TEST(ProblemLifecycleTest, OpenUpdateResolveReopenFollowTheClock) {
  FakeClock clock;
  Ports ports(clock);
  const int64_t start = clock.now();
  auto opened = ports.See({PortFinding(8080)});
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].action, ProblemAction::kOpened);
  EXPECT_EQ(opened[0].at, start);
  EXPECT_EQ(opened[0].problem.revision, 1);
  EXPECT_EQ(opened[0].problem.finding.first_seen, start);

  clock.Advance(60);
  EXPECT_TRUE(ports.See({PortFinding(8080, 999)}).empty()) << "a new pid is no change";
  EXPECT_EQ(ports.at(opened[0].problem.id).last_detected, clock.now());

  Finding changed = PortFinding(8080);
  changed.attributes["process"] = "/usr/bin/other";
  clock.Advance(60);
  auto updated = ports.See({changed});
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_EQ(updated[0].action, ProblemAction::kUpdated);
  EXPECT_EQ(updated[0].problem.revision, 2);

  clock.Advance(60);
  auto resolved = ports.See({});
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].action, ProblemAction::kResolved);
  EXPECT_EQ(resolved[0].problem.resolved_at, clock.now());

  clock.Advance(60);
  EXPECT_TRUE(ports.See({}).empty()) << "resolved stays resolved";
  clock.Advance(60);
  auto reopened = ports.See({PortFinding(8080)});
  ASSERT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened[0].action, ProblemAction::kReopened);
  EXPECT_EQ(reopened[0].problem.times_reopened, 1);
  EXPECT_EQ(reopened[0].problem.resolved_at, 0);
  EXPECT_EQ(reopened[0].problem.first_detected, start);
  EXPECT_EQ(reopened[0].problem.finding.first_seen, start);
  EXPECT_EQ(reopened[0].problem.revision, 4);
}

TEST(ProblemLifecycleTest, AConditionReportedTwiceInOneRunCountsOnce) {
  FakeClock clock;
  Ports ports(clock);
  auto events = ports.See({PortFinding(22), PortFinding(22, 5)});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(ports.Stored().size(), 1u);
}

TEST(ProblemLifecycleTest, ADismissalThatEndsBeforeItStartsIsRefused) {
  Problem p;
  p.id = "p1";
  p.status = ProblemStatus::kOpen;
  const int64_t now = 1'800'000'000;
  auto past = DismissProblem(p, "accepted risk", now - 1, now);
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.status().message().find("is not in the future"), std::string::npos)
      << past.status().message();
  EXPECT_FALSE(DismissProblem(p, "accepted risk", now, now).ok());
  auto future = DismissProblem(p, "accepted risk", now + 60, now);
  ASSERT_TRUE(future.ok()) << future.status().message();
  EXPECT_EQ(future->problem.dismissed_until, now + 60);
  EXPECT_TRUE(DismissProblem(p, "accepted risk", 0, now).ok()) << "no expiry";
}

TEST(ProblemLifecycleTest, DismissalHoldsUntilItsExpiryThenTheStateDecides) {
  FakeClock clock;
  Ports ports(clock);
  const std::string a = ports.See({PortFinding(1), PortFinding(2)})[0].problem.id;
  const std::string b = PortFinding(2).id;
  for (const std::string& id : {a, b}) {
    auto d = DismissProblem(ports.at(id), "lab host", clock.now() + 3600, clock.now());
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->action, ProblemAction::kDismissed);
    ports.at(id) = d->problem;
  }
  clock.Advance(600);
  EXPECT_TRUE(ports.See({PortFinding(1)}).empty()) << "dismissed: neither open nor resolved";
  clock.Advance(3600);
  auto after = ports.See({PortFinding(1)});
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].action, ProblemAction::kReopened) << "still there";
  EXPECT_EQ(after[0].problem.id, a);
  EXPECT_EQ(after[1].action, ProblemAction::kResolved) << "gone";
  EXPECT_EQ(after[1].problem.id, b);
  EXPECT_NE(after[1].comment.find("dismissal expired"), std::string::npos);
}

TEST(ProblemLifecycleTest, DismissNeedsACommentAndUndismissNeedsADismissal) {
  FakeClock clock;
  Ports ports(clock);
  Problem p = ports.See({PortFinding(3)})[0].problem;
  EXPECT_FALSE(DismissProblem(p, " \t", 0, clock.now()).ok());
  EXPECT_FALSE(UndismissProblem(p, "", clock.now()).ok());
  auto d = DismissProblem(p, "why", 0, clock.now());
  ASSERT_TRUE(d.ok());
  clock.Advance(10);
  auto u = UndismissProblem(d->problem, "", clock.now());
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->action, ProblemAction::kUndismissed);
  EXPECT_EQ(u->problem.status, ProblemStatus::kOpen);
  EXPECT_EQ(u->problem.status_changed, clock.now());
  EXPECT_EQ(u->problem.revision, 3);
}

TEST(ProblemLifecycleTest, RaiseCountsOccurrencesWithoutNewRevisions) {
  FakeClock clock;
  auto first =
      RaiseProblems({}, {RuntimeFinding("nc", 1), RuntimeFinding("nc", 2)}, "h1", clock.now());
  ASSERT_EQ(first.events.size(), 2u);
  EXPECT_EQ(first.events[0].action, ProblemAction::kOpened);
  EXPECT_EQ(first.events[1].action, ProblemAction::kOccurred);
  EXPECT_FALSE(IsStateChange(first.events[1].action));
  ASSERT_EQ(first.changes.size(), 1u);
  Problem p = first.changes[0].problem;
  EXPECT_TRUE(first.changes[0].is_new);
  EXPECT_EQ(p.occurrences, 2);
  EXPECT_EQ(p.revision, 1);
  EXPECT_EQ(p.finding.evidence["pid"], 2) << "the latest evidence is kept";

  // Raising never resolves; a resolved one (say, by hand) reopens.
  p.status = ProblemStatus::kResolved;
  clock.Advance(30);
  auto again = RaiseProblems({p}, {RuntimeFinding("nc", 3)}, "h1", clock.now());
  ASSERT_EQ(again.events.size(), 1u);
  EXPECT_EQ(again.events[0].action, ProblemAction::kReopened);
  EXPECT_EQ(again.events[0].problem.occurrences, 3);
  EXPECT_EQ(again.events[0].problem.revision, 2);
  EXPECT_FALSE(again.changes[0].is_new);
}

TEST(ProblemLifecycleTest, ActionNamesRoundTrip) {
  for (ProblemAction a : {ProblemAction::kOpened, ProblemAction::kUpdated, ProblemAction::kResolved,
                          ProblemAction::kReopened, ProblemAction::kDismissed,
                          ProblemAction::kUndismissed, ProblemAction::kOccurred})
    EXPECT_EQ(ParseProblemAction(ProblemActionName(a)), a);
  EXPECT_FALSE(ParseProblemAction("closed").has_value());
}

}  // namespace
}  // namespace warden
