#include "rules/rule_yaml_loader.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace warden {
namespace {

std::string Errors(const RuleLoadResult& r) {
  std::string s;
  for (const auto& d : r.diagnostics) s += d.ToString() + "\n";
  return s;
}

TEST(RuleYamlLoaderTest, IssueExampleLoadsUnchanged) {
  RuleLoadResult r = LoadRulesFromText(R"(- id: RTM-011
  title: Unintended AWS API calls
  risk_level: very_high
  patterns:
    - {eventName: '.*', eventSource: 'iam.amazonaws.com', userIdentityType: 'IAMUser'}
    - {eventName: 'DeleteTrail', eventSource: 'cloudtrail.amazonaws.com', userIdentityType: '.*'}
    - {eventName: '^Create*|^Delete*|^Update*|^Stop*', eventSource: '^(?!ec2).*$', userIdentityType: '.*'}
- id: CANARY
  title: Canary access token used
  risk_level: very_high
  canary:
    users: [canary-user]
    access_keys: [AKIAIOSFODNN7EXAMPLE]
)",
                                       "rtm.yaml");
  ASSERT_FALSE(r.has_errors()) << Errors(r);
  ASSERT_EQ(r.rules.size(), 2u);
  const Rule& rtm = r.rules[0];
  EXPECT_EQ(rtm.id, "RTM-011");
  EXPECT_EQ(rtm.risk_level, RiskLevel::kVeryHigh);
  ASSERT_EQ(rtm.patterns.size(), 3u);
  EXPECT_EQ(*rtm.patterns[2].event_source, "^(?!ec2).*$");
  EXPECT_EQ(*rtm.patterns[0].user_identity_type, "IAMUser");
  EXPECT_EQ(rtm.location.line, 1);
  ASSERT_TRUE(r.rules[1].canary.has_value());
  EXPECT_EQ(r.rules[1].canary->users, std::vector<std::string>{"canary-user"});
  EXPECT_EQ(r.rules[1].canary->access_keys, std::vector<std::string>{"AKIAIOSFODNN7EXAMPLE"});
}

TEST(RuleYamlLoaderTest, RegexErrorNamesFileRuleLineAndColumn) {
  RuleLoadResult r = LoadRulesFromText(R"(- id: BAD
  risk_level: high
  patterns:
    - {eventName: 'ok', eventSource: '^(iam|sts'}
)",
                                       "bad.yaml");
  ASSERT_TRUE(r.has_errors());
  std::string m = r.FirstError().message();
  // The quote is at column 38, the pattern starts at 39, the error offset is 9.
  EXPECT_EQ(m.rfind("bad.yaml:4:48: rule BAD: patterns[0].eventSource: regex error at offset 9", 0),
            0u)
      << m;
}

TEST(RuleYamlLoaderTest, UnknownKeySuggestsTheRightOne) {
  RuleLoadResult r = LoadRulesFromText("id: X\nrisk: high\nmatch: {eventName: A}\n", "k.yaml");
  ASSERT_TRUE(r.has_errors());
  std::string all = Errors(r);
  EXPECT_NE(all.find("k.yaml:2:1: rule X: unknown key 'risk'; did you mean 'risk_level'?"),
            std::string::npos)
      << all;
}

TEST(RuleYamlLoaderTest, MissingRiskLevelAndBodyAreErrors) {
  RuleLoadResult r =
      LoadRulesFromText("- id: A\n  match: {eventName: X}\n- id: B\n  risk_level: low\n", "m.yaml");
  std::string all = Errors(r);
  EXPECT_NE(all.find("rule A: missing 'risk_level'"), std::string::npos) << all;
  EXPECT_NE(all.find("rule B: the rule needs 'match', 'patterns' or 'canary'"), std::string::npos)
      << all;
  EXPECT_TRUE(r.rules.empty());
}

