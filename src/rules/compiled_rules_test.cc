#include "rules/compiled_rules.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "rules/json_field_extractor.h"
#include "rules/rule_yaml_loader.h"

namespace warden {
namespace {

// Loads rules from YAML text and evaluates JSON events against them.
class RuleHarness {
 public:
  explicit RuleHarness(const std::string& yaml, bool include_disabled = false) {
    RuleLoadResult loaded = LoadRulesFromText(yaml, "test.yaml");
    EXPECT_FALSE(loaded.has_errors()) << loaded.FirstError().message();
    auto set = CompiledRuleSet::Compile(loaded.rules, &registry_);
    EXPECT_TRUE(set.ok()) << set.status().message();
    set_ = *set;
    RuleEvaluator::Options o;
    o.include_disabled = include_disabled;
    evaluator_ = std::make_unique<RuleEvaluator>(set_, o);
    // Lazy, as the scanner uses it: every test also covers the second pass.
    extractor_ = std::make_unique<JsonFieldExtractor>(registry_, JsonFieldExtractor::Mode::kLazy);
  }

  // "RULE-ID" or "RULE-ID[0,2]" for pattern rules, per match.
  std::vector<std::string> Fire(const std::string& json) {
    std::string padded = json + std::string(kJsonPadding, ' ');
    Status st = extractor_->Extract(padded.data(), json.size(), padded.size(), &fields_);
    EXPECT_TRUE(st.ok()) << st.message();
    std::vector<RuleMatch> matches;
    evaluator_->Evaluate(fields_, &matches);
    std::vector<std::string> out;
    for (const RuleMatch& m : matches) {
      std::string s = set_->rule(m.rule).id;
      if (set_->rule(m.rule).has_patterns) {
        s += "[";
        for (uint32_t r : evaluator_->rows(m))
          s += (s.back() == '[' ? "" : ",") + std::to_string(r);
        s += "]";
      }
      out.push_back(s);
    }
    return out;
  }
  RuleEvaluator& evaluator() { return *evaluator_; }

 private:
  FieldRegistry registry_;
  std::shared_ptr<const CompiledRuleSet> set_;
  std::unique_ptr<RuleEvaluator> evaluator_;
  std::unique_ptr<JsonFieldExtractor> extractor_;
  EventFields fields_;
};

using Fired = std::vector<std::string>;

const char* kIssueExample = R"(
- id: RTM-011
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
)";

TEST(CompiledRulesTest, PatternRuleFiresOnceAndListsEveryMatchingRow) {
  RuleHarness h(kIssueExample);
  EXPECT_EQ(h.Fire(R"({"eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com",
                       "userIdentity":{"type":"IAMUser","userName":"bob"}})"),
            Fired({"RTM-011[1,2]"}));
  EXPECT_EQ(h.Fire(R"({"eventName":"CreateUser","eventSource":"iam.amazonaws.com",
                       "userIdentity":{"type":"IAMUser"}})"),
            Fired({"RTM-011[0,2]"}));
  // ec2 is excluded by the lookahead; DescribeX matches no row.
  EXPECT_EQ(h.Fire(R"({"eventName":"CreateVpc","eventSource":"ec2.amazonaws.com",
                       "userIdentity":{"type":"IAMUser"}})"),
            Fired());
  EXPECT_EQ(h.Fire(R"({"eventName":"DescribeTrails","eventSource":"cloudtrail.amazonaws.com",
                       "userIdentity":{"type":"IAMUser"}})"),
            Fired());
}

TEST(CompiledRulesTest, MissingFieldMatchesAsEmptyString) {
  RuleHarness h(kIssueExample);
  // AwsServiceEvent records have no userIdentity.type: '.*' still matches.
  EXPECT_EQ(h.Fire(R"({"eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com",
                       "userIdentity":{"accountId":"1","invokedBy":"x"}})"),
            Fired({"RTM-011[1,2]"}));
  RuleHarness empty(R"(
- id: EMPTY
  risk_level: low
  match: {errorCode: ''}
)");
  EXPECT_EQ(empty.Fire(R"({"eventName":"A"})"), Fired({"EMPTY"}));
  EXPECT_EQ(empty.Fire(R"({"eventName":"A","errorCode":null})"), Fired({"EMPTY"}));
  EXPECT_EQ(empty.Fire(R"({"eventName":"A","errorCode":"AccessDenied"})"), Fired());
}

