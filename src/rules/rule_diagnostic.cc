#include "rules/rule_diagnostic.h"

namespace warden {

std::string RuleDiagnostic::ToString() const {
  std::string s = location.ToString() + ": ";
  if (severity == Severity::kWarning) s += "warning: ";
  if (!rule_id.empty()) s += "rule " + rule_id + ": ";
  return s + message;
}

}  // namespace warden
