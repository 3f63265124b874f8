// Loads Sigma rules (https://sigmahq.io) for `logsource: {product: aws,
// service: cloudtrail}` (and, Warden's own convention as SigmaHQ defines no
// OCI log source, `{product: oci, service: audit}`) into Warden's Rule model,
// so a Sigma rule runs on the same engine as native rules. Rules for other log
// sources are skipped with a warning (a directory of mixed rules still loads).
//
// Missing fields follow the Sigma specification: a value, wildcard or
// modifier (`'*'`, `|contains: '*'`, `|re: '.*'`, `''`) never matches a field
// that is missing, null or an empty array; `null` matches exactly those, and
// `|exists: true` needs a value that is not null (an empty string counts).
//
// Supported, following the Sigma specification:
//  - search identifiers as mappings (AND of fields), lists of mappings (OR),
//    lists of strings (keywords: the event text contains the string);
//  - values: equality with wildcards `*` `?` (escape with `\`), lists (OR),
//    null (field missing, null or an empty array); case-insensitive unless
//    `|cased`;
//  - modifiers contains, startswith, endswith, all, re (with i, m, s), cidr,
//    exists, cased, fieldref, gt, gte, lt, lte;
//  - conditions: and, or, not, parentheses, `1 of x*`, `any of x*`,
//    `all of x*`, `them` (identifiers starting with `_` are not in `them`),
//    and a list of conditions (OR).
// Not supported (an error naming it): aggregations (`| count() ...`),
// correlation rules, the base64/utf16/windash/expand modifiers.
//
// Mapping: Sigma `id` -> rule id (the title when there is no id), level
// informational/low -> low, medium -> medium, high -> high, critical ->
// very_high; status deprecated -> disabled; references -> links.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "core/yaml_reader.h"
#include "rules/rule.h"
#include "rules/rule_diagnostic.h"

namespace warden {

// True when the YAML document looks like a Sigma rule (has `detection`).
bool IsSigmaDocument(const YAML::Node& doc);

// Parses one Sigma rule document; problems go to `diagnostics` (errors, or a
// warning for an unsupported logsource) and yield std::nullopt.
std::optional<Rule> ParseSigmaRule(const YAML::Node& doc, const std::string& file,
                                   std::vector<RuleDiagnostic>* diagnostics);

}  // namespace warden
