#include "rules/rule_linter.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace warden {
namespace {

std::string All(const LintReport& r) {
  std::string s;
  for (const auto& d : r.diagnostics) s += d.ToString() + "\n";
  return s;
}

TEST(RuleLinterTest, WarnsAboutGlobStarRegexesAndFloodRows) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("r.yaml", R"(- id: RTM-011
  risk_level: very_high
  patterns:
    - {eventName: '^Create*|^Delete*', eventSource: '.*'}
    - {eventName: '.*', eventSource: '.*', userIdentityType: '.*'}
)");
  LintReport r = LintRulePath(path);
  EXPECT_EQ(r.errors(), 0u) << All(r);
  std::string all = All(r);
  EXPECT_NE(all.find(":4:19: warning: rule RTM-011: patterns[0].eventName: 'Create*', 'Delete*' "
                     "repeat only the last letter"),
            std::string::npos)
      << all;
  EXPECT_EQ(r.warnings(), 2u) << "one warning names every starred word: " << all;
  EXPECT_NE(all.find(":5:7: warning: rule RTM-011: patterns[1]: every column matches everything"),
            std::string::npos)
      << all;
}

TEST(RuleLinterTest, EachRuleIsCheckedAgainstTheSourceThatKnowsItsFields) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("r.yaml", R"(- id: HOST
  risk_level: low
  match: {event: exec, process.nmae: sh}
- id: CLOUD
  risk_level: low
  match: {eventName: X, eventname: Y}
)");
  const FieldVocabulary host{"host event",
                             [](std::string_view p) { return p == "event" || p == "process.name"; },
                             {"event", "process.name"}};
  const FieldVocabulary* sources[] = {&CloudTrailFields(), &host};
  std::string all = All(LintRulePath(path, sources));
  EXPECT_NE(all.find("rule HOST: field 'process.nmae' is not a host event field; did you mean "
                     "'process.name'?"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("rule HOST: field 'event'"), std::string::npos) << all;
  EXPECT_NE(all.find("rule CLOUD: field 'eventname' is not a CloudTrail field"), std::string::npos)
      << all;
}

TEST(RuleLinterTest, FindsStarredWordsInsideGroupsToo) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("r.yaml", R"(- id: A
  risk_level: low
  match: {eventName: {regex: '^(Put*|Get*|ListBuckets)$'}}
)");
  std::string all = All(LintRulePath(path));
  EXPECT_NE(all.find("rule A: eventName: 'Put*', 'Get*' repeat only the last letter"),
            std::string::npos)
      << all;
}

TEST(RuleLinterTest, ReportsRegexErrorsWithLineAndColumnAndKeepsGoing) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("r.yaml", R"(- id: A
  risk_level: low
  match: {eventName: {regex: 'a(b'}}
- id: B
  risk_level: low
  match: {eventname: X}
- id: C
  risk_level: low
  match: {eventName: {regex: '(x+)+y'}}
)");
  LintReport r = LintRulePath(path);
  std::string all = All(r);
  EXPECT_EQ(r.errors(), 1u) << all;
  EXPECT_NE(all.find("r.yaml:3:34: rule A: match.eventName.regex: regex error at offset 3"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("rule B: field 'eventname' is not a CloudTrail field; did you "
                     "mean 'eventName'?"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("rule C: eventName: nested quantifier"), std::string::npos) << all;
}

TEST(RuleLinterTest, EnabledRulesThatCannotFire) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("r.yaml", R"(- id: P
  risk_level: low
  patterns: []
- id: K
  risk_level: low
  canary: {users: []}
- id: OFF
  risk_level: low
  enabled: false
  patterns: []
)");
  LintReport r = LintRulePath(path);
  std::string all = All(r);
  EXPECT_NE(all.find("rule P: enabled but has no pattern rows"), std::string::npos) << all;
  EXPECT_NE(all.find("rule K: enabled canary rule with no users"), std::string::npos) << all;
  EXPECT_EQ(all.find("rule OFF"), std::string::npos) << all;
}

}  // namespace
}  // namespace warden

namespace warden {
namespace {

TEST(RuleLinterTest, OciRulesAreCheckedAgainstOciFieldsAndSigmaRulesSayMissingMatchesNothing) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("oci.yaml", R"(- id: OCI-X
  provider: oci
  risk_level: low
  match:
    data.identity.principalName: alice
    type: com.oraclecloud.ComputeApi.GetInstance
    eventName: GetInstance
---
title: S
id: s-1
logsource: {product: aws, service: cloudtrail}
level: low
detection:
  selection: {userIdentty.type: Root}
  condition: selection
)");
  LintReport r = LintRulePath(path);
  EXPECT_EQ(r.errors(), 0u) << All(r);
  std::string all = All(r);
  EXPECT_EQ(all.find("principalName"), std::string::npos) << all;
  EXPECT_EQ(all.find("'type'"), std::string::npos) << all;
  EXPECT_NE(all.find("field 'eventName' is not an OCI Audit field"), std::string::npos) << all;
  EXPECT_NE(all.find("field 'userIdentty.type' is not a CloudTrail field; did you mean "
                     "'userIdentity'? (a missing field matches no value)"),
            std::string::npos)
      << all;
}

}  // namespace
}  // namespace warden
