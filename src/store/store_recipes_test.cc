// Recipes, their attachments and host overrides: revisions, names, delete
// refused while attached, targets kept normalised, lists, and overrides
// that go with their host.
#include <gtest/gtest.h>

#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class RecipeStoreTest : public StoreTest {
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

  Recipe Create(const std::string& name, const std::string& rules = "{}") {
    NewRecipe r;
    r.name = name;
    r.rules_json = rules;
    r.created_at = 1000;
    return MustWrite([&](StoreWriter& w) { return w.recipes().Create(r); }).value().value();
  }

  RecipeAttachment Attach(int64_t recipe_id, RecipeTarget target, int64_t priority = 0) {
    NewRecipeAttachment a;
    a.recipe_id = recipe_id;
    a.target = std::move(target);
    a.priority = priority;
    a.created_at = 2000;
    return MustWrite([&](StoreWriter& w) { return w.recipes().CreateAttachment(a); })
        .value()
        .value();
  }

  int64_t secret_ = 0;
};

TEST_F(RecipeStoreTest, CreateKeepsRulesAndStartsAtRevisionOne) {
  Recipe r = Create("prod", R"({"HOST-VULN":{"settings":{"min_severity":"high"}}})");
  EXPECT_GT(r.id, 0);
  EXPECT_EQ(r.revision, 1);
  EXPECT_EQ(r.attachments, 0);
  EXPECT_EQ(r.rules_json, R"({"HOST-VULN":{"settings":{"min_severity":"high"}}})");
  auto again = MustWrite([&](StoreWriter& w) {
    NewRecipe dup;
    dup.name = "prod";
    return w.recipes().Create(dup);
  });
  EXPECT_FALSE(again->has_value()) << "names are unique";
}

TEST_F(RecipeStoreTest, UpdateMovesTheRevisionAndRefusesAStaleOne) {
  Recipe r = Create("prod");
  RecipeChange change;
  change.rules_json = R"({"HOST-OPEN-PORTS":{"enabled":false}})";
  change.expected_revision = 1;
  change.updated_at = 3000;
  auto first = MustWrite([&](StoreWriter& w) { return w.recipes().Update(r.id, change); });
  ASSERT_TRUE(first->recipe);
  EXPECT_EQ(first->recipe->revision, 2);
  EXPECT_EQ(first->recipe->updated_at, 3000);
  // A second writer that also started from revision 1 loses.
  change.rules_json = "{}";
  auto second = MustWrite([&](StoreWriter& w) { return w.recipes().Update(r.id, change); });
  EXPECT_TRUE(second->revision_conflict);
  EXPECT_FALSE(second->recipe);
  EXPECT_EQ(store().recipes().Get(r.id).value()->rules_json,
            R"({"HOST-OPEN-PORTS":{"enabled":false}})");
}

TEST_F(RecipeStoreTest, RefusesRulesThatAreNotAJsonObject) {
  NewRecipe bad;
  bad.name = "bad";
  bad.rules_json = "[1]";
  auto refused = store().Write([&](StoreWriter& w) { return w.recipes().Create(bad); }).Wait();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RecipeStoreTest, DeleteIsRefusedWhileAttached) {
  Recipe r = Create("prod");
  RecipeAttachment a = Attach(r.id, {RecipeTarget::Kind::kLabel, "env=prod", {}});
  EXPECT_EQ(store().recipes().Get(r.id).value()->attachments, 1);
  auto refused = MustWrite([&](StoreWriter& w) { return w.recipes().Delete(r.id); });
  EXPECT_EQ(*refused, RecipeDeletion::kAttached);
  EXPECT_TRUE(
      MustWrite([&](StoreWriter& w) { return w.recipes().DeleteAttachment(a.id); }).value());
  auto deleted = MustWrite([&](StoreWriter& w) { return w.recipes().Delete(r.id); });
  EXPECT_EQ(*deleted, RecipeDeletion::kDeleted);
  EXPECT_FALSE(store().recipes().Get(r.id).value().has_value());
}

