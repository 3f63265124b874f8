#include "cloud/builtin_catalog.h"

#include <gtest/gtest.h>

#include <set>

#include "cloud/cloud_test_util.h"

namespace warden {
namespace {

TEST(BuiltinCatalogTest, LoadsAtLeastTwentyRulesWithRiskLevels) {
  auto rules = LoadBuiltinCatalog();
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  EXPECT_GE(rules->size(), 20u);
  std::set<std::string> ids;
  for (const Rule& r : *rules) {
    EXPECT_TRUE(ids.insert(r.id).second) << r.id;
    EXPECT_FALSE(r.title.empty()) << r.id;
    EXPECT_FALSE(r.remediation.empty()) << r.id;
    EXPECT_EQ(r.format, RuleFormat::kBuiltin);
  }
  auto find = [&](const std::string& id) -> const Rule& {
    for (const Rule& r : *rules)
      if (r.id == id) return r;
    ADD_FAILURE() << "missing " << id;
    return rules->front();
  };
  EXPECT_EQ(find("AWS-ROOT-CONSOLE-LOGIN").risk_level, RiskLevel::kVeryHigh);
  EXPECT_EQ(find("AWS-CONSOLE-LOGIN-NO-MFA").risk_level, RiskLevel::kHigh);
  EXPECT_EQ(find("AWS-CLOUDTRAIL-STOPPED").risk_level, RiskLevel::kVeryHigh);
  EXPECT_EQ(find("AWS-ORGANIZATION-LEFT").risk_level, RiskLevel::kExtreme);
  // Rules that need values from the user ship disabled.
  EXPECT_FALSE(find("RTM-011").enabled);
  EXPECT_FALSE(find("IAM-055").enabled);
}

TEST(BuiltinCatalogTest, FiresOnTheAttackSimulationsTechniques) {
  auto rules = LoadBuiltinCatalog();
  ASSERT_TRUE(rules.ok());
  testing::ScanOutput out = testing::ScanPaths(*rules, {testing::SamplesDir()});
  std::map<std::string, int> fired;
  for (const Finding& f : out.findings) ++fired[f.rule_id];
  // Stratus Red Team techniques present in the dataset, each with the rule
  // that must catch it.
  for (const char* id : {"AWS-CONSOLE-LOGIN-NO-MFA",
                         "AWS-CLOUDTRAIL-STOPPED",
                         "AWS-CLOUDTRAIL-DELETED",
                         "AWS-CLOUDTRAIL-SELECTORS-CHANGED",
                         "AWS-ORGANIZATION-LEFT",
                         "AWS-SECURITY-GROUP-OPEN-TO-WORLD",
                         "AWS-EBS-SNAPSHOT-SHARED",
                         "AWS-AMI-SHARED",
                         "AWS-RDS-SNAPSHOT-SHARED",
                         "AWS-IAM-ACCESS-KEY-FOR-OTHER-USER",
                         "AWS-IAM-LOGIN-PROFILE-CHANGED",
                         "AWS-IAM-ADMIN-POLICY-ATTACHED",
                         "AWS-IAM-ROLE-TRUST-CHANGED",
                         "AWS-IAM-USER-CREATED",
                         "AWS-ROLESANYWHERE-TRUST-ANCHOR",
                         "AWS-SECRETS-BULK-READ",
                         "AWS-SSM-PARAMETERS-BULK-READ",
                         "AWS-EC2-PASSWORD-DATA-BULK-READ",
                         "AWS-EC2-USER-DATA-READ",
                         "AWS-VPC-FLOW-LOGS-DELETED",
                         "AWS-S3-BUCKET-POLICY-CROSS-ACCOUNT",
                         "AWS-S3-SHORT-LIFECYCLE-EXPIRATION",
                         "AWS-LAMBDA-PUBLIC-PERMISSION",
                         "AWS-SSM-SEND-COMMAND"}) {
    EXPECT_GT(fired[id], 0) << id << " did not fire";
  }
  // Counts a reader can check with jq: 3 StopLogging, 3 DeleteTrail, 1 LeaveOrganization.
  EXPECT_EQ(fired["AWS-CLOUDTRAIL-STOPPED"], 3);
  EXPECT_EQ(fired["AWS-CLOUDTRAIL-DELETED"], 3);
  EXPECT_EQ(fired["AWS-ORGANIZATION-LEFT"], 1);
  // The snapshot add is shared, the later remove is not.
  EXPECT_EQ(fired["AWS-EBS-SNAPSHOT-SHARED"], 1);
  // 60 GetSecretValue by one user over ten minutes: thresholds fire, not 60 findings.
  EXPECT_GE(fired["AWS-SECRETS-BULK-READ"], 1);
  EXPECT_LE(fired["AWS-SECRETS-BULK-READ"], 6);
  // Nothing from the disabled rules.
  EXPECT_EQ(fired.count("RTM-011"), 0u);
  EXPECT_EQ(fired.count("IAM-055"), 0u);
  EXPECT_EQ(out.stats.events, 2900u);
}

}  // namespace
}  // namespace warden
