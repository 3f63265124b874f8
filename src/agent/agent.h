// Agent is `warden agent --config FILE`: the long-running process that runs
// the detector recipe and the scheduled queries on their schedules, keeps the
// problems, and sends records to the configured sinks. Its shape:
//   main thread   - one poll loop: signals (SIGHUP reload, SIGTERM/SIGINT
//                   stop), the control socket, and the timer of the next due
//                   job and of the self-measurement (every 10 s). Idle, it
//                   sleeps in poll.
//   job runners   - (job_runner.h) one runs the detector rules and scheduled
//                   queries one at a time, another the status heartbeat, each
//                   worker on its own SQL engine, problem store and state
//                   store. A job running 3 s past its budget is stuck: it is
//                   interrupted, shown in `status` as stuck with how long it
//                   has run, and left to finish on its own while a fresh
//                   worker runs the other jobs. At stop, a job that does not
//                   honour its interrupt within 2 s is abandoned, not joined:
//                   SIGTERM always ends the agent.
//   one delivery thread per network sink - drains that sink's durable queue
//                   with batching, pacing and exponential backoff.
//   event sources - their own threads, if any are registered.
// Reload (SIGHUP or the control socket): the new file is parsed and checked
// completely first; an invalid file is rejected with the exact key and
// reason, logged and shown by `warden agent status`, and the old config
// keeps running. A valid one replaces the runtime (jobs, sinks, queues);
// job history, problems and queued records live on disk and carry over.
// Limits: above limits.max_cpu_percent (1-minute average) due jobs wait;
// above limits.max_rss the agent trims its heap and skips scheduled queries
// until it is back under; each query has its own time and memory budget.
// Nothing here touches the host except through the SQL engine (tables) and
// HostFs (vulnerability scan).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "agent/event_source.h"
#include "core/finding.h"
#include "sql/sql_engine.h"

namespace warden {

// Makes the SQL engine detectors and scheduled queries run on. The CLI
// passes one built on HostSession, so the agent sees exactly the tables
// `warden query` sees. Called on the worker thread that will use the engine.
using HostSqlFactory = std::function<Result<std::shared_ptr<SqlEngine>>()>;

struct AgentOptions {
  std::string config_path;
  HostSqlFactory sql_factory;
  std::string host_root = "/";  // HostFs root for the vulnerability scan
  std::vector<EventSourceFactory> event_sources;
};

class Agent {
 public:
  explicit Agent(AgentOptions options);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Loads the config, starts everything and runs until SIGTERM or SIGINT.
  // Returns the process exit code (0 after a clean stop, 2 when the config
  // or the state directory is unusable at start).
  int Run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The host identifier of result lines and problems: the hostname, the
// machine uuid (/etc/machine-id), or the literal the config gives.
std::string ResolveHostIdentifier(const AgentConfig& config);

// Sends one test record straight to a sink (no queue) and reports how it went:
// {"ok", "sink", "type", "destination", "record_id", "elapsed_ms", "error"}.
Json SendTestRecord(const SinkConfig& sink, const std::string& host_identifier);

// Paths inside the state directory.
std::string StateFilePath(const std::string& state_dir);  // state.db
std::string QueueFilePath(const std::string& state_dir,
                          const std::string& sink_name);  // queues/<sink>.db

}  // namespace warden