TEST(RuleYamlLoaderTest, BadRuleIsSkippedOthersStillLoad) {
  RuleLoadResult r = LoadRulesFromText(
      "- id: GOOD\n  risk_level: low\n  match: {eventName: X}\n"
      "- id: BAD\n  risk_level: nope\n  match: {eventName: X}\n",
      "s.yaml");
  ASSERT_EQ(r.rules.size(), 1u);
  EXPECT_EQ(r.rules[0].id, "GOOD");
  EXPECT_NE(Errors(r).find("s.yaml:5:15: rule BAD: risk_level: unknown risk level 'nope'"),
            std::string::npos)
      << Errors(r);
}

TEST(RuleYamlLoaderTest, InvalidYamlReportsPosition) {
  RuleLoadResult r = LoadRulesFromText("- id: A\n  risk_level: [low\n", "y.yaml");
  ASSERT_TRUE(r.has_errors());
  EXPECT_EQ(r.FirstError().message().rfind("y.yaml:", 0), 0u);
  EXPECT_NE(r.FirstError().message().find("invalid YAML"), std::string::npos);
}

TEST(RuleYamlLoaderTest, StrayCommaIsAnErrorNotAMemoryBlowUp) {
  // yaml-cpp 0.7 allocates without bound on these; Warden rejects them first.
  for (const char* text :
       {",", " ,a: b", "- id: A\n,", "--- ,", "id: A\n...\n,", "[x, y], cont: 1", "'a', b"}) {
    RuleLoadResult r = LoadRulesFromText(text, "c.yaml");
    ASSERT_TRUE(r.has_errors()) << text;
    EXPECT_NE(r.FirstError().message().find("invalid YAML: ',' outside [...] or {...}"),
              std::string::npos)
        << r.FirstError().message();
  }
  EXPECT_TRUE(LoadRulesFromText("!F,A", "t.yaml").has_errors());
  RuleLoadResult anchors = LoadRulesFromText(
      "- &base {id: A, risk_level: low, match: {eventName: X}}\n- id: B\n  risk_level: low\n  "
      "match: {eventName: Y}\n",
      "a.yaml");
  EXPECT_FALSE(anchors.has_errors()) << anchors.FirstError().message();
  RuleLoadResult nul = LoadRulesFromText(std::string("\0,", 2), "n.yaml");
  EXPECT_NE(nul.FirstError().message().find("n.yaml:1:1: invalid YAML: control character 0"),
            std::string::npos)
      << nul.FirstError().message();
  // Commas inside flow collections, quotes, plain scalars and block scalars are fine.
  RuleLoadResult ok = LoadRulesFromText(
      "id: A\nrisk_level: low\ntitle: 'a,\n  b'\nremediation: Grants the Principal '*', which is "
      "bad\n"
      "links: [\"x\", 'y']\ndescription: |\n  , first line starts with a comma\n"
      "tags: [x\n  , y]\nmatch: {eventName: [A\n , B]}\n",
      "ok.yaml");
  EXPECT_FALSE(ok.has_errors()) << ok.FirstError().message();
}

TEST(RuleYamlLoaderTest, MatchOperatorsParse) {
  RuleLoadResult r = LoadRulesFromText(R"(
id: OPS
risk_level: medium
match:
  eventSource: ec2.amazonaws.com
  eventName: [A, B]
  sourceIPAddress: {cidr: 10.0.0.0/8}
  userAgent: {not_in: [x, y]}
  or:
    - {errorCode: {exists: false}}
    - {additionalEventData.n: {ge: 3}}
threshold: {count: 5, window: 10m, group_by: userIdentity.arn}
exceptions:
  - {userIdentity.type: AWSService}
)",
                                       "ops.yaml");
  ASSERT_FALSE(r.has_errors()) << Errors(r);
  const Rule& rule = r.rules.at(0);
  ASSERT_TRUE(rule.match.has_value());
  EXPECT_EQ(rule.match->kind, Condition::Kind::kAnd);
  EXPECT_EQ(rule.match->children.size(), 5u);
  ASSERT_TRUE(rule.threshold.has_value());
  EXPECT_EQ(rule.threshold->count, 5);
  EXPECT_EQ(rule.threshold->window_seconds, 600);
  EXPECT_EQ(rule.threshold->group_by, std::vector<std::string>{"userIdentity.arn"});
  EXPECT_EQ(rule.exceptions.size(), 1u);
}

