// The handlers of osquery's TLS remote API (/api/v1/osquery/*), so an
// unmodified osquery 5.x agent enrols into Warden and becomes a host with
// agent type `osquery`:
//
//   enrollOsquery        a Warden enrol secret -> a node key (the host is
//                        found or created like a Warden agent's)
//   getOsqueryConfig     schedule and packs from the scheduled queries that
//                        target the host (ScheduledQueriesForHost), options
//   pushOsqueryLogs      result lines -> `results` records through the same
//                        ingest as a Warden agent's (record_ingest.h);
//                        status lines counted (OsqueryStats, /metrics)
//   readOsqueryQueries   the host's pending live_query commands as
//                        {"queries": {name: SQL}, "accelerate": seconds},
//                        marked delivered as for a Warden agent; other
//                        command types are answered `rejected`
//   writeOsqueryResults  rows and statuses -> the live query target's rows
//                        and done/error, through the same store calls as a
//                        Warden agent's rows and command result
//                        (LiveQueryWriter::AppendChunk, RecordCommandResult)
//
// The dispatcher has authenticated the node key from the body (an osquery
// host's only) and validated the body against the spec. Every failure here
// answers osquery's shape (osquery_wire.h), never an empty body, and no
// handler waits for anything but the store (osquery gives up after 16 s).
//
// Not here: parsing osquery's bodies (osquery_wire.h), which queries are
// scheduled for a host (the caller's ScheduledQueriesForHost), anything
// Warden-only (problems, inventory, runtime events: osquery sends none).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/api_call.h"
#include "store/store.h"

namespace warden::server {

// One query of the host's osquery schedule.
struct OsqueryScheduledQuery {
  std::string name;  // the schedule key osquery reports as `name` in its result lines
  std::string sql;
  int64_t interval_seconds = 3600;
  bool snapshot = false;
  std::string pack;  // "" -> `schedule`; otherwise `packs.<pack>.queries`
};

// The scheduled queries that target `host`; an error makes the config
// request fail with an `error` body (osquery keeps its last config).
using OsqueryScheduleSource =
    std::function<Result<std::vector<OsqueryScheduledQuery>>(const store::Host& host)>;

struct OsqueryOptions {
  // osquery flags set through the config's `options` (settable remotely).
  int distributed_interval_seconds = 10;  // within the hosts' online window (30 s)
  int logger_tls_period_seconds = 10;
  // Sent as `accelerate` with queries: osquery then polls every 5 s.
  int accelerate_seconds = 60;
  // A delivered live query not answered by then is handed out again.
  store::EpochMs redeliver_after_ms = 60'000;
  int64_t max_queries_per_read = 100;
};

// Counters for /metrics. Thread-safe.
struct OsqueryStats {
  std::atomic<uint64_t> enrolments{0};
  std::atomic<uint64_t> result_lines{0};     // stored now (not duplicates)
  std::atomic<uint64_t> duplicate_lines{0};  // result lines stored before
  std::atomic<uint64_t> skipped_lines{0};    // not objects, or results without a name
  std::atomic<uint64_t> status_lines{0};
  std::atomic<uint64_t> status_errors{0};  // status lines with severity >= 2 (error, fatal)
  std::atomic<uint64_t> queries_delivered{0};
  std::atomic<uint64_t> answers{0};  // distributed answers applied
};

struct OsqueryContext {
  store::Store* store = nullptr;
  std::function<store::EpochMs()> now;
  OsqueryOptions options;
  // Empty: every host gets an empty schedule.
  OsqueryScheduleSource scheduled_queries;
  // Shared with the caller for /metrics; made when empty.
  std::shared_ptr<OsqueryStats> stats;
};

// Refusal of a Warden-only feature for a host whose agent lacks it (409).
inline constexpr std::string_view kErrorAgentFeatureUnavailable = "E_AGENT_FEATURE_UNAVAILABLE";

// What a host's agent does not offer, as the hosts API lists it
// (`agent.unavailable`): for osquery agents problems (from Warden's
// detectors), runtime_events, inventory (Warden's package and port
// snapshots, hence vulnerabilities), run_now_scans and dismiss_commands;
// nothing for Warden agents.
bool IsOsqueryHost(const store::Host& host);
const std::vector<std::string>& UnavailableFeatures(const store::Host& host);

// Registers enrollOsquery, getOsqueryConfig, pushOsqueryLogs,
// readOsqueryQueries and writeOsqueryResults. `context.store` must outlive
// the handlers.
void RegisterOsqueryHandlers(ApiHandlers& handlers, OsqueryContext context);

// The /metrics lines of `stats` (Prometheus text).
std::string OsqueryMetricsText(const OsqueryStats& stats);

}  // namespace warden::server
