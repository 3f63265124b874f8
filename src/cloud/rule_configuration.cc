#include "cloud/rule_configuration.h"

namespace warden {

std::vector<std::string> MissingConfiguration(const Rule& rule) {
  std::vector<std::string> needs;
  if (rule.canary && rule.canary->empty())
    needs.push_back(rule.provider == EventProvider::kOci ? "canary principals"
                                                         : "canary users or access keys");
  if (rule.has_patterns && rule.patterns.empty()) needs.push_back("pattern rows");
  return needs;
}

std::vector<RuleConfigurationState> DescribeRuleConfiguration(const std::vector<Rule>& rules,
                                                              const TrailProfile* profile,
                                                              const std::string& account) {
  const std::vector<Rule> resolved = profile ? profile->Resolve(rules, account) : rules;
  std::vector<RuleConfigurationState> states;
  states.reserve(resolved.size());
  for (const Rule& r : resolved) {
    RuleConfigurationState s;
    s.rule_id = r.id;
    s.provider = r.provider;
    s.enabled = r.enabled;
    s.needs = MissingConfiguration(r);
    states.push_back(std::move(s));
  }
  return states;
}

std::string ConfigurationSummary(const std::vector<RuleConfigurationState>& states) {
  size_t count = 0;
  std::string list;
  for (const RuleConfigurationState& s : states) {
    if (!s.needs_configuration()) continue;
    ++count;
    std::string needs;
    for (const std::string& n : s.needs) needs += (needs.empty() ? "" : "; ") + n;
    list += (list.empty() ? "" : ", ") + s.rule_id + " (" + needs + ")";
  }
  const std::string total =
      std::to_string(states.size()) + (states.size() == 1 ? " rule" : " rules");
  if (count == 0) return "no rule needs configuration (" + total + ")";
  return std::to_string(count) + " of " + total + (count == 1 ? " needs" : " need") +
         " configuration: " + list;
}

}  // namespace warden
