// libFuzzer target for the Sigma loader. Three views of each input: the text
// as a whole Sigma document; the text as the YAML of a `detection` block
// under a fixed AWS CloudTrail logsource; and the text as a condition
// expression over fixed search identifiers. Whatever loads is compiled and
// evaluated once.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/yaml_reader.h"
#include "rules/compiled_rules.h"
#include "rules/json_field_extractor.h"
#include "rules/rule_yaml_loader.h"
#include "rules/sigma_loader.h"

namespace {

void Evaluate(const std::vector<warden::Rule>& rules) {
  if (rules.empty()) return;
  warden::FieldRegistry registry;
  auto set = warden::CompiledRuleSet::Compile(rules, &registry);
  if (!set.ok()) return;
  warden::RuleEvaluator evaluator(*set);
  warden::JsonFieldExtractor extractor(registry);
  static const std::string kEvent =
      std::string(
          R"({"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","userIdentity":)"
          R"({"type":"IAMUser","userName":"a"},"requestParameters":{"name":"t","x":[1,2]},"sourceIPAddress":"1.2.3.4"})") +
      std::string(64, ' ');
  warden::EventFields fields;
  if (!extractor.Extract(kEvent.data(), kEvent.size() - 64, kEvent.size(), &fields).ok()) return;
  std::vector<warden::RuleMatch> matches;
  evaluator.Evaluate(fields, &matches);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // 1. A whole document.
  warden::RuleLoadResult whole = warden::LoadRulesFromText(text, "fuzz.yml");
  Evaluate(whole.rules);
  std::vector<warden::RuleDiagnostic> diagnostics;
  try {
    // 2. A detection block.
    auto docs = warden::SafeLoadAllYaml(text, "fuzz.yml");
    if (!docs.ok() || docs->empty()) return 0;
    YAML::Node detection = (*docs)[0];
    YAML::Node doc;
    doc["title"] = "fuzz";
    doc["id"] = "fuzz-detection";
    doc["level"] = "high";
    doc["logsource"]["product"] = "aws";
    doc["logsource"]["service"] = "cloudtrail";
    doc["detection"] = detection;
    if (auto rule = warden::ParseSigmaRule(doc, "fuzz.yml", &diagnostics)) Evaluate({*rule});
  } catch (const std::exception&) {
  }
  try {
    // 3. A condition.
    YAML::Node doc = YAML::Load(
        "title: c\nlogsource: {product: aws, service: cloudtrail}\nlevel: low\n"
        "detection:\n  sel_a: {eventName: StopLogging}\n  sel_b: {eventSource|endswith: "
        "amazonaws.com}\n"
        "  _x: {userIdentity.type|re: '^IAM'}\n  keywords: ['stop*']\n  condition: placeholder\n");
    doc["detection"]["condition"] = text;
    if (auto rule = warden::ParseSigmaRule(doc, "fuzz.yml", &diagnostics)) Evaluate({*rule});
  } catch (const std::exception&) {
  }
  return 0;
}
