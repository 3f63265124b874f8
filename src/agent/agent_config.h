// AgentConfig is everything `warden agent --config FILE` reads from its YAML
// file: the host's identity and labels, the detector recipe (one entry per
// rule, each with enabled flag, risk level, schedule and settings), scheduled
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
#include "core/risk_level.h"
#include "core/status.h"
#include "delivery/sink.h"
#include "vuln/severity.h"

namespace warden {

// When a job runs: every `interval` seconds plus a random splay, or at fixed
// times of day.
struct ScheduleSpec {
  enum class Kind { kInterval, kDaily };
  Kind kind = Kind::kInterval;
  int64_t interval_seconds = 3600;
  // Each run is delayed by a random 0..splay_percent% of the interval, so a
  // fleet started together does not hit the same servers at once.
  int splay_percent = 10;
  std::vector<int> daily_minutes;  // minutes after midnight, sorted, unique
  bool utc = true;                 // daily times in UTC (true) or local time
  // Run soon after the agent starts when no earlier run is on record (or the
  // last one is older than the interval / a daily slot was missed).
  bool run_at_start = true;
  // "every 5m (splay 10%)" / "daily at 03:00, 15:30 UTC"
  std::string Describe() const;
};

struct PortRange {
  int first = 0;
  int last = 0;
  bool Contains(int port) const { return port >= first && port <= last; }
};

// Rule HOST-OPEN-PORTS ("Processes listening on open ports").
struct OpenPortsSettings {
  std::vector<PortRange> allowed_tcp;
  std::vector<PortRange> allowed_udp;
  // Sockets bound only to loopback (127.0.0.0/8, ::1) cannot be reached from
  // the network; by default they are not problems.
  bool report_loopback = false;
};

// Rule HOST-VULN ("Scanned host has vulnerabilities").
struct VulnSettings {
  Severity min_severity = Severity::kHigh;
  bool include_unfixed = false;
  std::string feed_database;  // "" = DefaultFeedDatabasePath()
};

// Rule HOST-RUNTIME ("Kernel-level runtime detection"): the eBPF collector
// (src/ebpf) runs continuously inside the agent and its host rules raise
// problems as events happen; it has no schedule.
struct RuntimeSettings {
  std::vector<std::string> rule_paths;       // extra host rule files/directories (absolute)
  bool forward_events = false;               // also send every host event to `events` sinks
  std::string syscall_events = "hooks";      // hooks | dispatcher | off (src/ebpf/event_source.h)
  std::string tier = "auto";                 // auto | ebpf | fallback
  std::vector<std::string> sensitive_paths;  // empty = the collector's defaults
};

inline constexpr std::string_view kOpenPortsRuleId = "HOST-OPEN-PORTS";
inline constexpr std::string_view kVulnRuleId = "HOST-VULN";
inline constexpr std::string_view kRuntimeRuleId = "HOST-RUNTIME";

struct RuleConfig {
  std::string id;
  bool enabled = true;
  RiskLevel risk_level = RiskLevel::kMedium;
  ScheduleSpec schedule;
  OpenPortsSettings open_ports;  // when id == HOST-OPEN-PORTS
  VulnSettings vuln;             // when id == HOST-VULN
  RuntimeSettings runtime;       // when id == HOST-RUNTIME
  // Scheduled rules run as jobs; a continuous one (HOST-RUNTIME) runs as an
  // event source for as long as the agent does.
  bool continuous() const { return id == kRuntimeRuleId; }
};

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
  std::vector<RuleConfig> rules;
  std::vector<QueryConfig> queries;
  std::vector<SinkConfig> sinks;           // with the server's sink when `server` is set
  std::optional<ServerLinkConfig> server;  // the control-plane server, when enrolled
  LimitsConfig limits;
  ResultsConfig results;
  int64_t status_interval_seconds = 300;  // status records (0 = none)
  std::string hash;                       // sha256 of the file's bytes

  const RuleConfig* FindRule(std::string_view id) const;
  const SinkConfig* FindSink(std::string_view name) const;
};

// Where state lives when the config does not say: /var/lib/warden for root,
// $XDG_STATE_HOME/warden (~/.local/state/warden) otherwise. WARDEN_STATE_DIR
// overrides both.
std::string DefaultStateDir();

// Parses YAML text; `source` names it in errors. Relative paths in the file
// resolve against state_dir (file sinks) or the directory of `source`.
Result<AgentConfig> ParseAgentConfig(const std::string& text, const std::string& source);
// Reads and parses a file.
Result<AgentConfig> LoadAgentConfig(const std::string& path);

// Only where a config puts the agent's state and control socket, read even
// from a file that is otherwise invalid (so `warden agent status --config
// FILE` still finds an agent that rejected a bad edit of FILE).
struct AgentLocation {
  std::string state_dir;
  std::string control_socket;
};
Result<AgentLocation> LoadAgentLocation(const std::string& path);

// "22", "8000-8100" -> PortRange; false when malformed or outside 1..65535.
bool ParsePortRange(std::string_view text, PortRange* out);

}  // namespace warden
