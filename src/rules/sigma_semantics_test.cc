// Sigma's missing-field semantics, as the Sigma specification gives them: a
// value, wildcard or modifier never matches a field that is missing, null or
// an empty array; `null` and `|exists: false` match exactly those. The rules
// below are written for these tests in the idioms SigmaHQ's AWS rules use
// ("has a value" as `|contains: '*'`, exclusions on absent error fields); each
// is evaluated on events with and without the field. Warden's own rule files
// keep matching a missing field as "" (the last tests).
#include <gtest/gtest.h>

#include "rules/compiled_rules.h"
#include "rules/json_field_extractor.h"
#include "rules/rule_yaml_loader.h"

namespace warden {
namespace {

class RuleHarness {
 public:
  explicit RuleHarness(const std::string& yaml) {
    loaded_ = LoadRulesFromText(yaml, "rule.yml");
    EXPECT_EQ(loaded_.rules.size(), 1u) << Diagnostics();
    if (loaded_.rules.empty()) return;
    auto set = CompiledRuleSet::Compile(loaded_.rules, &registry_);
    EXPECT_TRUE(set.ok()) << set.status().message();
    if (!set.ok()) return;
    evaluator_ = std::make_unique<RuleEvaluator>(*set);
    extractor_ = std::make_unique<JsonFieldExtractor>(registry_);
  }
  bool Fires(const std::string& json) {
    if (!evaluator_) return false;
    std::string padded = json + std::string(kJsonPadding, ' ');
    Status st = extractor_->Extract(padded.data(), json.size(), padded.size(), &fields_);
    EXPECT_TRUE(st.ok()) << st.message();
    std::vector<RuleMatch> m;
    evaluator_->Evaluate(fields_, &m);
    return !m.empty();
  }
  std::string Diagnostics() const {
    std::string s;
    for (const auto& d : loaded_.diagnostics) s += d.ToString() + "\n";
    return s;
  }