TEST(CompiledRulesTest, CanaryMatchesUserKeyAndArn) {
  RuleHarness h(kIssueExample);
  EXPECT_EQ(h.Fire(R"({"eventName":"GetCallerIdentity","eventSource":"sts.amazonaws.com",
                       "userIdentity":{"type":"IAMUser","userName":"Canary-User"}})"),
            Fired({"CANARY"}));
  EXPECT_EQ(h.Fire(R"({"eventName":"ListBuckets","eventSource":"s3.amazonaws.com",
                       "userIdentity":{"type":"IAMUser","accessKeyId":"AKIAIOSFODNN7EXAMPLE"}})"),
            Fired({"CANARY"}));
  EXPECT_EQ(h.Fire(R"({"eventName":"ListBuckets","eventSource":"s3.amazonaws.com",
                       "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/ops/canary-user"}})"),
            Fired({"CANARY"}));
  // An assumed-role session named like the canary is not the canary.
  EXPECT_EQ(h.Fire(R"({"eventName":"ListBuckets","eventSource":"s3.amazonaws.com",
                       "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/canary-user"}})"),
            Fired());
}

TEST(CompiledRulesTest, FieldOperators) {
  RuleHarness h(R"(
- id: OPS
  risk_level: high
  match:
    eventName: [AuthorizeSecurityGroupIngress, AuthorizeSecurityGroupEgress]
    requestParameters.ipPermissions.items.ipRanges.items.cidrIp: {cidr: [0.0.0.0/0]}
    userAgent: {contains: console, ignore_case: true}
    not: {userIdentity.arn: {endswith: ':role/ci'}}
- id: NUM
  risk_level: low
  match:
    additionalEventData.bytesTransferredOut: {gt: 1000}
- id: EXISTS
  risk_level: low
  match:
    errorCode: {exists: true}
    eventName: {startswith: Get, regex: 'Secret'}
)");
  const char* open = R"({"eventName":"AuthorizeSecurityGroupIngress","userAgent":"AWS Console",
    "userIdentity":{"arn":"arn:aws:iam::1:user/bob"},
    "requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}},
                                                   {"ipRanges":{"items":[{"cidrIp":"0.0.0.0"}]}}]}}})";
  EXPECT_EQ(h.Fire(open), Fired({"OPS"}));
  EXPECT_EQ(h.Fire(R"({"eventName":"AuthorizeSecurityGroupIngress","userAgent":"AWS Console",
    "userIdentity":{"arn":"arn:aws:iam::1:role/ci"},
    "requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"1.2.3.4"}]}}]}}})"),
            Fired());
  EXPECT_EQ(
      h.Fire(R"({"eventName":"GetObject","additionalEventData":{"bytesTransferredOut":5000}})"),
      Fired({"NUM"}));
  EXPECT_EQ(h.Fire(R"({"eventName":"GetObject","additionalEventData":{"bytesTransferredOut":10}})"),
            Fired());
  EXPECT_EQ(h.Fire(R"({"eventName":"GetSecretValue","errorCode":"AccessDenied"})"),
            Fired({"EXISTS"}));
  EXPECT_EQ(h.Fire(R"({"eventName":"GetSecretValue"})"), Fired());
}

TEST(CompiledRulesTest, ContainsOnObjectFieldSearchesItsJsonText) {
  RuleHarness h(R"(
- id: POLICY
  risk_level: high
  match:
    eventName: PutBucketPolicy
    requestParameters.bucketPolicy: {contains: '"Principal":"*"'}
)");
  EXPECT_EQ(h.Fire(R"({"eventName":"PutBucketPolicy","requestParameters":{"bucketPolicy":
      {"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}}})"),
            Fired({"POLICY"}));
  EXPECT_EQ(h.Fire(R"({"eventName":"PutBucketPolicy","requestParameters":{"bucketPolicy":
      {"Statement":[{"Principal":{"AWS":"arn:aws:iam::1:root"}}]}}})"),
            Fired());
}

