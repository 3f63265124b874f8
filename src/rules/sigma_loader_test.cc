#include "rules/sigma_loader.h"

#include <gtest/gtest.h>

#include "rules/compiled_rules.h"
#include "rules/json_field_extractor.h"
#include "rules/rule_yaml_loader.h"

namespace warden {
namespace {

// Loads one Sigma rule and reports whether it fires on each event.
class SigmaHarness {
 public:
  explicit SigmaHarness(const std::string& yaml) {
    loaded_ = LoadRulesFromText(yaml, "sigma.yml");
    if (loaded_.rules.empty()) return;
    auto set = CompiledRuleSet::Compile(loaded_.rules, &registry_);
    EXPECT_TRUE(set.ok()) << set.status().message();
    set_ = *set;
    evaluator_ = std::make_unique<RuleEvaluator>(set_);
    extractor_ = std::make_unique<JsonFieldExtractor>(registry_);
  }
  bool Fires(const std::string& json) {
    EXPECT_TRUE(evaluator_) << Diagnostics();
    if (!evaluator_) return false;
    std::string padded = json + std::string(kJsonPadding, ' ');
    EXPECT_TRUE(extractor_->Extract(padded.data(), json.size(), padded.size(), &fields_).ok());
    std::vector<RuleMatch> m;
    evaluator_->Evaluate(fields_, &m);
    return !m.empty();
  }
  std::string Diagnostics() const {
    std::string s;
    for (const auto& d : loaded_.diagnostics) s += d.ToString() + "\n";
    return s;
  }
  const RuleLoadResult& loaded() const { return loaded_; }

