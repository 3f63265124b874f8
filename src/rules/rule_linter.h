// The rule linter behind `warden rules lint`: everything the loader reports
// (YAML syntax, schema, regex compile errors with line:column), compile errors,
// and warnings about rules that load but will not do what their author meant:
//  - a pattern row whose columns all match everything (a flood);
//  - `^Create*`-style regexes (the `*` repeats the last letter only);
//  - nested quantifiers that can backtrack catastrophically (Warden bounds
//    them, but events the regex gives up on are not matched);
//  - field paths that are not fields of the rule's event source (typos such
//    as `eventname`): CloudTrail records or host events. With several
//    sources, each rule is checked against the one that knows most of its
//    fields, so a host rule file lints as host rules;
//  - enabled rules that can never fire (no pattern rows, no canary identity).
// It does not evaluate events; `warden rules test` does.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
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

// The fields the events of one source have, for the field-name check.
struct FieldVocabulary {
  std::string name;                                // "CloudTrail", "host event"
  std::function<bool(std::string_view path)> has;  // whether a dotted path is a field
  std::vector<std::string> names;                  // offered as "did you mean"
  bool top_level_names = false;                    // `names` are first segments, not whole paths
};
// CloudTrail records: a path is known when its first segment is a top-level
// key of CloudTrail records (event versions 1.0-1.10).
const FieldVocabulary& CloudTrailFields();
// OCI Audit events (CloudEvents 0.1 and 1.0 envelopes): rules with
// `provider: oci` are checked against it.
const FieldVocabulary& OciAuditFields();

// The source that knows most of the rule's fields (the first on a tie).
const FieldVocabulary& SourceOfRule(const Rule& rule,
                                    std::span<const FieldVocabulary* const> sources);

// Lints a rule file or a directory of them against `sources` (CloudTrail
// when empty).
LintReport LintRulePath(const std::string& path,
                        std::span<const FieldVocabulary* const> sources = {});
// Lints rules already loaded (warnings only; used by the above and by tests).
void LintRules(const std::vector<Rule>& rules, std::vector<RuleDiagnostic>* out,
               std::span<const FieldVocabulary* const> sources = {});

}  // namespace warden
