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

// Bounds on any YAML Warden reads (rules, profiles, agent configuration).
// Nodes are counted as a reader walking the tree sees them: an alias counts
// every node of what it refers to, so an alias bomb (a list of aliases of a
// list of aliases...) is measured by what it expands to, not by its text.
struct YamlLimits {
  size_t max_bytes = 8u << 20;  // the text
  int max_depth = 64;           // nested collections, through aliases too
  uint64_t max_nodes = 200000;  // scalars, collections and expanded aliases
};

// The guard every YAML input goes through before yaml-cpp builds nodes from
// it. It rejects, with "source:line:column: ..." naming the limit:
//   - text larger than limits.max_bytes, control characters (a NUL ends
//     yaml-cpp's stream early) and a stray ',' flow indicator (a pre-scan:
//     clearer messages for the common cases);
//   - streams on which yaml-cpp 0.7 makes no progress: it then returns an
//     empty document at the same position forever (`"""",`, `[][],`, `{}{},`
//     and `"" "",` grew memory without bound), detected while counting;
//   - nesting deeper than limits.max_depth, more than limits.max_nodes nodes
//     (aliases expanded), and an alias inside the node it refers to (a cycle
//     every reader of the tree would follow forever).
// Counting runs yaml-cpp's event parser (no node tree is built) and stops at
// the first limit, so memory stays bounded whatever the text. A syntax error
// yaml-cpp finds is not reported here: the caller's parse of the same text
// stops at the same place (SafeLoadAllYaml says "invalid YAML: ...").
Status CheckYamlInput(std::string_view text, const std::string& source,
                      const YamlLimits& limits = {});

// Reads a YAML file of at most limits.max_bytes (a larger file, or a device
// that never ends, fails with the limit rather than being read whole).
Result<std::string> ReadYamlFile(const std::string& path, const YamlLimits& limits = {});

// CheckYamlInput, then every document of the text as yaml-cpp nodes. Any
// exception yaml-cpp throws (including std::bad_alloc) becomes an error
// Status naming `source` and the position.
Result<std::vector<YAML::Node>> SafeLoadAllYaml(std::string_view text, const std::string& source,
                                                const YamlLimits& limits = {});

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
