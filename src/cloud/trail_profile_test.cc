#include "cloud/trail_profile.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

TEST(TrailProfileTest, SuppressionWithoutCommentIsRejectedWithLocation) {
  auto p =
      TrailProfile::Parse("suppressions:\n  - rule: AWS-AMI-SHARED\n    account: '1'\n", "p.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("p.yaml:2:5: suppressions[0]: 'comment' is required"),
            std::string::npos)
      << p.status().message();
}

TEST(TrailProfileTest, UnknownSettingSuggests) {
  auto p = TrailProfile::Parse("organisation:\n  rules:\n    RTM-011: {enable: true}\n", "p.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find(
                "rule RTM-011: unknown rule setting 'enable'; did you mean 'enabled'?"),
            std::string::npos)
      << p.status().message();
}

TEST(TrailProfileTest, ResolveAppliesAccountOverOrganisationOverDefault) {
  auto p = TrailProfile::Parse(R"(
organisation:
  rules:
    R: {enabled: true, risk_level: high, canary: {users: [org-canary]}}
accounts:
  "42":
    rules:
      R: {risk_level: low}
)",
                               "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  Rule base;
  base.id = "R";
  base.enabled = false;
  base.risk_level = RiskLevel::kMedium;
  auto org = p->Resolve({base}, "");
  EXPECT_TRUE(org[0].enabled);
  EXPECT_EQ(org[0].risk_level, RiskLevel::kHigh);
  ASSERT_TRUE(org[0].canary.has_value());
  EXPECT_EQ(org[0].canary->users, std::vector<std::string>{"org-canary"});
  auto acct = p->Resolve({base}, "42");
  EXPECT_TRUE(acct[0].enabled);                    // from the organisation
  EXPECT_EQ(acct[0].risk_level, RiskLevel::kLow);  // the account wins
  EXPECT_EQ(p->AccountsWithOverrides(), std::vector<std::string>{"42"});
  EXPECT_EQ(p->UnknownRuleIds({base}).size(), 0u);
  Rule other;
  other.id = "OTHER";
  EXPECT_EQ(p->UnknownRuleIds({other}), std::vector<std::string>{"R"});
}

TEST(TrailProfileTest, SuppressionMatchingAndExpiry) {
  auto p = TrailProfile::Parse(R"(
suppressions:
  - {rule: 'AWS-S3-*', account: '1', comment: ok, expires: 2030-01-01}
  - {rule: X, resource: 'arn:aws:ec2:*:sg-1*', comment: ok}
  - {rule: Y, comment: old, expires: '2020-01-01T00:00:00Z'}
)",
                               "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  const int64_t now = 1700000000;
  EXPECT_NE(p->FindSuppression("AWS-S3-BUCKET-POLICY-PUBLIC", "1", "r", "a", now), nullptr);
  EXPECT_EQ(p->FindSuppression("AWS-S3-BUCKET-POLICY-PUBLIC", "2", "r", "a", now), nullptr);
  EXPECT_NE(p->FindSuppression("X", "2", "arn:aws:ec2:us-east-1:sg-123", "a", now), nullptr);
  EXPECT_EQ(p->FindSuppression("X", "2", "arn:aws:ec2:us-east-1:sg-9", "a", now), nullptr);
  EXPECT_EQ(p->FindSuppression("Y", "2", "r", "a", now), nullptr);  // expired
  EXPECT_EQ(p->Expired(now).size(), 1u);
  // A date expiry lasts to the end of that day (UTC).
  EXPECT_NE(p->FindSuppression("AWS-S3-X", "1", "r", "a", 1893455999),
            nullptr);  // 2029-12-31T23:59:59Z
}

TEST(TrailProfileTest, YamlBombsAreRefusedWithTheirPositionAndLimit) {
  auto comma = TrailProfile::Parse("[][],", "p.yaml");
  ASSERT_FALSE(comma.ok());
  EXPECT_EQ(comma.status().message(),
            "p.yaml:1:5: invalid YAML: unexpected ',' after a complete node");
  std::string bomb = "x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n";
  for (int i = 1; i < 7; ++i) {
    bomb += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", *x" : "*x") + std::to_string(i - 1);
    bomb += "]\n";
  }
  auto aliases = TrailProfile::Parse(bomb, "p.yaml");
  ASSERT_FALSE(aliases.ok());
  EXPECT_NE(aliases.status().message().find("p.yaml:6:"), std::string::npos)
      << aliases.status().message();
  EXPECT_NE(aliases.status().message().find("(limit 200000)"), std::string::npos);
}

TEST(TrailProfileTest, AccountsWithTheirOwnRuleSettingsAreLimited) {
  // Each such account compiles a rule set of its own when the scan starts.
  auto profile_for = [](size_t accounts) {
    std::string y = "accounts:\n";
    for (size_t i = 0; i < accounts; ++i)
      y += "  \"" + std::to_string(100000000000 + i) + "\": {rules: {R: {enabled: false}}}\n";
    return y;
  };
  auto at_limit = TrailProfile::Parse(profile_for(kMaxAccountsWithRuleOverrides), "p.yaml");
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().message();
  EXPECT_EQ(at_limit->AccountsWithOverrides().size(), kMaxAccountsWithRuleOverrides);
  auto over = TrailProfile::Parse(profile_for(kMaxAccountsWithRuleOverrides + 1), "p.yaml");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message(),
            "p.yaml:1002:3: accounts: more than 1000 accounts with their own rule settings (limit "
            "1000; settings shared by many accounts belong under organisation)");
}

}  // namespace
}  // namespace warden
