// CommandHub answers the agents' command long-polls
// (GET /api/v1/agent/commands?wait=N): at once when the host has pending
// commands, otherwise the poll is parked - its HttpResponder kept, no
// thread held - and answered as soon as a command for the host is queued
// (Notify) or with an empty list when its wait is over. One thread serves
// every parked poll: it sleeps until the earliest deadline or a wake-up,
// reads the woken hosts' commands and answers. A client that goes away
// releases its poll at once (OnClientGone).
//
// Delivered commands are marked in the store (with the scan targets they
// ask moved to running, scan_progress.h) before the answer is sent; a
// command delivered but not answered with a result is delivered again after
// `redeliver_after` (the agent may have restarted), so agents must ignore a
// command id they already ran.
//
// Every answer carries the host's config etag (`config_etag`, when the
// options give a way to read it). A poll that says which config the agent
// runs (`agent_etag`) is answered at once when the host's is another, and a
// parked one as soon as ConfigsChanged finds that the host's changed, so a
// recipe change reaches an online agent within one long-poll without any
// stored command.
//
// Thread-safe. Not here: what a command means, who may queue it, HTTP.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/finding.h"  // Json
#include "server/http_responder.h"
#include "store/store.h"

namespace warden::server {

struct CommandHubOptions {
  std::chrono::milliseconds max_wait{10'000};
  std::chrono::milliseconds redeliver_after{60'000};
  int64_t max_commands_per_answer = 100;
  // The etag of a host's current config (nullopt when unknown); null: answers
  // carry none.
  std::function<std::optional<std::string>(int64_t host_id)> config_etag;
};

class CommandHub {
 public:
  // `now` gives the store's times (created, delivered); deadlines use the
  // steady clock.
  CommandHub(store::Store& store, std::function<store::EpochMs()> now,
             CommandHubOptions options = {});
  // Shutdown(), then joins the thread.
  ~CommandHub();
  CommandHub(const CommandHub&) = delete;
  CommandHub& operator=(const CommandHub&) = delete;

  // Answers host `host_id`'s poll through `responder` within `wait`
  // (capped at max_wait): 200 {"commands": [...]} (AgentCommandList), or an
  // error response when the store fails.
  // `agent_etag`: the etag of the config the agent runs ("" = not said).
  void Poll(int64_t host_id, std::chrono::milliseconds wait, const HttpResponder& responder,
            std::string agent_etag = "");

  // Some host's config may have changed: every parked poll whose agent runs
  // a config other than its host's current one is answered (no commands).
  void ConfigsChanged();

  // A command for `host_id` was committed: wakes its parked polls.
  void Notify(int64_t host_id);

  // Queues a command and wakes the host's polls once it is committed.
  store::Pending<store::AgentCommandRow> Queue(store::NewAgentCommand command);

  // Answers every parked poll with an empty list and stops parking: a poll
  // from then on is answered at once (pending commands or an empty list),
  // so a server stopping does not wait out long-polls. Idempotent.
  void Shutdown();
  // Parked polls now (for /metrics and tests).
  size_t parked() const;

  // The wire form of a command (the spec's AgentCommand).
  static Json CommandJson(const store::AgentCommandRow& command);

 private:
  using Clock = std::chrono::steady_clock;
  struct Waiter {
    int64_t host_id = 0;
    Clock::time_point deadline;
    HttpResponder responder;
    std::string agent_etag;
  };
  // The parked polls, shared with the OnClientGone callbacks (which may run
  // after the hub is gone, and then find nothing to do).
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool stopping = false;
    uint64_t next_id = 1;
    std::map<uint64_t, Waiter> waiters;
    std::set<std::pair<Clock::time_point, uint64_t>> by_deadline;
    std::unordered_multimap<int64_t, uint64_t> by_host;
    std::unordered_set<int64_t> woken;
    bool configs_changed = false;
    // Bumped by Notify, so a poll that read "nothing pending" just before a
    // command committed does not park past it.
    std::unordered_map<int64_t, uint64_t> generation;
    void Remove(uint64_t id);  // with mu held
  };

  // Reads the host's pending commands; when there are some, marks them
  // delivered and answers after the commit. False when there were none.
  bool TryDeliver(int64_t host_id, const HttpResponder& responder);
  void Park(int64_t host_id, Clock::time_point deadline, const HttpResponder& responder,
            const std::string& agent_etag);
  // The answer listing `commands`, with the host's config etag.
  HttpResponse Answer(int64_t host_id, const std::vector<store::AgentCommandRow>& commands) const;
  // Answers the parked polls whose agent's config is stale.
  void AnswerStaleConfigs();
  void Loop();

  store::Store& store_;
  std::function<store::EpochMs()> now_;
  CommandHubOptions options_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::thread thread_;
};

}  // namespace warden::server
