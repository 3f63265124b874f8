#include "cloud/cloud_rule_settings.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

const Rule* Find(const std::vector<Rule>& rules, const std::string& id) {
  for (const Rule& r : rules)
    if (r.id == id) return &r;
  return nullptr;
}

const EffectiveCloudRule* Find(const std::vector<EffectiveCloudRule>& rules,
                               const std::string& id) {
  for (const EffectiveCloudRule& r : rules)
    if (r.rule_id == id) return &r;
  return nullptr;
}

TEST(CloudRuleSettingsTest, CatalogLoadsWithTheRulesThatNeedValues) {
  ASSERT_NE(Find(CloudRuleCatalog(), "RTM-011"), nullptr);
  ASSERT_NE(Find(CloudRuleCatalog(), "IAM-055"), nullptr);
}

TEST(CloudRuleSettingsTest, BadRegexIsRefusedNamingTheRuleRowAndCell) {
  Json rules = Json::parse(
      R"({"RTM-011": {"patterns": [{"eventName": "^Delete"}, {"eventSource": "(unclosed"}]}})");
  std::string field;
  Status s = CheckCloudRuleSettings(rules, CloudRuleCatalog(), "/rules", &field);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rules.RTM-011"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("patterns[1].eventSource"), std::string::npos) << s.message();
  EXPECT_EQ(field, "/rules/RTM-011");
}

TEST(CloudRuleSettingsTest, LookaheadRowsAreAcceptedAsWritten) {
  Json rules = Json::parse(
      R"({"RTM-011": {"enabled": true, "patterns": [{"eventName": "^Delete",
          "eventSource": "^(?!ec2).*$", "userIdentityType": "\\w+"}]}})");
  std::string field;
  EXPECT_TRUE(CheckCloudRuleSettings(rules, CloudRuleCatalog(), "/rules", &field).ok());
}

TEST(CloudRuleSettingsTest, UnknownRuleIdAndUnknownSettingAreRefused) {
  std::string field;
  Status s = CheckCloudRuleSettings(Json::parse(R"({"RTM-01": {"enabled": true}})"),
                                    CloudRuleCatalog(), "/rules", &field);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("RTM-011"), std::string::npos) << s.message();  // did you mean
  EXPECT_EQ(field, "/rules/RTM-01");
  s = CheckCloudRuleSettings(Json::parse(R"({"RTM-011": {"enable": true}})"), CloudRuleCatalog(),
                             "/rules", &field);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unknown rule setting 'enable'"), std::string::npos) << s.message();
}

TEST(CloudRuleSettingsTest, FillGapsTakesEachSettingFromTheNearestLevel) {
  Json org = Json::parse(R"({"RTM-011": {"enabled": true, "risk_level": "high",
      "patterns": [{"eventName": "^Delete"}], "exceptions": [{"sourceIPAddress": "10.0.0.1"}]}})");
  Json account = Json::parse(
      R"({"RTM-011": {"risk_level": "extreme", "exceptions": [{"userIdentity.type": "Root"}]}})");
  auto rules = EffectiveCloudRules(CloudRuleCatalog(), org, account, CloudOverrideMode::kFillGaps);
  const EffectiveCloudRule* r = Find(rules, "RTM-011");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->enabled);
  EXPECT_EQ(r->enabled_from, "organisation");
  EXPECT_EQ(r->risk_level, RiskLevel::kExtreme);
  EXPECT_EQ(r->risk_level_from, "account");
  EXPECT_EQ(r->patterns.size(), 1u);
  EXPECT_EQ(r->patterns_from, "organisation");
  ASSERT_EQ(r->exceptions.size(), 2u);
  EXPECT_EQ(r->exceptions[0].second, "organisation");
  EXPECT_EQ(r->exceptions[1].second, "account");
  EXPECT_FALSE(r->needs.has_value());
  const EffectiveCloudRule* canary = Find(rules, "IAM-055");
  ASSERT_NE(canary, nullptr);
  EXPECT_EQ(canary->needs, "canary");
  EXPECT_EQ(canary->enabled_from, "default");
}

TEST(CloudRuleSettingsTest, OverwriteIgnoresTheOrganisationForRulesTheAccountNames) {
  Json org = Json::parse(R"({"RTM-011": {"enabled": true, "patterns": [{"eventName": "^Delete"}]},
      "IAM-055": {"enabled": true, "canary": {"users": ["bait"]}}})");
  Json account = Json::parse(R"({"RTM-011": {"risk_level": "low"}})");
  auto rules = EffectiveCloudRules(CloudRuleCatalog(), org, account, CloudOverrideMode::kOverwrite);
  const EffectiveCloudRule* r = Find(rules, "RTM-011");
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->enabled);  // the catalog's default, not the organisation's
  EXPECT_EQ(r->enabled_from, "default");
  EXPECT_EQ(r->risk_level_from, "account");
  EXPECT_EQ(r->patterns_from, "default");
  EXPECT_EQ(r->needs, "patterns");
  const EffectiveCloudRule* canary = Find(rules, "IAM-055");
  ASSERT_NE(canary, nullptr);
  EXPECT_EQ(canary->canary_from, "organisation");
  EXPECT_FALSE(canary->needs.has_value());
}

TEST(CloudRuleSettingsTest, AccountProfileResolvesToTheEffectiveSettings) {
  Json org = Json::parse(R"({"RTM-011": {"enabled": true, "risk_level": "high",
      "patterns": [{"eventName": "^Delete"}, {"eventSource": "^iam\\."}]}})");
  Json account = Json::parse(R"({"RTM-011": {"risk_level": "extreme"}})");
  auto profile = BuildCloudAccountProfile("acme", org, account, CloudOverrideMode::kFillGaps);
  ASSERT_TRUE(profile.ok()) << profile.status().message();
  EXPECT_EQ(profile->organisation_name(), "acme");
  std::vector<Rule> resolved = profile->Resolve(CloudRuleCatalog(), "");
  const Rule* r = Find(resolved, "RTM-011");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->enabled);
  EXPECT_EQ(r->risk_level, RiskLevel::kExtreme);
  ASSERT_EQ(r->patterns.size(), 2u);
  EXPECT_EQ(r->patterns[1].event_source, "^iam\\.");
  auto plain = BuildCloudAccountProfile("acme", org, Json::object(), CloudOverrideMode::kFillGaps);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(Find(plain->Resolve(CloudRuleCatalog(), ""), "RTM-011")->risk_level, RiskLevel::kHigh);
}

TEST(CloudRuleSettingsTest, OverrideModeNamesRoundTrip) {
  EXPECT_EQ(ParseCloudOverrideMode("fill_gaps"), CloudOverrideMode::kFillGaps);
  EXPECT_EQ(ParseCloudOverrideMode("overwrite"), CloudOverrideMode::kOverwrite);
  EXPECT_FALSE(ParseCloudOverrideMode("merge").has_value());
  EXPECT_EQ(CloudOverrideModeName(CloudOverrideMode::kOverwrite), "overwrite");
}

}  // namespace
}  // namespace warden
