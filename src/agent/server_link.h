// ServerLink is the agent's side of the control-plane server's command
// channel: one thread, started by the agent when its config has a `server:`
// section, that
//   - long-polls GET /api/v1/agent/commands?wait=N and executes each command:
//       dismiss / undismiss {problem_id, comment, until_ms} on the agent's
//         problem store (state.db), so the decision survives agent restarts,
//         with the problem event routed to the sinks like a local dismissal;
//       run_detector {rule_ids, scan_id} - the same as `warden agent
//         run-now RULE` (every enabled scheduled rule when the list is
//         empty), answered once every run it started has ended: succeeded
//         when each ended ok or skipped, failed otherwise (or when a rule
//         is not a job here), with the runs as output {"runs": [{rule_id,
//         started_at_ms, duration_ms, outcome, result, next_run_ms, runs,
//         failures}]} (the spec's RunDetectorOutput). While runs are going
//         on, the long-poll waits at most 1 s, so their result is posted
//         soon after they end;
//       reload_config - the same as SIGHUP, once its result is posted (the
//         reload restarts this link);
//       live_query {query_id, sql} - runs the SQL as it is (never edited or
//         interpolated) with the agent's query time and memory budgets, on
//         this thread, then sends the rows in chunks of at most 1,000 rows
//         and 1 MiB (POST /api/v1/agent/commands/{id}/rows, seq from 0;
//         the columns ride with every chunk, so even no rows tell them) and
//         answers succeeded with output {rows, duration_ms}; a SQL error or
//         a budget overrun is answered failed with its message. A chunk the
//         server could not take (503, unreachable) is sent again after its
//         Retry-After or a growing jittered wait, until the server takes it
//         or answers 409 (it no longer waits: cancelled or given up; ten
//         minutes at most), which stops the sending;
//       anything else is answered `rejected`;
//     then answers POST /api/v1/agent/commands/{id}/result {status, error,
//     output, finished_at_ms}. A command delivered again (its result was
//     lost) gets the result it had, without running twice.
//   - pulls GET /api/v1/agent/config with If-None-Match every
//     config_refresh_seconds, and at once when a command poll's answer
//     carries a `config_etag` other than the one it has (the server wakes
//     the host's poll when its effective config changes, so a change
//     arrives within one long-poll). A config whose recipe or queries
//     changed is checked first (`check_config`: the agent's own readers,
//     laid over its file); a refused one is logged with the member at fault
//     and the previous one kept. An accepted one is kept in
//     <state_dir>/server_config.json (so a restart without the server runs
//     it too) and applied through the agent's reload (`request_reload`, the
//     same as SIGHUP), which lays it over the file's config
//     (agent_config.h, ServerConfigOverlay). The settings' poll_wait_seconds
//     and config_refresh_seconds drive this thread; the other settings are
//     not applied yet.
// When the server cannot be reached it backs off exponentially with jitter
// (1 s doubling to 60 s); on 401 (the host was revoked) it says so once and
// waits for a new node key (a new `warden agent enroll`). Stop() returns
// promptly: a long-poll in flight is aborted.
// Records (problems, results, status, inventory) do not go through here:
// they take the `server` sink's durable queue (delivery/server_sink.h).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/scheduled_query.h"  // BudgetedQueryResult
#include "delivery/http_poster.h"
#include "delivery/record_router.h"
#include "delivery/server_sink.h"
#include "problems/problem_repository.h"

