// Warden's one YAML reader, used by every loader of YAML (rules, profiles,
// the agent's config with its detector and sink settings):
//   - the bounded input guard every YAML text goes through before yaml-cpp
//     builds nodes from it (CheckYamlInput, ReadYamlFile, SafeLoadAllYaml);
//   - one grammar for durations ("250ms", "300", "300s", "5m", "1h", "1d":
//     a plain number is seconds) and byte sizes ("512", "100B", "512KB",
//     "64MB", "1GiB": K, M and G are powers of 1024, with or without B or iB);
//   - one wording for unknown keys ("unknown key 'x'; did you mean 'y'?");
//   - locations from node marks (1-based line:column), and typed readers that
//     return a Status instead of letting yaml-cpp's exceptions out.
// YamlReader is the keyed form the config loaders use: every error is
// "source:line:column: key.path: reason", unknown keys are errors, and
// ${NAME} in strings can be taken from the environment (secrets stay out of
// files). Evaluation never sees YAML: loaders turn nodes into typed values.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/source_location.h"
#include "core/status.h"

namespace warden {

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
// The same for a single document: the first one (a null node for empty
// text). Syntax errors read "source:line:col: YAML syntax error: ...".
Result<YAML::Node> SafeLoadYaml(std::string_view text, const std::string& source,
                                const YamlLimits& limits = {});

SourceLocation LocationOf(const std::string& file, const YAML::Node& node);
// The location of byte `offset` inside a scalar's text (for regex errors):
// exact for plain and single-line quoted scalars, the scalar's start otherwise.
SourceLocation LocationInScalar(const std::string& file, const YAML::Node& node, size_t offset);

// The duration grammar: an integer and an optional unit (ms, s, m, h, d); a
// plain integer is seconds. Returns milliseconds; nullopt when malformed,
// negative or above ~34 years.
std::optional<int64_t> ParseDurationMs(std::string_view text);
inline constexpr std::string_view kDurationHint =
    "expected a duration like 500ms, 30s, 5m, 1h or 1d";
// The size grammar: an integer and an optional unit (B, K/KB/KiB, M/MB/MiB,
// G/GB/GiB, case-insensitive, powers of 1024). Returns bytes; nullopt when
// malformed, negative or above 1 PiB.
std::optional<int64_t> ParseByteSize(std::string_view text);
inline constexpr std::string_view kSizeHint = "expected a size like 512KB, 64MB or 1GB";

// Readers for loaders that collect diagnostics: each fails with
// InvalidArgument("<what>: expected ...").
Result<std::string> ReadScalar(const YAML::Node& node, const std::string& what);
// A scalar or a list of scalars.
Result<std::vector<std::string>> ReadStringList(const YAML::Node& node, const std::string& what);
Result<bool> ReadBool(const YAML::Node& node, const std::string& what);
Result<double> ReadNumber(const YAML::Node& node, const std::string& what);
// A positive duration in whole seconds (the duration grammar).
Result<int64_t> ReadDuration(const YAML::Node& node, const std::string& what);

// The closest of `candidates` to `word` when it is plausibly a typo.
std::optional<std::string> SuggestKey(const std::string& word,
                                      const std::vector<std::string>& candidates);
// "; did you mean 'risk_level'?" when SuggestKey has one, else "": the one
// wording every loader appends to "unknown key 'risk'".
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);

// Reads one YAML file's nodes with keyed errors: "source:line:col: key: reason".
// Copyable and cheap; not thread-safe.
class YamlReader {
 public:
  // `base_dir` resolves relative paths (ResolvePath); "" = the current directory.
  explicit YamlReader(std::string source, std::string base_dir = "");

  const std::string& source() const { return source_; }
  const std::string& base_dir() const { return base_dir_; }

  Status Error(const YAML::Node& node, const std::string& key, const std::string& reason) const;
  // Fails on keys outside `allowed`, pointing at the key itself:
  // "key.path.bad: unknown key 'bad'; did you mean 'good'?" (or "; known
  // keys: a, b, c" when nothing is close). A non-mapping fails too.
  Status CheckKeys(const YAML::Node& map, const std::string& path,
                   const std::vector<std::string>& allowed) const;
  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  // A scalar; ${NAME} is replaced by the environment variable NAME when
  // environment expansion is on (an unset one is an error unless allowed).
  Result<std::string> String(const YAML::Node& n, const std::string& key) const;
  Result<bool> Bool(const YAML::Node& n, const std::string& key) const;
  Result<int64_t> Int(const YAML::Node& n, const std::string& key, int64_t min, int64_t max) const;
  Result<double> Number(const YAML::Node& n, const std::string& key, double min, double max) const;
  // The duration grammar, in milliseconds, at least min_ms.
  Result<int64_t> DurationMs(const YAML::Node& n, const std::string& key, int64_t min_ms) const;
  // The size grammar, in bytes, at least min_bytes.
  Result<int64_t> Size(const YAML::Node& n, const std::string& key, int64_t min_bytes) const;
  // A mapping of names to strings (null = empty).
  Result<std::map<std::string, std::string>> StringMap(const YAML::Node& n,
                                                       const std::string& key) const;
  // A scalar or a list of scalars (null = empty); `hint` completes "expected ...".
  Result<std::vector<std::string>> StringList(const YAML::Node& n, const std::string& key,
                                              const std::string& hint) const;
  // One of `choices`, else "expected a, b or c, got 'x'".
  Result<std::string> Choice(const YAML::Node& n, const std::string& key,
                             const std::vector<std::string>& choices) const;

  // A path: absolute as given, relative ones against `base` ("" = base_dir()).
  std::string ResolvePath(const std::string& path, const std::string& base = "") const;

  // Environment expansion of ${NAME} in String().
  void set_expand_environment(bool on) { expand_env_ = on; }
  // Unset variables expand to "" instead of failing (a disabled sink may
  // name secrets that are not set on this host).
  void set_allow_unset_environment(bool on) { allow_unset_env_ = on; }

 private:
  Result<std::string> ExpandEnvironment(const YAML::Node& n, const std::string& key,
                                        const std::string& text) const;

  std::string source_;
  std::string base_dir_;
  bool expand_env_ = false;
  bool allow_unset_env_ = false;
};

// True when the node is there and has content (not null, not an empty list or map).
bool YamlHasContent(const YAML::Node& n);

}  // namespace warden
