#include "cloud/rule_configuration.h"

#include <gtest/gtest.h>

#include "cloud/builtin_catalog.h"

namespace warden {
namespace {

std::vector<std::string> NeedingConfiguration(const std::vector<RuleConfigurationState>& states) {
  std::vector<std::string> ids;
  for (const RuleConfigurationState& s : states)
    if (s.needs_configuration()) ids.push_back(s.rule_id);
  return ids;
}

TEST(RuleConfigurationTest, CatalogRulesWithoutValuesNeedConfiguration) {
  auto catalog = LoadBuiltinCatalog();
  ASSERT_TRUE(catalog.ok());
  auto states = DescribeRuleConfiguration(*catalog, nullptr, "");
  ASSERT_EQ(states.size(), catalog->size());
  EXPECT_EQ(NeedingConfiguration(states),
            (std::vector<std::string>{"RTM-011", "IAM-055", "OCI-IAM-CANARY-PRINCIPAL"}));
  for (const RuleConfigurationState& s : states) {
    if (s.rule_id != "OCI-IAM-CANARY-PRINCIPAL") continue;
    EXPECT_EQ(s.provider, EventProvider::kOci);
    EXPECT_FALSE(s.enabled);
    EXPECT_EQ(s.needs, std::vector<std::string>{"canary principals"});
  }
  const std::string summary = ConfigurationSummary(states);
  EXPECT_EQ(summary.rfind("3 of " + std::to_string(states.size()) +
                              " rules need configuration: RTM-011 (pattern rows), IAM-055 (canary "
                              "users or access keys), OCI-IAM-CANARY-PRINCIPAL (canary principals)",
                          0),
            0u)
      << summary;
}

TEST(RuleConfigurationTest, ProfileValuesResolvePerAccount) {
  auto catalog = LoadBuiltinCatalog();
  ASSERT_TRUE(catalog.ok());
  auto profile = TrailProfile::Parse(R"(
organisation:
  rules:
    RTM-011:
      enabled: true
      patterns: [{eventName: '^Delete'}]
    IAM-055:
      enabled: true
      canary: {users: [canary-user]}
    OCI-IAM-CANARY-PRINCIPAL:
      canary: {users: [canary-svc]}
accounts:
  "123456789012":
    rules:
      RTM-011: {patterns: []}
)",
                                     "acme.yaml");
  ASSERT_TRUE(profile.ok()) << profile.status().message();
  auto org = DescribeRuleConfiguration(*catalog, &*profile, "");
  EXPECT_TRUE(NeedingConfiguration(org).empty());
  EXPECT_EQ(ConfigurationSummary(org),
            "no rule needs configuration (" + std::to_string(org.size()) + " rules)");
  // Values alone do not enable a rule: the state says so.
  for (const RuleConfigurationState& s : org) {
    if (s.rule_id == "OCI-IAM-CANARY-PRINCIPAL") {
      EXPECT_FALSE(s.enabled);
    }
  }
  auto account = DescribeRuleConfiguration(*catalog, &*profile, "123456789012");
  EXPECT_EQ(NeedingConfiguration(account), std::vector<std::string>{"RTM-011"});
}

TEST(RuleConfigurationTest, EnabledRuleWithValuesNeedsNothing) {
  Rule r;
  r.id = "X";
  EXPECT_TRUE(MissingConfiguration(r).empty());
  r.has_patterns = true;
  EXPECT_EQ(MissingConfiguration(r), std::vector<std::string>{"pattern rows"});
  r.patterns.push_back(PatternRow{});
  EXPECT_TRUE(MissingConfiguration(r).empty());
  r.canary = CanarySpec{};
  EXPECT_EQ(MissingConfiguration(r), std::vector<std::string>{"canary users or access keys"});
  r.canary->access_keys.push_back("AKIAIOSFODNN7EXAMPLE");
  EXPECT_TRUE(MissingConfiguration(r).empty());
}

}  // namespace
}  // namespace warden