TEST(RuleYamlLoaderTest, InvalidCidrAndUnknownOperatorAreErrors) {
  RuleLoadResult r = LoadRulesFromText(
      "- id: C\n  risk_level: low\n  match: {sourceIPAddress: {cidr: 300.0.0.0/8}}\n"
      "- id: D\n  risk_level: low\n  match: {eventName: {equal: X}}\n",
      "c.yaml");
  std::string all = Errors(r);
  EXPECT_NE(all.find("rule C: match.sourceIPAddress.cidr: invalid CIDR"), std::string::npos) << all;
  EXPECT_NE(all.find("rule D: match.eventName: unknown operator 'equal'; did you mean 'equals'?"),
            std::string::npos)
      << all;
}

TEST(RuleYamlLoaderTest, EmptyPatternRowIsAnError) {
  RuleLoadResult r = LoadRulesFromText("id: E\nrisk_level: low\npatterns:\n  - {}\n", "e.yaml");
  EXPECT_NE(Errors(r).find("patterns[0]: a row with no columns matches every event"),
            std::string::npos)
      << Errors(r);
}

TEST(RuleYamlLoaderTest, DirectoryLoadsRecursivelyAndRejectsDuplicateIds) {
  testing::TempDir dir;
  dir.WriteFile("a/one.yaml", "id: ONE\nrisk_level: low\nmatch: {eventName: A}\n");
  dir.WriteFile("b/two.yml",
                "rules:\n  - id: TWO\n    risk_level: low\n    match: {eventName: B}\n");
  dir.WriteFile("b/ignored.txt", "not yaml: [");
  RuleLoadResult ok = LoadRulesFromPath(dir.path());
  ASSERT_FALSE(ok.has_errors()) << Errors(ok);
  ASSERT_EQ(ok.rules.size(), 2u);
  EXPECT_EQ(ok.rules[0].id, "ONE");
  EXPECT_EQ(ok.rules[1].id, "TWO");
  dir.WriteFile("c/dup.yaml", "id: ONE\nrisk_level: low\nmatch: {eventName: C}\n");
  RuleLoadResult dup = LoadRulesFromPath(dir.path());
  EXPECT_NE(Errors(dup).find("rule ONE: duplicate rule id (first defined at"), std::string::npos)
      << Errors(dup);
}

TEST(RuleYamlLoaderTest, MultipleYamlDocumentsInOneFile) {
  RuleLoadResult r = LoadRulesFromText(
      "id: A\nrisk_level: low\nmatch: {eventName: A}\n---\nid: B\nrisk_level: low\nmatch: "
      "{eventName: B}\n",
      "multi.yaml");
  ASSERT_FALSE(r.has_errors()) << Errors(r);
  EXPECT_EQ(r.rules.size(), 2u);
}

TEST(RuleYamlLoaderTest, MissingPathIsAnError) {
  RuleLoadResult r = LoadRulesFromPath("/nonexistent/rules.yaml");
  ASSERT_TRUE(r.has_errors());
  EXPECT_NE(r.FirstError().message().find("no such file"), std::string::npos);
}

}  // namespace
}  // namespace warden

namespace warden {
namespace {

TEST(RuleYamlLoaderTest, ProviderIsAwsByDefaultOciWhenSaidAndNothingElse) {
  RuleLoadResult r = LoadRulesFromText(R"(- id: A
  risk_level: low
  match: {eventName: X}
- id: O
  provider: oci
  risk_level: low
  match: {eventType: X}
- id: G
  provider: gcp
  risk_level: low
  match: {eventType: X}
)",
                                       "p.yaml");
  ASSERT_EQ(r.rules.size(), 2u);
  EXPECT_EQ(r.rules[0].provider, EventProvider::kAws);
  EXPECT_EQ(r.rules[1].provider, EventProvider::kOci);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].ToString().find("p.yaml:9:13: rule G: provider: 'gcp' is not "
                                             "a provider (use aws or oci)"),
            std::string::npos)
      << r.diagnostics[0].ToString();
}

}  // namespace
}  // namespace warden
