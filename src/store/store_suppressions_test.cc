// Suppressions in the store: created with their target and creator,
// updated (reason, expiry set and removed), listed and filtered, the
// active ones at a time, and holds that count only while the problem is
// still dismissed with the hold's comment.
#include <gtest/gtest.h>

#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class SuppressionStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    NewEnrolSecret s;
    s.name = "default";
    s.sha256 = "secret-hash";
    s.created_at = 1;
    auto created = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
    ASSERT_TRUE(created.ok());
    HostEnrolment e;
    e.machine_id = "m-web";
    e.hostname = "web";
    e.enrol_secret_id = created->id;
    e.node_key_sha256 = "node-web";
    e.now = 10;
    auto host = MustWrite([&](StoreWriter& w) { return w.hosts().Enrol(e); });
    ASSERT_TRUE(host.ok());
    host_ = host->host.id;
  }

  Suppression Create(SuppressionKind kind, const std::string& value,
                     std::optional<EpochMs> expires_at = std::nullopt, EpochMs at = 1000) {
    NewSuppression s;
    s.kind = kind;
    s.value = value;
    s.reason = "accepted risk";
    s.expires_at = expires_at;
    s.created_by = {"user", "1", "admin"};
    s.created_at = at;
    return MustWrite([&](StoreWriter& w) { return w.suppressions().Create(s); }).value();
  }

  FleetProblem Problem(const std::string& agent_id, ProblemStatus status,
                       const std::string& comment = "") {
    FleetProblem p;
    p.host_id = host_;
    p.hostname = "web";
    p.agent_problem_id = agent_id;
    p.rule_id = "HOST-OPEN-PORTS";
    p.status = status;
    p.revision = 1;
    p.first_detected_at = p.last_detected_at = p.status_changed_at = 100;
    if (status == ProblemStatus::kDismissed) p.dismissal = ProblemDismissal{comment, {}, 100, {}};
    return MustWrite([&](StoreWriter& w) { return w.problems().Upsert(p); }).value().problem;
  }

  int64_t host_ = 0;
};

TEST_F(SuppressionStoreTest, KeepsWhatItIsGivenWithANormalisedTarget) {
  NewSuppression s;
  s.kind = SuppressionKind::kPort;
  s.value = "tcp/8080";
  s.target.kind = RecipeTarget::Kind::kHosts;
  s.target.host_ids = {host_, host_};
  s.target.label = "ignored";
  s.reason = "the build cache";
  s.expires_at = 5000;
  s.created_by = {"token", "4", "ci"};
  s.created_at = 1000;
  auto created = MustWrite([&](StoreWriter& w) { return w.suppressions().Create(s); });
  ASSERT_TRUE(created.ok());
  auto got = store().suppressions().Get(created->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->kind, SuppressionKind::kPort);
  EXPECT_EQ((*got)->value, "tcp/8080");
  EXPECT_EQ((*got)->target.host_ids, std::vector<int64_t>{host_});
  EXPECT_EQ((*got)->target.label, "");
  EXPECT_EQ((*got)->expires_at, std::optional<EpochMs>(5000));
  EXPECT_EQ((*got)->created_by.type, "token");
  EXPECT_EQ((*got)->created_by.name, "ci");
  EXPECT_EQ((*got)->dismissed, 0);
}