TEST(CompiledRulesTest, ObjectFieldThatIsAlsoAPathPrefix) {
  RuleHarness h(R"(
- id: BOTH
  risk_level: low
  match:
    requestParameters: {contains: 'secret'}
    requestParameters.name: {startswith: prod}
)");
  EXPECT_EQ(h.Fire(R"({"requestParameters":{"name":"prod-db","kind":"secret"}})"), Fired({"BOTH"}));
  EXPECT_EQ(h.Fire(R"({"requestParameters":{"name":"dev-db","kind":"secret"}})"), Fired());
}

TEST(CompiledRulesTest, ExceptionsSuppressTheRuleEntirely) {
  RuleHarness h(R"(
- id: KEYS
  risk_level: high
  match: {eventName: CreateAccessKey}
  exceptions:
    - {userIdentity.arn: {regex: ':role/automation$'}}
)");
  EXPECT_EQ(
      h.Fire(R"({"eventName":"CreateAccessKey","userIdentity":{"arn":"arn:aws:iam::1:user/x"}})"),
      Fired({"KEYS"}));
  EXPECT_EQ(
      h.Fire(
          R"({"eventName":"CreateAccessKey","userIdentity":{"arn":"arn:aws:iam::1:role/automation"}})"),
      Fired());
}

TEST(CompiledRulesTest, DisabledRulesRunOnlyInDryRuns) {
  const char* yaml = R"(
- id: OFF
  risk_level: low
  enabled: false
  match: {eventName: X}
)";
  RuleHarness normal(yaml);
  EXPECT_EQ(normal.Fire(R"({"eventName":"X"})"), Fired());
  RuleHarness dry(yaml, /*include_disabled=*/true);
  EXPECT_EQ(dry.Fire(R"({"eventName":"X"})"), Fired({"OFF"}));
}

TEST(CompiledRulesTest, MemoisedResultsStayCorrectAcrossEvents) {
  RuleHarness h(R"(
- id: R
  risk_level: low
  patterns:
    - {eventName: '^Delete', eventSource: '^(?!ec2)'}
)");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(h.Fire(R"({"eventName":"DeleteBucket","eventSource":"s3.amazonaws.com"})"),
              Fired({"R[0]"}));
    EXPECT_EQ(h.Fire(R"({"eventName":"DeleteBucket","eventSource":"ec2.amazonaws.com"})"), Fired());
    EXPECT_EQ(h.Fire(R"({"eventName":"ListBuckets","eventSource":"s3.amazonaws.com"})"), Fired());
  }
}

TEST(CompiledRulesTest, WholeRuleMemoAndLazyFieldsAgreeWithDirectEvaluation) {
  RuleHarness h(R"(
- id: DENIED
  risk_level: low
  match: {eventName: [GetObject, PutObject], errorCode: AccessDenied}
- id: ROWS
  risk_level: low
  patterns:
    - {eventName: '^Get', userIdentityType: 'Root'}
    - {eventSource: 's3'}
)");
  for (int round = 0; round < 3; ++round) {  // later rounds come from the memo
    EXPECT_EQ(
        h.Fire(
            R"({"eventName":"GetObject","eventSource":"s3.amazonaws.com","errorCode":"AccessDenied"})"),
        Fired({"DENIED", "ROWS[1]"}));
    EXPECT_EQ(h.Fire(R"({"eventName":"GetObject","eventSource":"s3.amazonaws.com"})"),
              Fired({"ROWS[1]"}));
    EXPECT_EQ(
        h.Fire(R"({"eventName":"GetObject","userIdentity":{"type":"Root"},"eventSource":"ec2"})"),
        Fired({"ROWS[0]"}));
    EXPECT_EQ(h.Fire(R"({"eventName":"ListBuckets","errorCode":"AccessDenied"})"), Fired());
  }
}

TEST(CompiledRulesTest, FieldrefComparesTwoFields) {
  RuleHarness h(R"(
- id: OTHER-USER-KEY
  risk_level: high
  match:
    eventName: CreateAccessKey
    requestParameters.userName: {exists: true}
    not: {requestParameters.userName: {fieldref: userIdentity.userName}}
)");
  EXPECT_EQ(h.Fire(R"({"eventName":"CreateAccessKey","userIdentity":{"userName":"a"},
                       "requestParameters":{"userName":"b"}})"),
            Fired({"OTHER-USER-KEY"}));
  EXPECT_EQ(h.Fire(R"({"eventName":"CreateAccessKey","userIdentity":{"userName":"a"},
                       "requestParameters":{"userName":"a"}})"),
            Fired());
}

