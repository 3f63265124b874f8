// libFuzzer target for Warden's native YAML rule loader: any text must load
// or fail with diagnostics, and whatever loads must compile, lint and
// evaluate on a small event without crashing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rules/compiled_rules.h"
#include "rules/json_field_extractor.h"
#include "rules/rule_linter.h"
#include "rules/rule_yaml_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  warden::RuleLoadResult loaded = warden::LoadRulesFromText(text, "fuzz.yaml");
  for (const auto& d : loaded.diagnostics) (void)d.ToString();
  if (loaded.rules.empty()) return 0;
  std::vector<warden::RuleDiagnostic> lint;
  warden::LintRules(loaded.rules, &lint);
  warden::FieldRegistry registry;
  auto set = warden::CompiledRuleSet::Compile(loaded.rules, &registry);
  if (!set.ok()) return 0;
  warden::RuleEvaluator::Options options;
  options.include_disabled = true;
  warden::RuleEvaluator evaluator(*set, options);
  warden::JsonFieldExtractor extractor(registry);
  static const std::string kEvent =
      std::string(
          R"({"eventName":"CreateUser","eventSource":"iam.amazonaws.com","userIdentity":{"type":"IAMUser",)"
          R"("userName":"canary-user","arn":"arn:aws:iam::1:user/canary-user"},"sourceIPAddress":"10.1.2.3",)"
          R"("requestParameters":{"userName":"x","list":[1,"a",{"b":null}]},"errorCode":null})") +
      std::string(64, ' ');
  warden::EventFields fields;
  if (!extractor.Extract(kEvent.data(), kEvent.size() - 64, kEvent.size(), &fields).ok()) return 0;
  std::vector<warden::RuleMatch> matches;
  evaluator.Evaluate(fields, &matches);
  evaluator.Evaluate(fields, &matches);  // memoised path
  return 0;
}