namespace warden {

// The `settings` of the server's AgentConfig.
struct ServerSettings {
  int poll_wait_seconds = 10;
  int config_refresh_seconds = 300;
  int status_interval_seconds = 300;
  int max_records_per_second = 500;
  int max_batch_records = 200;
};

// How one run of a job ended (what run_detector's result reports).
struct JobRunReport {
  std::string job;
  int64_t started_ms = 0;
  int64_t duration_ms = 0;
  std::string outcome;  // ok | error | skipped | stopped
  std::string result;   // as the status shows it ("ok: 3 found")
  int64_t next_run_ms = 0;
  int64_t runs = 0;
  int64_t failures = 0;
};
// Called once, on a job worker thread, when the run asked for has ended.
using JobRunCallback = std::function<void(const JobRunReport&)>;

struct ServerLinkOptions {
  ServerEndpoint endpoint;
  std::string state_dir;                  // the problem store lives in <state_dir>/state.db
  std::vector<std::string> detector_ids;  // enabled scheduled rules (run_detector with no ids)
  // Starts a job now (the control socket's run-now); NotFound for an unknown
  // job. `on_finished` (when set) is called once the run that starts after
  // this request has ended (a run going on now runs again after it).
  std::function<Status(const std::string& job, JobRunCallback on_finished)> run_now;
  // Runs a live query's SQL under the agent's query budgets (on the link's
  // thread). Null: live_query commands are answered failed.
  std::function<Result<BudgetedQueryResult>(const std::string& sql)> run_query;
  // Asks the agent to reload its config file.
  std::function<void()> request_reload;
  // Checks a server config (AgentConfig) before it is kept and applied: the
  // error names the member at fault. Null: every config is accepted.
  std::function<Status(const Json& config)> check_config;
  // Where the problem events of dismissals go. May be null.
  RecordRouter* router = nullptr;
  // Called once on the link's thread when it starts (the first inventory).
  std::function<void()> on_start;
  // Test seam; null = libcurl.
  std::function<std::unique_ptr<HttpPoster>()> http_poster;
  std::function<void(const std::string&)> log;
  int64_t backoff_initial_ms = 1000;
  int64_t backoff_max_ms = 60000;
};

// How one command ended (AgentCommandResult).
struct CommandOutcome {
  std::string status = "succeeded";  // succeeded | failed | rejected
  std::string error;
  Json output;  // null when none
};

// Where the link keeps the last accepted server config, and reading it
// back: nullopt when there is none (or it is unreadable: then it is as if
// the server had sent nothing yet).
std::string KeptServerConfigPath(const std::string& state_dir);
std::optional<Json> ReadKeptServerConfig(const std::string& state_dir);

class ServerLink {
 public:
  explicit ServerLink(ServerLinkOptions options);
  ~ServerLink();
  ServerLink(const ServerLink&) = delete;
  ServerLink& operator=(const ServerLink&) = delete;

  // Starts the thread (once).
  void Start();
  // Ends the thread; aborts a request in flight. Idempotent.
  void Stop();

  // One long-poll and the commands it brought (executed and answered).
  // PermissionDenied when the server refused the node key.
  Status PollCommandsOnce(int wait_seconds);
  // One config pull (If-None-Match the newest etag).
  Status RefreshConfigOnce();
  // Runs one AgentCommand; on the link's thread (or a test's), one at a time.
  // reload_config only takes effect in PollCommandsOnce, after its result.
  // nullopt for a run_detector whose runs started: its outcome comes when
  // they have ended (TakeFinished; PollCommandsOnce posts it).
  std::optional<CommandOutcome> Execute(const Json& command);
  // Outcomes of commands whose runs have ended since the last call, by
  // command id (removed from the link's care: the caller posts them).
  std::map<std::string, CommandOutcome> TakeFinished();
  // Commands whose runs are still going on.
  size_t InFlight() const;

  ServerSettings settings() const;
  std::string config_etag() const;
  // For `warden agent status`: {"url", "config_etag", "config_refused",
  // "last_contact", "last_error", "commands"}.
  Json StatusJson() const;

 private:
  void Loop();
  void WaitMs(int64_t ms);
  Status PostResult(const std::string& command_id, const CommandOutcome& outcome);
  // Sends a live query's rows in chunks (see above).
  Status PostRows(const std::string& command_id, const BudgetedQueryResult& result);
  // Posts the outcomes of commands whose runs have ended (kept to retry when
  // the server cannot take them).
  Status PostFinished();
  Result<HttpResponse> Send(HttpRequest request);
  Result<ProblemRepository*> Problems();

  ServerLinkOptions options_;
  std::unique_ptr<HttpPoster> poster_;
  std::string node_key_;
  std::unique_ptr<ProblemRepository> problems_;  // opened on the link's thread

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  ServerSettings settings_;      // under mu_
  std::string etag_;             // under mu_
  Json last_config_;             // under mu_; the last accepted config
  std::string refused_;          // under mu_; why the newest config was refused
  int64_t last_contact_ms_ = 0;  // under mu_
  std::string last_error_;       // under mu_
  int64_t commands_run_ = 0;     // under mu_
  // Results of commands already run, by id (a re-delivered command is answered again).
  std::map<std::string, CommandOutcome> done_;
  // run_detector commands whose runs are going on, and those whose runs
  // ended (outcome to post). Shared with the job callbacks, which may run
  // after this link is gone.
  struct RunsInFlight;
  std::shared_ptr<RunsInFlight> in_flight_;
  std::map<std::string, CommandOutcome> unposted_;  // ended, result not yet taken by the server
  bool reload_pending_ = false;  // reload_config ran; reload once its result is posted
};

}  // namespace warden
