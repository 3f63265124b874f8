// How a host's recipe settings resolve: which attachment wins, and each
// setting from the host override, the attachment, the recipe or the default.
#include "server/recipe_resolution.h"

#include <gtest/gtest.h>

namespace warden::server {
namespace {

store::Host HostWith(int64_t id, std::vector<std::string> labels) {
  store::Host h;
  h.id = id;
  h.hostname = "h" + std::to_string(id);
  h.labels = std::move(labels);
  return h;
}

store::RecipeAttachment Attachment(int64_t id, int64_t recipe_id, store::RecipeTarget target,
                                   int64_t priority = 0, std::string overrides = "{}") {
  store::RecipeAttachment a;
  a.id = id;
  a.recipe_id = recipe_id;
  a.target = std::move(target);
  a.priority = priority;
  a.overrides_json = std::move(overrides);
  return a;
}

store::Recipe RecipeOf(int64_t id, std::string name, std::string rules) {
  store::Recipe r;
  r.id = id;
  r.name = std::move(name);
  r.rules_json = std::move(rules);
  return r;
}

using Kind = store::RecipeTarget::Kind;

TEST(RecipeResolutionTest, TheMostSpecificAttachmentWinsThenPriorityThenTheNewest) {
  const store::Host host = HostWith(7, {"env=prod", "team=web"});
  std::vector<store::RecipeAttachment> a = {
      Attachment(1, 1, {Kind::kAll, "", {}}, 1000),
      Attachment(2, 1, {Kind::kLabel, "env=prod", {}}),
      Attachment(3, 1, {Kind::kLabel, "team=web", {}}),
      Attachment(4, 1, {Kind::kLabel, "env=dev", {}}, 1000),
  };
  // Two matching labels at the same priority: the newest.
  EXPECT_EQ(WinningAttachment(host, a)->id, 3);
  a[1].priority = 5;
  EXPECT_EQ(WinningAttachment(host, a)->id, 2);
  a.push_back(Attachment(5, 1, {Kind::kHosts, "", {3, 7}}, -1000));
  EXPECT_EQ(WinningAttachment(host, a)->id, 5) << "named hosts beat labels whatever the priority";
  EXPECT_EQ(WinningAttachment(HostWith(8, {}), a)->id, 1);
  EXPECT_EQ(WinningAttachment(HostWith(8, {}), {}), nullptr);
}

TEST(RecipeResolutionTest, EachSettingResolvesHostThenAttachmentThenRecipe) {
  RecipeLayers layers;
  layers.recipes.emplace(1, RecipeOf(1, "prod",
                                     R"({"HOST-OPEN-PORTS":{"risk_level":"high",)"
                                     R"("settings":{"allowed_tcp":[22],"loopback":"report"}},)"
                                     R"("HOST-VULN":{"settings":{"min_severity":"high"}}})"));
  layers.attachments.push_back(
      Attachment(9, 1, {Kind::kLabel, "env=prod", {}}, 0,
                 R"({"HOST-OPEN-PORTS":{"settings":{"allowed_tcp":[22,443]}}})"));
  const Json host_override =
      Json::parse(R"({"HOST-OPEN-PORTS":{"settings":{"loopback":"ignore"}}})");
  EffectiveRecipe e = ResolveRecipe(HostWith(7, {"env=prod"}), layers, host_override);
  ASSERT_TRUE(e.recipe);
  EXPECT_EQ(e.recipe->name, "prod");
  EXPECT_EQ(e.rules["HOST-OPEN-PORTS"]["settings"],
            Json::parse(R"({"allowed_tcp":[22,443],"loopback":"ignore"})"));
  EXPECT_EQ(e.rules["HOST-OPEN-PORTS"]["risk_level"], "high");
  EXPECT_EQ(e.rules["HOST-VULN"]["settings"]["min_severity"], "high");
  std::map<std::string, std::string> sources;
  for (const ResolvedSetting& s : e.settings) sources[s.rule_id + " " + s.setting] = s.source;
  EXPECT_EQ(sources["HOST-OPEN-PORTS settings.allowed_tcp"], "attachment:9 (label env=prod)");
  EXPECT_EQ(sources["HOST-OPEN-PORTS settings.loopback"], "host override");
  EXPECT_EQ(sources["HOST-OPEN-PORTS risk_level"], "recipe:prod");
  EXPECT_EQ(sources["HOST-VULN settings.min_severity"], "recipe:prod");

  // A host no attachment matches gets its override alone.
  EffectiveRecipe other = ResolveRecipe(HostWith(8, {}), layers, host_override);
  EXPECT_FALSE(other.recipe);
  EXPECT_EQ(other.rules, Json::parse(R"({"HOST-OPEN-PORTS":{"settings":{"loopback":"ignore"}}})"));
  EXPECT_TRUE(ResolveRecipe(HostWith(8, {}), layers, Json::object()).rules.empty());
}

TEST(RecipeResolutionTest, DescribesTargets) {
  EXPECT_EQ(DescribeRecipeTarget({Kind::kAll, "", {}}), "all hosts");
  EXPECT_EQ(DescribeRecipeTarget({Kind::kLabel, "env=prod", {}}), "label env=prod");
  EXPECT_EQ(DescribeRecipeTarget({Kind::kHosts, "", {3}}), "host 3");
  EXPECT_EQ(DescribeRecipeTarget({Kind::kHosts, "", {3, 7}}), "hosts 3, 7");
}

}  // namespace
}  // namespace warden::server