TEST_F(RecipeStoreTest, AttachmentTargetsAreNormalisedAndChecked) {
  Recipe r = Create("prod");
  RecipeAttachment a = Attach(r.id, {RecipeTarget::Kind::kHosts, "ignored", {7, 3, 7}}, 5);
  EXPECT_EQ(a.recipe_name, "prod");
  EXPECT_EQ(a.target.kind, RecipeTarget::Kind::kHosts);
  EXPECT_EQ(a.target.host_ids, (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(a.target.label, "");
  EXPECT_EQ(a.priority, 5);
  NewRecipeAttachment empty;
  empty.recipe_id = r.id;
  empty.target.kind = RecipeTarget::Kind::kLabel;
  auto refused =
      store().Write([&](StoreWriter& w) { return w.recipes().CreateAttachment(empty); }).Wait();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("target.label"), std::string::npos);
  NewRecipeAttachment orphan;
  orphan.recipe_id = r.id + 100;
  auto none = MustWrite([&](StoreWriter& w) { return w.recipes().CreateAttachment(orphan); });
  EXPECT_FALSE(none->has_value());

  RecipeAttachmentChange change;
  change.target = RecipeTarget{RecipeTarget::Kind::kAll, "", {1}};
  change.overrides_json = R"({"HOST-VULN":{"enabled":false}})";
  auto updated =
      MustWrite([&](StoreWriter& w) { return w.recipes().UpdateAttachment(a.id, change); });
  ASSERT_TRUE(updated->has_value());
  EXPECT_EQ((*updated)->target.kind, RecipeTarget::Kind::kAll);
  EXPECT_TRUE((*updated)->target.host_ids.empty());
  EXPECT_EQ((*updated)->overrides_json, R"({"HOST-VULN":{"enabled":false}})");
  auto all = store().recipes().AllAttachments();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
}

TEST_F(RecipeStoreTest, ListsPageSortAndFilterAttachmentsByRecipe) {
  for (const char* name : {"c", "a", "b"}) Create(name);
  ListQuery q;
  q.limit = 2;
  auto page = store().recipes().List(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].name, "a");
  EXPECT_EQ(page->total, 3);
  ASSERT_TRUE(page->next_cursor);
  q.cursor = *page->next_cursor;
  auto rest = store().recipes().List(q);
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].name, "c");

  const int64_t a = rest->items[0].id;
  Attach(a, {RecipeTarget::Kind::kAll, "", {}});
  Attach(a, {RecipeTarget::Kind::kLabel, "env=prod", {}});
  Attach(page->items[0].id, {RecipeTarget::Kind::kAll, "", {}});
  ListQuery attachments;
  attachments.filters.push_back({"recipe_id", FilterOp::kEq, Value(a)});
  auto listed = store().recipes().ListAttachments(attachments);
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  EXPECT_EQ(listed->total, 2);
  int64_t exported = 0;
  ASSERT_TRUE(store()
                  .recipes()
                  .ExportAttachments(attachments,
                                     [&](const RecipeAttachment&) {
                                       ++exported;
                                       return Status::Ok();
                                     })
                  .ok());
  EXPECT_EQ(exported, 2);
}

TEST_F(RecipeStoreTest, HostOverrideIsReplacedRemovedAndGoesWithItsHost) {
  const int64_t host = Enrol("web-1");
  auto none = store().recipes().HostOverride(host);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->rules_json, "{}");
  EXPECT_FALSE(none->updated_at);
  auto set = MustWrite([&](StoreWriter& w) {
    return w.recipes().SetHostOverride(host, R"({"HOST-VULN":{"enabled":false}})", 5000);
  });
  EXPECT_EQ(set->updated_at, 5000);
  EXPECT_EQ(store().recipes().HostOverride(host)->rules_json, R"({"HOST-VULN":{"enabled":false}})");
  auto cleared =
      MustWrite([&](StoreWriter& w) { return w.recipes().SetHostOverride(host, "{}", 6000); });
  EXPECT_FALSE(cleared->updated_at);
  auto unknown =
      store()
          .Write([&](StoreWriter& w) { return w.recipes().SetHostOverride(host + 50, "{}", 1); })
          .Wait();
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                return w.recipes().SetHostOverride(host, R"({"HOST-VULN":{"enabled":false}})",
                                                   7000);
              }).ok());
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.hosts().Delete(host); }).ok());
  EXPECT_FALSE(store().recipes().HostOverride(host)->updated_at);
}

}  // namespace
}  // namespace warden::store
