// The rule linter behind `warden rules lint`: everything the loader reports
// (YAML syntax, schema, regex compile errors with line:column), compile errors,
// and warnings about rules that load but will not do what their author meant:
//  - a pattern row whose columns all match everything (a flood);
//  - `^Create*`-style regexes (the `*` repeats the last letter only);
//  - nested quantifiers that can backtrack catastrophically (Warden bounds
//    them, but events the regex gives up on are not matched);
//  - field paths that are not CloudTrail fields (typos such as `eventname`);
//  - enabled rules that can never fire (no pattern rows, no canary identity).
// It does not evaluate events; `warden rules test` does.
#pragma once

#include <string>
#include <vector>

#include "core/yaml_reader.h"
#include "rules/rule.h"
#include "rules/rule_diagnostic.h"

namespace warden {

struct LintReport {
  std::vector<RuleDiagnostic> diagnostics;
  size_t files = 0;
  size_t rules = 0;
  size_t errors() const;
  size_t warnings() const;
};

// Lints a rule file or a directory of them.
LintReport LintRulePath(const std::string& path);
// Lints rules already loaded (warnings only; used by the above and by tests).
void LintRules(const std::vector<Rule>& rules, std::vector<RuleDiagnostic>* out);

}  // namespace warden
