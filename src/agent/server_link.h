// ServerLink is the agent's side of the control-plane server's command
// channel: one thread, started by the agent when its config has a `server:`
// section, that
//   - long-polls GET /api/v1/agent/commands?wait=N and executes each command:
//       dismiss / undismiss {problem_id, comment, until_ms} on the agent's
//         problem store (state.db), so the decision survives agent restarts,
//         with the problem event routed to the sinks like a local dismissal;
//       run_detector {rule_ids} - the same as `warden agent run-now RULE`
//         (every enabled scheduled rule when the list is empty);
//       reload_config - the same as SIGHUP, once its result is posted (the
//         reload restarts this link);
//       anything else (live_query) is answered `rejected`;
//     then answers POST /api/v1/agent/commands/{id}/result {status, error,
//     output, finished_at_ms}. A command delivered again (its result was
//     lost) gets the result it had, without running twice.
//   - pulls GET /api/v1/agent/config with If-None-Match every
//     config_refresh_seconds and keeps the newest etag and settings; it logs
//     what changed. The settings' poll_wait_seconds and
//     config_refresh_seconds drive this thread; applying the recipe and the
//     other settings is not done yet.
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
#include <string>
#include <thread>
#include <vector>

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

struct ServerLinkOptions {
  ServerEndpoint endpoint;
  std::string state_dir;                  // the problem store lives in <state_dir>/state.db
  std::vector<std::string> detector_ids;  // enabled scheduled rules (run_detector with no ids)
  // Starts a job now (the control socket's run-now); NotFound for an unknown job.
  std::function<Status(const std::string& job)> run_now;
  // Asks the agent to reload its config file.
  std::function<void()> request_reload;
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
  CommandOutcome Execute(const Json& command);

  ServerSettings settings() const;
  std::string config_etag() const;
  // For `warden agent status`: {"url", "config_etag", "last_contact",
  // "last_error", "commands"}.
  Json StatusJson() const;

 private:
  void Loop();
  void WaitMs(int64_t ms);
  Status PostResult(const std::string& command_id, const CommandOutcome& outcome);
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
  Json last_config_;             // under mu_
  int64_t last_contact_ms_ = 0;  // under mu_
  std::string last_error_;       // under mu_
  int64_t commands_run_ = 0;     // under mu_
  // Results of commands already run, by id (a re-delivered command is answered again).
  std::map<std::string, CommandOutcome> done_;
  bool reload_pending_ = false;  // reload_config ran; reload once its result is posted
};

}  // namespace warden
