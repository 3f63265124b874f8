// The WARDEN group: osquery's self-description tables (osquery_info,
// osquery_registry, osquery_flags, osquery_schedule, osquery_packs,
// osquery_extensions, osquery_events), answered about Warden so that fleet
// tooling written for osquery keeps working.
//
// What only a long-running agent knows (its schedule, packs, event
// publishers, config hash, the values its settings were given) reaches the
// tables through one process-wide WardenRuntimeStateSource. The agent installs
// it once at start-up; until then those tables report what a bare `warden
// query` has: no schedule, no packs, no publishers, config_valid 0. The source
// is called once per scan, on the query's thread, so it must be thread-safe
// and cheap (return a snapshot).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sql/table.h"

namespace warden {

// One scheduled query and its run statistics (osquery_schedule).
struct ScheduledQueryStats {
  std::string name;
  std::string query;
  int64_t interval = 0;  // seconds
  int64_t executions = 0;
  int64_t last_executed = 0;  // epoch seconds
  bool denylisted = false;
  int64_t output_size = 0;  // bytes of results produced, total
  int64_t wall_time_ms = 0;
  int64_t last_wall_time_ms = 0;
  int64_t user_time = 0;  // ms, total
  int64_t last_user_time = 0;
  int64_t system_time = 0;  // ms, total
  int64_t last_system_time = 0;
  int64_t average_memory = 0;  // bytes
  int64_t last_memory = 0;
};

// One query pack (osquery_packs).
struct QueryPackInfo {
  std::string name;
  std::string platform;
  std::string version;
  int64_t shard = 0;
  int64_t discovery_cache_hits = 0;
  int64_t discovery_executions = 0;
  bool active = false;
};

// One extension (osquery_extensions). The built-in "core" row is always
// reported by the table; list only real extensions here.
struct ExtensionInfo {
  int64_t uuid = 0;
  std::string name;
  std::string version;
  std::string sdk_version;
  std::string path;
  std::string type;  // "extension"
};

// One event publisher or subscriber (osquery_events).
struct EventSourceInfo {
  std::string name;
  std::string publisher;
  std::string type;  // "publisher" or "subscriber"
  int64_t subscriptions = 0;
  int64_t events = 0;
  int64_t refreshes = 0;
  bool active = false;
  // What the source leaves out and why, for `warden agent status` ("own
  // binary exempt: ...").
  std::string note;
};

struct WardenRuntimeState {
  std::string instance_id;  // "" = the per-process id osquery_info makes up
  std::string config_hash;  // hex digest of the loaded config, "" = none
  bool config_valid = false;
  // Current values of Warden's settings (osquery_flags "value"), by flag name.
  std::map<std::string, std::string> flag_values;
  std::vector<ScheduledQueryStats> schedule;
  std::vector<QueryPackInfo> packs;
  std::vector<ExtensionInfo> extensions;
  std::vector<EventSourceInfo> events;
};

using WardenRuntimeStateSource = std::function<WardenRuntimeState()>;

// Installs the process-wide source; an empty function removes it. Thread-safe.
void SetWardenRuntimeStateSource(WardenRuntimeStateSource source);
// The current state: the source's snapshot, or a default WardenRuntimeState
// when none is installed.
WardenRuntimeState CurrentWardenRuntimeState();

void RegisterOsqueryInfoTable(TableRegistry& registry);
void RegisterOsqueryRegistryTable(TableRegistry& registry);
void RegisterOsqueryFlagsTable(TableRegistry& registry);
void RegisterOsqueryScheduleTable(TableRegistry& registry);
void RegisterOsqueryPacksTable(TableRegistry& registry);
void RegisterOsqueryExtensionsTable(TableRegistry& registry);
void RegisterOsqueryEventsTable(TableRegistry& registry);

}  // namespace warden
