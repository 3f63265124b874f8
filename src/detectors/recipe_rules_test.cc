// The one reader of recipe rules: errors that name the member at fault as a
// JSON pointer, YAML documents in the agent's recipe shape, and the JSON and
// YAML conversions they travel through.
#include "detectors/recipe_rules.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

TEST(RecipeRulesTest, ErrorsBecomeTheJsonPointerOfTheMemberAtFault) {
  Status st = CheckRecipeRulesJson(
      Json::parse(R"({"HOST-VULN": {"settings": {"min_severity": "dreadful"}}})"), "recipe");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(RecipeErrorPointer(st.message(), "recipe"), "/rules/HOST-VULN/settings/min_severity");
  EXPECT_NE(RecipeErrorReason(st.message(), "recipe").find("dreadful"), std::string::npos);
  EXPECT_EQ(
      RecipeErrorPointer("recipe.yaml:3:7: rules.X.settings.allowed_tcp[2]: bad", "recipe.yaml"),
      "/rules/X/settings/allowed_tcp/2");
  EXPECT_EQ(RecipeErrorPointer("recipe.yaml: YAML syntax error: x", "recipe.yaml"), "");
  EXPECT_TRUE(
      CheckRecipeRulesJson(Json::parse(R"({"HOST-OPEN-PORTS": {"enabled": false}})"), "recipe")
          .ok());
}

TEST(RecipeRulesTest, ADocumentIsTheAgentsRecipeSectionOrHoldsIt) {
  auto plain = ParseRecipeDocument(
      "name: prod\ndescription: web\nrules:\n  HOST-OPEN-PORTS:\n"
      "    settings: {allowed_tcp: [22, \"80-90\"], loopback: ignore}\n",
      "r.yaml");
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(plain->name, "prod");
  EXPECT_EQ(plain->description, "web");
  EXPECT_EQ(plain->rules["HOST-OPEN-PORTS"]["settings"]["allowed_tcp"],
            Json::parse(R"([22, "80-90"])"));
  auto wrapped = ParseRecipeDocument("recipe:\n  name: prod\n  rules: {}\n", "r.yaml");
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().message();
  EXPECT_TRUE(wrapped->rules.empty());

  auto unnamed = ParseRecipeDocument("rules: {}\n", "r.yaml");
  ASSERT_FALSE(unnamed.ok());
  EXPECT_EQ(RecipeErrorPointer(unnamed.status().message(), "r.yaml"), "/name");
  auto unknown = ParseRecipeDocument("name: x\nrule: {}\n", "r.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("did you mean 'rules'"), std::string::npos);
  auto twice = ParseRecipeDocument(
      "name: x\nrules:\n  HOST-VULN: {enabled: true, enabled: false}\n", "r.yaml");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(RecipeErrorPointer(twice.status().message(), "r.yaml"), "/rules/HOST-VULN/enabled");
  EXPECT_FALSE(ParseRecipeDocument("name: \xff\n", "r.yaml").ok());
}

TEST(RecipeRulesTest, JsonAndYamlRoundTrip) {
  const Json doc = Json::parse(
      R"({"name": "prod", "rules": {"HOST-VULN": {"enabled": false, "risk_level": "high",
          "settings": {"min_severity": "high", "include_unfixed": true}},
          "HOST-OPEN-PORTS": {"schedule": "5m", "settings": {"allowed_tcp": [22, "443"]}}}})");
  auto back = ParseRecipeDocument(JsonToYamlText(doc), "r.yaml");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << JsonToYamlText(doc);
  EXPECT_EQ(back->rules, doc["rules"]) << "a string that reads as a number stays a string";
}

}  // namespace
}  // namespace warden
