// Helpers the rule loaders (native YAML, Sigma) and the cloud profile loader
// share for reading yaml-cpp nodes without exceptions leaking: locations from
// node marks (1-based line:column), scalar/list/bool/number readers that
// return Status naming the key, and the diagnostics list loaders fill.
// Only for loaders: evaluation never sees YAML.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "rules/rule.h"

namespace warden {

// One problem found while loading rules. Errors make the rule (or file)
// unusable; warnings do not (an unsupported Sigma logsource is skipped).
struct RuleDiagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  SourceLocation location;
  std::string rule_id;  // empty when the problem is not inside one rule
  std::string message;
  // "file:line:col: rule ID: message"
  std::string ToString() const;
};

SourceLocation LocationOf(const std::string& file, const YAML::Node& node);
// The location of byte `offset` inside a scalar's text (for regex errors):
// exact for plain and single-line quoted scalars, the scalar's start otherwise.
SourceLocation LocationInScalar(const std::string& file, const YAML::Node& node, size_t offset);

// Parses YAML text (all documents) without letting yaml-cpp misbehave:
// yaml-cpp 0.7 allocates without bound on a stray ',' flow indicator outside
// [...] / {...} and stops early at a NUL (both invalid YAML anyway), so such
// text is rejected first with its line:column; any exception yaml-cpp throws
// (including std::bad_alloc) becomes an error Status naming `source` and the
// position.
Result<std::vector<YAML::Node>> SafeLoadAllYaml(std::string_view text, const std::string& source);

// Readers: each fails with InvalidArgument("<what>: expected ...").
Result<std::string> ReadScalar(const YAML::Node& node, const std::string& what);
// A scalar or a list of scalars.
Result<std::vector<std::string>> ReadStringList(const YAML::Node& node, const std::string& what);
Result<bool> ReadBool(const YAML::Node& node, const std::string& what);
Result<double> ReadNumber(const YAML::Node& node, const std::string& what);
// "300", "300s", "5m", "1h", "1d" -> seconds.
Result<int64_t> ReadDuration(const YAML::Node& node, const std::string& what);

// The closest of `candidates` to `word` when it is plausibly a typo.
std::optional<std::string> SuggestKey(const std::string& word,
                                      const std::vector<std::string>& candidates);

}  // namespace warden