 private:
  RuleLoadResult loaded_;
  FieldRegistry registry_;
  std::unique_ptr<RuleEvaluator> evaluator_;
  std::unique_ptr<JsonFieldExtractor> extractor_;
  EventFields fields_;
};

std::string Sigma(const std::string& detection) {
  return "title: Semantics\nid: 5e0a0000-0000-4000-8000-000000000001\n"
         "logsource:\n  product: aws\n  service: cloudtrail\nlevel: high\ndetection:\n" +
         detection;
}

// The idiom of a "password changed" rule: the request carries a password
// parameter at all (CloudTrail redacts its value).
constexpr const char* kPasswordParameterRule =
    "  selection:\n"
    "    eventSource: rds.amazonaws.com\n"
    "    eventName: ModifyDBInstance\n"
    "    requestParameters.masterUserPassword|contains: '*'\n"
    "  condition: selection\n";

TEST(SigmaSemanticsTest, ContainsWildcardNeedsThePasswordParameter) {
  RuleHarness h(Sigma(kPasswordParameterRule));
  const std::string head =
      R"({"eventSource":"rds.amazonaws.com","eventName":"ModifyDBInstance","requestParameters":)";
  EXPECT_TRUE(h.Fires(head + R"({"dBInstanceIdentifier":"db1","masterUserPassword":"HIDDEN"}})"));
  EXPECT_FALSE(h.Fires(head + R"({"dBInstanceIdentifier":"db1","allocatedStorage":50}})"));
  EXPECT_FALSE(h.Fires(head + R"({"dBInstanceIdentifier":"db1","masterUserPassword":null}})"));
  EXPECT_FALSE(h.Fires(head + R"(null})"));
  EXPECT_FALSE(h.Fires(R"({"eventSource":"rds.amazonaws.com","eventName":"ModifyDBInstance"})"));
  // An empty string is a value (the specification's `''`): present.
  EXPECT_TRUE(h.Fires(head + R"({"masterUserPassword":""}})"));
}

// The idiom of a "layer attached" rule: the update names layers.
TEST(SigmaSemanticsTest, LayersMustBePresentAndNonEmpty) {
  RuleHarness h(
      Sigma("  selection:\n"
            "    eventSource: lambda.amazonaws.com\n"
            "    eventName|startswith: 'UpdateFunctionConfiguration'\n"
            "    requestParameters.layers|contains: '*'\n"
            "  condition: selection\n"));
  const std::string head =
      R"({"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","requestParameters":)";
  EXPECT_TRUE(h.Fires(
      head +
      R"({"functionName":"f","layers":["arn:aws:lambda:eu-west-1:111122223333:layer:x:3"]}})"));
  EXPECT_FALSE(h.Fires(head + R"({"functionName":"f","timeout":30}})"));
  EXPECT_FALSE(h.Fires(head + R"({"functionName":"f","layers":[]}})"));
  EXPECT_FALSE(h.Fires(head + R"({"functionName":"f","layers":null}})"));
  EXPECT_FALSE(h.Fires(head + R"({"functionName":"f","layers":[null]}})"));
}

// The idiom of an "export failed" rule: exclusions that hold when the
// error fields have a value. Under the specification they do not hold on a
// call without errorCode / errorMessage, so the rule fires on it.
TEST(SigmaSemanticsTest, ExclusionsOnAbsentErrorFieldsDoNotHold) {
  RuleHarness h(
      Sigma("  selection:\n"
            "    eventName: CreateInstanceExportTask\n"
            "    eventSource: ec2.amazonaws.com\n"
            "  filter_message:\n"
            "    errorMessage|contains: '*'\n"
            "  filter_code:\n"
            "    errorCode|contains: '*'\n"
            "  filter_response:\n"
            "    responseElements|contains: 'Failure'\n"
            "  condition: selection and not 1 of filter_*\n"));
  const std::string head =
      R"({"eventName":"CreateInstanceExportTask","eventSource":"ec2.amazonaws.com")";
  EXPECT_TRUE(h.Fires(head + R"(,"responseElements":{"exportTask":{"state":"active"}}})"));
  EXPECT_TRUE(h.Fires(head + "}"));
  EXPECT_TRUE(h.Fires(head + R"(,"errorCode":null,"errorMessage":null})"));
  EXPECT_FALSE(h.Fires(head + R"(,"errorCode":"Client.UnauthorizedOperation"})"));
  EXPECT_FALSE(h.Fires(head + R"(,"errorMessage":"You are not authorized"})"));
  EXPECT_FALSE(h.Fires(head + R"(,"responseElements":{"state":"Failure"}})"));
}

TEST(SigmaSemanticsTest, NullMatchesMissingNullAndEmptyArrayOnly) {
  RuleHarness h(Sigma("  selection:\n    errorCode: null\n  condition: selection\n"));
  EXPECT_TRUE(h.Fires(R"({"eventName":"A"})"));
  EXPECT_TRUE(h.Fires(R"({"eventName":"A","errorCode":null})"));
  EXPECT_TRUE(h.Fires(R"({"eventName":"A","errorCode":[]})"));
  EXPECT_FALSE(h.Fires(R"({"eventName":"A","errorCode":""})"));
  EXPECT_FALSE(h.Fires(R"({"eventName":"A","errorCode":"AccessDenied"})"));
}

TEST(SigmaSemanticsTest, ExistsNeedsAValueAndCountsTheEmptyString) {
  RuleHarness yes(Sigma("  selection:\n    errorCode|exists: true\n  condition: selection\n"));
  RuleHarness no(Sigma("  selection:\n    errorCode|exists: false\n  condition: selection\n"));
  for (const char* absent : {R"({"a":1})", R"({"errorCode":null})", R"({"errorCode":[]})"}) {
    EXPECT_FALSE(yes.Fires(absent)) << absent;
    EXPECT_TRUE(no.Fires(absent)) << absent;
  }
  for (const char* present : {R"({"errorCode":""})", R"({"errorCode":"X"})"}) {
    EXPECT_TRUE(yes.Fires(present)) << present;
    EXPECT_FALSE(no.Fires(present)) << present;
  }
}

TEST(SigmaSemanticsTest, EmptyValueMatchesOnlyAPresentEmptyString) {
  RuleHarness h(Sigma("  selection:\n    userAgent: ''\n  condition: selection\n"));
  EXPECT_TRUE(h.Fires(R"({"userAgent":""})"));
  EXPECT_FALSE(h.Fires(R"({"eventName":"A"})"));
  EXPECT_FALSE(h.Fires(R"({"userAgent":null})"));
  EXPECT_FALSE(h.Fires(R"({"userAgent":"aws-cli/2"})"));
}

TEST(SigmaSemanticsTest, PatternsThatMatchEverythingStillNeedAValue) {
  for (const char* key : {"userAgent: '*'", "userAgent|re: '.*'", "userAgent|startswith: ''",
                          "userAgent|endswith: '*'"}) {
    RuleHarness h(Sigma(std::string("  selection:\n    ") + key + "\n  condition: selection\n"));
    EXPECT_TRUE(h.Fires(R"({"userAgent":"console.amazonaws.com"})")) << key;
    EXPECT_FALSE(h.Fires(R"({"eventName":"A"})")) << key;
    EXPECT_FALSE(h.Fires(R"({"userAgent":null})")) << key;
  }
}

// Missing and "" share one remembered result per text in the evaluator:
// the answer must not leak from one event to the next.
TEST(SigmaSemanticsTest, MissingAndEmptyAlternateWithoutLeakingResults) {
  RuleHarness h(
      Sigma("  selection:\n    userAgent|contains:\n      - '*'\n      - 'a'\n      - 'b'\n"
            "      - 'c'\n      - 'd'\n      - 'e*f'\n  condition: selection\n"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(h.Fires(R"({"eventName":"A"})"));
    EXPECT_TRUE(h.Fires(R"({"eventName":"A","userAgent":""})"));
    EXPECT_FALSE(h.Fires(R"({"eventName":"A","userAgent":null})"));
  }
}

TEST(SigmaSemanticsTest, MissingEventNameIsNotTheEmptyName) {
  RuleHarness h(Sigma("  selection:\n    eventName: ''\n  condition: selection\n"));
  EXPECT_FALSE(h.Fires(R"({"eventSource":"s"})"));
  EXPECT_TRUE(h.Fires(R"({"eventName":""})"));
  EXPECT_FALSE(h.Fires(R"({"eventSource":"s"})"));
}

TEST(SigmaSemanticsTest, FieldrefNeedsBothFields) {
  RuleHarness h(
      Sigma("  selection:\n    requestParameters.userName|fieldref: userIdentity.userName\n"
            "  condition: selection\n"));
  EXPECT_TRUE(
      h.Fires(R"({"userIdentity":{"userName":"bob"},"requestParameters":{"userName":"bob"}})"));
  EXPECT_FALSE(h.Fires(R"({"userIdentity":{"type":"Root"},"requestParameters":{"policy":"p"}})"));
  EXPECT_FALSE(
      h.Fires(R"({"userIdentity":{"userName":null},"requestParameters":{"userName":null}})"));
}

TEST(SigmaSemanticsTest, NegatedValueHoldsOnAMissingField) {
  RuleHarness h(
      Sigma("  selection:\n    eventName: PutBucketPolicy\n  filter:\n    userAgent|contains: "
            "'terraform'\n  condition: selection and not filter\n"));
  EXPECT_TRUE(h.Fires(R"({"eventName":"PutBucketPolicy"})"));
  EXPECT_FALSE(h.Fires(R"({"eventName":"PutBucketPolicy","userAgent":"Terraform/1.6"})"));
}

// Warden rule files keep their documented behaviour: missing reads as "".
TEST(SigmaSemanticsTest, WardenRulesStillMatchMissingAsEmptyString) {
  RuleHarness rows(
      "- id: RTM-011\n  risk_level: high\n  patterns:\n"
      "    - {eventName: '^Delete', userIdentityType: '.*'}\n");
  EXPECT_TRUE(rows.Fires(R"({"eventName":"DeleteBucket","eventSource":"s3.amazonaws.com"})"));
  RuleHarness match("- id: W\n  risk_level: high\n  match:\n    userAgent: {regex: '^$'}\n");
  EXPECT_TRUE(match.Fires(R"({"eventName":"A"})"));
  EXPECT_TRUE(match.Fires(R"({"eventName":"A","userAgent":null})"));
}

}  // namespace
}  // namespace warden
