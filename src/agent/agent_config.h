// AgentConfig is everything `warden agent --config FILE` reads from its YAML
// file: the host's identity and labels, the detector recipe (one entry per
// detector under recipe.rules, each with enabled flag, risk level, schedule
// and the detector's own settings, read by the detector), scheduled
// queries, sinks, limits and where state lives. LoadAgentConfig checks the
// whole file before anything runs: every error names the file, line, column
// and the exact key path ("sinks[1].transport") with the reason, unknown keys
// are errors (with a "did you mean" hint), and nothing is half-applied. The
// documented reference is examples/agent.yaml; change both together.
// This file only parses and validates; it starts nothing and opens no sockets.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/server_link_config.h"
#include "core/finding.h"  // Json
#include "core/risk_level.h"
#include "core/status.h"
#include "delivery/sink.h"
#include "detectors/detector.h"

namespace warden {

struct QueryConfig {
  std::string name;
  std::string sql;
  bool enabled = true;
  ScheduleSpec schedule;
  enum class Mode { kDifferential, kSnapshot };
  Mode mode = Mode::kDifferential;
  bool report_removed = true;    // differential: emit "removed" rows
  int64_t timeout_ms = 0;        // 0 = limits.query_timeout
  int64_t max_memory_bytes = 0;  // 0 = limits.query_max_memory
};

struct LimitsConfig {
  // Average CPU of the agent over the last minute; above it, due jobs wait.
  double max_cpu_percent = 10;
  // Resident memory; above it the agent trims its heap and skips scheduled
  // queries until it is back under.
  int64_t max_rss_bytes = 150ll << 20;
  int64_t query_timeout_ms = 60000;
  int64_t query_max_memory_bytes = 64ll << 20;
};

struct ResultsConfig {
  bool numerics = true;  // typed values in result lines (osquery's logger_numerics)
  std::map<std::string, std::string> decorations;
  int64_t denylist_seconds = 86400;  // how long a query that crashed the agent is skipped
};

struct AgentConfig {
  std::string path;                          // the file it came from
  std::string host_identifier = "hostname";  // hostname | uuid | any literal
  std::map<std::string, std::string> labels;
  std::string state_dir;       // absolute after loading
  std::string control_socket;  // absolute after loading
  std::string recipe_name = "default";
  // Every registered detector, configured by recipe.rules (defaults when
  // the recipe does not name it).
  std::vector<DetectorConfig> detectors;
  std::vector<QueryConfig> queries;
  std::vector<SinkConfig> sinks;           // with the server's sink when `server` is set
  std::optional<ServerLinkConfig> server;  // the control-plane server, when enrolled
  LimitsConfig limits;
  ResultsConfig results;
  int64_t status_interval_seconds = 300;  // status records (0 = none)
  std::string hash;                       // sha256 of the file's bytes
  // The etag of the server's config laid over the file's (ServerConfigOverlay);
  // "" when the recipe and queries are the file's alone.
  std::string server_config_etag;

  const DetectorConfig* FindDetectorConfig(std::string_view id) const;
  const SinkConfig* FindSink(std::string_view name) const;
};

// What the control-plane server adds to the file's config: the host's
// effective recipe and its scheduled queries (the server's AgentConfig,
// kept by ServerLink in the state directory). Precedence, per key: the
// server's recipe.rules override the file's rule by rule and key by key
// (enabled, risk_level, schedule, and each top-level key of settings: a
// server's settings.allowed_tcp replaces the file's, the file's loopback
// stays when the server does not set it); what neither sets is the
// detector's built-in default. The server's queries are added to the
// file's under the server's names ("srv:NAME", so that their results are
// reported under the name the server knows); a file query of the same name
// makes the server's config refused.
struct ServerConfigOverlay {
  std::string etag;
  std::string recipe_name;      // "" keeps the file's
  Json rules = Json::object();  // rule id -> {enabled, risk_level, schedule, settings}
  std::vector<QueryConfig> queries;
};

// Reads and checks the server's AgentConfig (GET /api/v1/agent/config) with
// the agent's own readers: an error names the member at fault
// ("recipe.rules.HOST-VULN.settings.min_severity: ...", "queries[0].name: ...").
Result<ServerConfigOverlay> ParseServerConfigOverlay(const Json& config);

// Where state lives when the config does not say: /var/lib/warden for root,
// $XDG_STATE_HOME/warden (~/.local/state/warden) otherwise. WARDEN_STATE_DIR
// overrides both.
std::string DefaultStateDir();

// Parses YAML text; `source` names it in errors. Relative paths in the file
// resolve against state_dir (file sinks) or the directory of `source`.
// With `overlay`, the server's recipe and queries are laid over the file's
// (see ServerConfigOverlay).
Result<AgentConfig> ParseAgentConfig(const std::string& text, const std::string& source,
                                     const ServerConfigOverlay* overlay = nullptr);
// Reads and parses a file.
Result<AgentConfig> LoadAgentConfig(const std::string& path,
                                    const ServerConfigOverlay* overlay = nullptr);

// Only where a config puts the agent's state and control socket, read even
// from a file that is otherwise invalid (so `warden agent status --config
// FILE` still finds an agent that rejected a bad edit of FILE).
struct AgentLocation {
  std::string state_dir;
  std::string control_socket;
};
Result<AgentLocation> LoadAgentLocation(const std::string& path);

}  // namespace warden
