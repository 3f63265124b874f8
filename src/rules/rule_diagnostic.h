// RuleDiagnostic is one problem a rule loader found (native YAML, Sigma,
// profiles, the linter): where, in which rule, and what. Loaders collect
// them instead of stopping at the first, so one run shows every mistake.
#pragma once

#include <string>

#include "core/source_location.h"

namespace warden {

// Errors make the rule (or file) unusable; warnings do not (an unsupported
// Sigma logsource is skipped).
struct RuleDiagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  SourceLocation location;
  std::string rule_id;  // empty when the problem is not inside one rule
  std::string message;
  // "file:line:col: rule ID: message"
  std::string ToString() const;
};

}  // namespace warden