TEST_F(SuppressionStoreTest, RefusesAnEmptyReasonOrALabelTargetWithoutALabel) {
  NewSuppression s;
  s.value = "HOST-VULN";
  auto no_reason = store().Write([&](StoreWriter& w) { return w.suppressions().Create(s); }).Wait();
  EXPECT_EQ(no_reason.status().code(), StatusCode::kInvalidArgument);
  s.reason = "why";
  s.target.kind = RecipeTarget::Kind::kLabel;
  auto no_label = store().Write([&](StoreWriter& w) { return w.suppressions().Create(s); }).Wait();
  EXPECT_EQ(no_label.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SuppressionStoreTest, UpdateChangesTheReasonAndSetsOrRemovesTheExpiry) {
  Suppression s = Create(SuppressionKind::kCve, "CVE-2024-1234", 9000);
  SuppressionChange c;
  c.reason = "vendor says not reachable";
  c.expires_at = std::optional<EpochMs>();
  c.updated_at = 2000;
  auto updated = MustWrite([&](StoreWriter& w) { return w.suppressions().Update(s.id, c); });
  ASSERT_TRUE(updated.ok() && updated->has_value());
  EXPECT_EQ((*updated)->reason, "vendor says not reachable");
  EXPECT_FALSE((*updated)->expires_at.has_value());
  EXPECT_EQ((*updated)->updated_at, 2000);
  auto missing = MustWrite([&](StoreWriter& w) { return w.suppressions().Update(999, c); });
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(SuppressionStoreTest, ActiveLeavesOutTheExpired) {
  Suppression forever = Create(SuppressionKind::kRule, "HOST-VULN");
  Suppression later = Create(SuppressionKind::kRule, "HOST-OPEN-PORTS", 5000);
  Create(SuppressionKind::kPort, "8080", 3000);
  auto active = store().suppressions().Active(3000);
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 2u);
  EXPECT_EQ((*active)[0].id, forever.id);
  EXPECT_EQ((*active)[1].id, later.id);
  EXPECT_TRUE((*active)[1].ActiveAt(4999));
  EXPECT_FALSE((*active)[1].ActiveAt(5000));
}

TEST_F(SuppressionStoreTest, HoldsCountOnlyWhileTheProblemKeepsTheHoldsComment) {
  Suppression s = Create(SuppressionKind::kRule, "HOST-OPEN-PORTS");
  FleetProblem held = Problem("a", ProblemStatus::kDismissed, "suppressed (#1): why");
  FleetProblem redismissed = Problem("b", ProblemStatus::kDismissed, "a person's own reason");
  FleetProblem reopened = Problem("c", ProblemStatus::kOpen);
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) -> Status {
                RETURN_IF_ERROR(w.suppressions().Hold(held.id, {s.id}, "suppressed (#1): why"));
                RETURN_IF_ERROR(
                    w.suppressions().Hold(redismissed.id, {s.id}, "suppressed (#1): why"));
                return w.suppressions().Hold(reopened.id, {s.id}, "suppressed (#1): why");
              }).ok());
  auto held_ids = MustWrite([&](StoreWriter& w) { return w.suppressions().HeldProblems(s.id); });
  ASSERT_TRUE(held_ids.ok());
  EXPECT_EQ(*held_ids, std::vector<int64_t>{held.id});
  EXPECT_EQ(store().suppressions().Get(s.id).value()->dismissed, 1);

  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.suppressions().Release(held.id); }).ok());
  EXPECT_EQ(store().suppressions().Get(s.id).value()->dismissed, 0);
}

TEST_F(SuppressionStoreTest, DeleteTakesItsHoldsAlong) {
  Suppression s = Create(SuppressionKind::kRule, "HOST-OPEN-PORTS");
  FleetProblem p = Problem("a", ProblemStatus::kDismissed, "c");
  ASSERT_TRUE(
      MustWrite([&](StoreWriter& w) { return w.suppressions().Hold(p.id, {s.id}, "c"); }).ok());
  auto deleted = MustWrite([&](StoreWriter& w) { return w.suppressions().Delete(s.id); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  auto again = MustWrite([&](StoreWriter& w) { return w.suppressions().Delete(s.id); });
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_FALSE(store().suppressions().Get(s.id).value().has_value());
}

TEST_F(SuppressionStoreTest, ListsNewestFirstAndFiltersByKind) {
  Create(SuppressionKind::kRule, "HOST-VULN", std::nullopt, 1000);
  Create(SuppressionKind::kCve, "CVE-2024-0001", std::nullopt, 2000);
  Create(SuppressionKind::kCve, "CVE-2024-0002", std::nullopt, 3000);
  ListQuery all;
  auto page = store().suppressions().List(all);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].value, "CVE-2024-0002");
  EXPECT_EQ(page->total, 3);
  ListQuery cves;
  cves.filters.push_back({"kind", FilterOp::kEq, std::string("cve")});
  cves.limit = 1;
  auto first = store().suppressions().List(cves);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->total, 2);
  ASSERT_TRUE(first->next_cursor.has_value());
  cves.cursor = *first->next_cursor;
  auto second = store().suppressions().List(cves);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].value, "CVE-2024-0001");
}

}  // namespace
}  // namespace warden::store