 private:
  RuleLoadResult loaded_;
  FieldRegistry registry_;
  std::shared_ptr<const CompiledRuleSet> set_;
  std::unique_ptr<RuleEvaluator> evaluator_;
  std::unique_ptr<JsonFieldExtractor> extractor_;
  EventFields fields_;
};

std::string Sigma(const std::string& detection, const std::string& level = "high") {
  return "title: Test rule\nid: 0d1a2b3c-0000-4000-8000-000000000001\nstatus: test\n"
         "logsource:\n  product: aws\n  service: cloudtrail\nlevel: " +
         level + "\ndetection:\n" + detection;
}

TEST(SigmaLoaderTest, MapsMetadataToRule) {
  SigmaHarness h(
      Sigma("  selection:\n    eventName: StopLogging\n  condition: selection\n", "critical") +
      "references:\n  - https://example.com/a\ntags:\n  - attack.t1562.008\n");
  ASSERT_EQ(h.loaded().rules.size(), 1u) << h.Diagnostics();
  const Rule& r = h.loaded().rules[0];
  EXPECT_EQ(r.id, "0d1a2b3c-0000-4000-8000-000000000001");
  EXPECT_EQ(r.title, "Test rule");
  EXPECT_EQ(r.risk_level, RiskLevel::kVeryHigh);
  EXPECT_EQ(r.format, RuleFormat::kSigma);
  EXPECT_EQ(r.links, std::vector<std::string>{"https://example.com/a"});
  EXPECT_EQ(r.tags, std::vector<std::string>{"attack.t1562.008"});
}

TEST(SigmaLoaderTest, EqualityIsCaseInsensitiveWithWildcardsUnlessCased) {
  SigmaHarness h(
      Sigma("  sel:\n    eventSource: CLOUDTRAIL.amazonaws.com\n    eventName: 'Stop*'\n"
            "  condition: sel\n"));
  EXPECT_TRUE(h.Fires(R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"})"));
  EXPECT_FALSE(h.Fires(R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail"})"));
  SigmaHarness cased(Sigma("  sel:\n    eventName|cased: stoplogging\n  condition: sel\n"));
  EXPECT_FALSE(cased.Fires(R"({"eventName":"StopLogging"})"));
  EXPECT_TRUE(cased.Fires(R"({"eventName":"stoplogging"})"));
}

TEST(SigmaLoaderTest, StringModifiersAndAll) {
  SigmaHarness h(
      Sigma("  sel:\n    userAgent|contains|all:\n      - aws-cli\n      - Linux\n"
            "    eventName|startswith: Get\n    eventSource|endswith: .amazonaws.com\n"
            "  condition: sel\n"));
  EXPECT_TRUE(h.Fires(
      R"({"userAgent":"AWS-CLI/2 linux/5","eventName":"GetSecretValue","eventSource":"secretsmanager.amazonaws.com"})"));
  EXPECT_FALSE(h.Fires(
      R"({"userAgent":"aws-cli/2 Windows","eventName":"GetSecretValue","eventSource":"secretsmanager.amazonaws.com"})"));
}

TEST(SigmaLoaderTest, ReCidrExistsAndNull) {
  SigmaHarness re(
      Sigma("  sel:\n    eventName|re: '^(Delete|Stop)(Trail|Logging)$'\n  condition: sel\n"));
  EXPECT_TRUE(re.Fires(R"({"eventName":"StopLogging"})"));
  EXPECT_FALSE(re.Fires(R"({"eventName":"stoplogging"})"));  // |re is case-sensitive
  SigmaHarness rei(Sigma("  sel:\n    eventName|re|i: '^stoplogging$'\n  condition: sel\n"));
  EXPECT_TRUE(rei.Fires(R"({"eventName":"StopLogging"})"));
  SigmaHarness cidr(
      Sigma("  sel:\n    sourceIPAddress|cidr:\n      - 10.0.0.0/8\n      - 192.168.0.0/16\n"
            "  condition: sel\n"));
  EXPECT_TRUE(cidr.Fires(R"({"sourceIPAddress":"192.168.3.4"})"));
  EXPECT_FALSE(cidr.Fires(R"({"sourceIPAddress":"AWS Internal"})"));
  SigmaHarness exists(Sigma("  sel:\n    errorCode|exists: true\n  condition: sel\n"));
  EXPECT_TRUE(exists.Fires(R"({"errorCode":"AccessDenied"})"));
  EXPECT_FALSE(exists.Fires(R"({"eventName":"X"})"));
  SigmaHarness null(Sigma("  sel:\n    eventName: X\n    errorCode: null\n  condition: sel\n"));
  EXPECT_TRUE(null.Fires(R"({"eventName":"X"})"));
  EXPECT_TRUE(null.Fires(R"({"eventName":"X","errorCode":null})"));
  EXPECT_FALSE(null.Fires(R"({"eventName":"X","errorCode":"AccessDenied"})"));
}

TEST(SigmaLoaderTest, FieldrefComparesFields) {
  SigmaHarness h(
      Sigma("  sel:\n    eventName: CreateAccessKey\n  same:\n"
            "    requestParameters.userName|fieldref: userIdentity.userName\n"
            "  condition: sel and not same\n"));
  EXPECT_TRUE(h.Fires(
      R"({"eventName":"CreateAccessKey","userIdentity":{"userName":"a"},"requestParameters":{"userName":"b"}})"));
  EXPECT_FALSE(h.Fires(
      R"({"eventName":"CreateAccessKey","userIdentity":{"userName":"a"},"requestParameters":{"userName":"A"}})"));
}

TEST(SigmaLoaderTest, ConditionsWithQuantifiersAndParentheses) {
  const std::string det =
      "  sel_trail:\n    eventName: StopLogging\n  sel_delete:\n    eventName: DeleteTrail\n"
      "  _helper:\n    eventName: Never\n  filter:\n    userIdentity.type: AWSService\n";
  SigmaHarness one(Sigma(det + "  condition: 1 of sel_* and not filter\n"));
  EXPECT_TRUE(one.Fires(R"({"eventName":"DeleteTrail","userIdentity":{"type":"IAMUser"}})"));
  EXPECT_FALSE(one.Fires(R"({"eventName":"DeleteTrail","userIdentity":{"type":"AWSService"}})"));
  SigmaHarness all(Sigma(det + "  condition: all of sel_*\n"));
  EXPECT_FALSE(all.Fires(R"({"eventName":"DeleteTrail"})"));
  SigmaHarness them(Sigma(det + "  condition: 1 of them\n"));
  EXPECT_TRUE(them.Fires(R"({"eventName":"X","userIdentity":{"type":"AWSService"}})"));
  EXPECT_FALSE(them.Fires(R"({"eventName":"Never"})"));  // _helper is not in 'them'
  SigmaHarness parens(Sigma(det + "  condition: not (sel_trail or sel_delete) and filter\n"));
  EXPECT_TRUE(parens.Fires(R"({"eventName":"X","userIdentity":{"type":"AWSService"}})"));
  EXPECT_FALSE(parens.Fires(R"({"eventName":"StopLogging","userIdentity":{"type":"AWSService"}})"));
}

TEST(SigmaLoaderTest, ListOfMapsIsOrAndKeywordsSearchTheEvent) {
  SigmaHarness h(
      Sigma("  sel:\n    - eventName: A\n    - eventSource: b.amazonaws.com\n  condition: sel\n"));
  EXPECT_TRUE(h.Fires(R"({"eventName":"A"})"));
  EXPECT_TRUE(h.Fires(R"({"eventSource":"b.amazonaws.com"})"));
  EXPECT_FALSE(h.Fires(R"({"eventName":"C"})"));
  SigmaHarness kw(Sigma("  keywords:\n    - 'sneaky*tool'\n  condition: keywords\n"));
  EXPECT_TRUE(kw.Fires(R"({"userAgent":"Sneaky-Tool/1.0"})"));
  EXPECT_FALSE(kw.Fires(R"({"userAgent":"aws-cli"})"));
}

TEST(SigmaLoaderTest, ContainsOnObjectFieldSearchesJsonText) {
  SigmaHarness h(
      Sigma("  sel:\n    requestParameters|contains: '\"Principal\":\"*\"'\n  condition: sel\n"));
  // '*' inside the contains value is a wildcard: any Principal string.
  EXPECT_TRUE(h.Fires(R"({"requestParameters":{"policy":{"Principal":"*"}}})"));
  EXPECT_FALSE(h.Fires(R"({"requestParameters":{"policy":{"Effect":"Allow"}}})"));
}

TEST(SigmaLoaderTest, UnsupportedThingsAreClearErrors) {
  SigmaHarness mod(Sigma("  sel:\n    eventName|base64: X\n  condition: sel\n"));
  EXPECT_NE(mod.Diagnostics().find("unsupported modifier 'base64'"), std::string::npos)
      << mod.Diagnostics();
  SigmaHarness agg(Sigma("  sel:\n    eventName: X\n  condition: sel | count() > 5\n"));
  EXPECT_NE(agg.Diagnostics().find("aggregation conditions"), std::string::npos)
      << agg.Diagnostics();
  SigmaHarness unknown(Sigma("  sel:\n    eventName: X\n  condition: selection\n"));
  EXPECT_NE(unknown.Diagnostics().find("unknown search identifier 'selection'"), std::string::npos);
  SigmaHarness badre(Sigma("  sel:\n    eventName|re: '(x'\n  condition: sel\n"));
  EXPECT_NE(badre.Diagnostics().find("sigma.yml:10:22: rule 0d1a2b3c-0000-4000-8000-000000000001: "
                                     "'eventName|re': regex error at offset 2"),
            std::string::npos)
      << badre.Diagnostics();
}

TEST(SigmaLoaderTest, ConditionThatCopiesALargeSearchTooOftenIsRejected) {
  // A search of 1,000 values used 300 times would hold 300,000 values.
  std::string values;
  for (int i = 0; i < 1000; ++i) values += (i ? ", v" : "v") + std::to_string(i);
  std::string condition = "sel";
  for (int i = 1; i < 300; ++i) condition += " or sel";
  SigmaHarness big(
      Sigma("  sel:\n    eventName: [" + values + "]\n  condition: " + condition + "\n"));
  EXPECT_TRUE(big.loaded().rules.empty());
  EXPECT_NE(big.Diagnostics().find("the condition expands to more than 50000 conditions and "
                                   "values (every use of a search copies it)"),
            std::string::npos)
      << big.Diagnostics();
  // The same search used a few times is fine.
  SigmaHarness fine(
      Sigma("  sel:\n    eventName: [" + values + "]\n  condition: sel or (sel and sel)\n"));
  EXPECT_EQ(fine.loaded().rules.size(), 1u) << fine.Diagnostics();
}

TEST(SigmaLoaderTest, OtherLogsourcesAreSkippedWithAWarning) {
  RuleLoadResult r = LoadRulesFromText(
      "title: Win\nlogsource:\n  product: windows\n  category: process_creation\n"
      "detection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\nlevel: high\n",
      "win.yml");
  EXPECT_TRUE(r.rules.empty());
  EXPECT_FALSE(r.has_errors()) << r.FirstError().message();
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].severity, RuleDiagnostic::Severity::kWarning);
  EXPECT_NE(r.diagnostics[0].message.find("not supported"), std::string::npos);
}

}  // namespace
}  // namespace warden