TEST(CompiledRulesTest, PathologicalRegexIsReportedNotHung) {
  RuleHarness h(R"(
- id: SLOW
  risk_level: low
  match: {eventName: {regex: '(a+)+$'}}
)");
  std::string name(40, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(h.Fire(R"({"eventName":")" + name + R"(!"})"), Fired());
  EXPECT_EQ(h.Fire(R"({"eventName":")" + name + R"(!"})"), Fired());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  auto reports = h.evaluator().RegexLimitReports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].rule_id, "SLOW");
  EXPECT_EQ(reports[0].pattern, "(a+)+$");
  EXPECT_EQ(reports[0].count, 2u);
}

TEST(CompiledRulesTest, FieldPathsWithTooManyPartsAreCompileErrors) {
  // The extractor descends one level of the event per part of a path.
  std::string deep = "a";
  for (int i = 0; i < 40; ++i) deep += ".a";
  for (const std::string& yaml :
       {"- id: DEEP\n  risk_level: low\n  match: {" + deep + ": x}\n",
        "- id: DEEP\n  risk_level: low\n  match: {eventName: {fieldref: " + deep + "}}\n",
        "- id: DEEP\n  risk_level: low\n  match: {eventName: x}\n"
        "  threshold: {count: 2, group_by: [" +
            deep + "]}\n"}) {
    RuleLoadResult loaded = LoadRulesFromText(yaml, "deep.yaml");
    ASSERT_FALSE(loaded.has_errors()) << loaded.FirstError().message();
    FieldRegistry registry;
    auto set = CompiledRuleSet::Compile(loaded.rules, &registry);
    ASSERT_FALSE(set.ok()) << yaml;
    EXPECT_NE(set.status().message().find("rule DEEP: "), std::string::npos);
    EXPECT_NE(set.status().message().find("has more than 32 parts (limit 32)"), std::string::npos)
        << set.status().message();
  }
  std::string ok = "a";
  for (int i = 1; i < 32; ++i) ok += ".a";
  RuleHarness h("- id: OK\n  risk_level: low\n  match: {" + ok + ": x}\n");
}

TEST(CompiledRulesTest, ManyValuedEqualityUsesASetAndIgnoresCaseWhenAsked) {
  RuleHarness h(R"(
- id: SET
  risk_level: low
  match:
    eventName: {in: [A1, A2, A3, A4, A5, A6, StopLogging], ignore_case: true}
)");
  EXPECT_EQ(h.Fire(R"({"eventName":"stoplogging"})"), Fired({"SET"}));
  EXPECT_EQ(h.Fire(R"({"eventName":"StartLogging"})"), Fired());
}

TEST(RuleEvaluatorTest, FieldsOfMostlyDistinctValuesStayCorrectPastTheMemo) {
  // sourceIPAddress differs on every event: the memo gives up on it after a
  // warm-up, and the verdicts must not change when it does.
  RuleHarness h(R"(
- id: NET
  risk_level: low
  match:
    eventName: ConsoleLogin
    sourceIPAddress: {cidr: [10.1.0.0/16]}
)");
  int fired = 0, expected = 0;
  for (int i = 0; i < 5000; ++i) {
    const bool inside = i % 3 == 0;
    const std::string ip =
        (inside ? "10.1." : "10.2.") + std::to_string(i / 256) + "." + std::to_string(i % 256);
    expected += inside;
    fired += !h.Fire(R"({"eventName":"ConsoleLogin","sourceIPAddress":")" + ip + R"("})").empty();
  }
  EXPECT_EQ(fired, expected);
  // And a value seen before the memo gave up still evaluates right.
  EXPECT_EQ(h.Fire(R"({"eventName":"ConsoleLogin","sourceIPAddress":"10.1.0.0"})"),
            std::vector<std::string>{"NET"});
  EXPECT_TRUE(h.Fire(R"({"eventName":"ConsoleLogin","sourceIPAddress":"10.2.0.1"})").empty());
}

}  // namespace
}  // namespace warden
