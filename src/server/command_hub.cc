#include "server/command_hub.h"

#include <algorithm>
#include <tuple>

#include "api/api_error.h"
#include "server/http_json.h"
#include "server/scan_progress.h"

namespace warden::server {
namespace {

HttpResponse CommandList(const std::vector<store::AgentCommandRow>& commands,
                         const std::optional<std::string>& config_etag = std::nullopt) {
  Json list = Json::array();
  for (const store::AgentCommandRow& c : commands) list.push_back(CommandHub::CommandJson(c));
  Json answer = {{"commands", std::move(list)}};
  if (config_etag) answer["config_etag"] = *config_etag;
  return JsonResponse(200, answer);
}

HttpResponse StoreError(const Status& status) {
  if (status.code() == StatusCode::kUnavailable) {
    HttpResponse r = JsonResponse(
        503, api::ErrorJson(api::kErrorUnavailable, "the store is busy; poll again shortly"));
    r.headers.Set("Retry-After", "1");
    return r;
  }
  return ErrorResponseForStatus(status);
}

}  // namespace

CommandHub::CommandHub(store::Store& store, std::function<store::EpochMs()> now,
                       CommandHubOptions options)
    : store_(store), now_(std::move(now)), options_(options) {
  thread_ = std::thread([this] { Loop(); });
}

CommandHub::~CommandHub() {
  Shutdown();
  thread_.join();
}

void CommandHub::Shutdown() {
  std::vector<HttpResponder> left;
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
    for (auto& [id, w] : state_->waiters) left.push_back(w.responder);
    state_->waiters.clear();
    state_->by_deadline.clear();
    state_->by_host.clear();
  }
  state_->cv.notify_all();
  for (const HttpResponder& r : left) r.Send(CommandList({}));
}

Json CommandHub::CommandJson(const store::AgentCommandRow& c) {
  Json args = Json::parse(c.args_json, nullptr, false);
  if (!args.is_object()) args = Json::object();
  return {{"id", std::to_string(c.id)},
          {"type", c.type},
          {"args", std::move(args)},
          {"created_at_ms", c.created_at}};
}

HttpResponse CommandHub::Answer(int64_t host_id,
                                const std::vector<store::AgentCommandRow>& commands) const {
  return CommandList(commands, options_.config_etag ? options_.config_etag(host_id)
                                                    : std::optional<std::string>());
}

size_t CommandHub::parked() const {
  std::lock_guard lock(state_->mu);
  return state_->waiters.size();
}

bool CommandHub::TryDeliver(int64_t host_id, const HttpResponder& responder) {
  const store::EpochMs now = now_();
  auto pending = store_.commands().Pending(host_id, now - options_.redeliver_after.count(),
                                           options_.max_commands_per_answer);
  if (!pending.ok()) {
    responder.Send(StoreError(pending.status()));
    return true;
  }
  if (pending->empty()) return false;
  std::vector<int64_t> ids;
  for (const store::AgentCommandRow& c : *pending) ids.push_back(c.id);
  auto commands = std::make_shared<std::vector<store::AgentCommandRow>>(std::move(*pending));
  store_
      .Write([ids, now](store::StoreWriter& w) -> Status {
        return MarkCommandsDelivered(w, ids, now);
      })
      .Then([this, host_id, responder, commands](const Result<store::Committed>& done) {
        responder.Send(done.ok() ? Answer(host_id, *commands) : StoreError(done.status()));
      });
  return true;
}

void CommandHub::Poll(int64_t host_id, std::chrono::milliseconds wait,
                      const HttpResponder& responder, std::string agent_etag) {
  wait = std::clamp(wait, std::chrono::milliseconds(0), options_.max_wait);
  const Clock::time_point deadline = Clock::now() + wait;
  if (!agent_etag.empty() && options_.config_etag) {
    std::optional<std::string> current = options_.config_etag(host_id);
    if (current && *current != agent_etag) wait = std::chrono::milliseconds(0);
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    uint64_t generation;
    {
      std::lock_guard lock(state_->mu);
      generation = state_->generation[host_id];
    }
    if (TryDeliver(host_id, responder)) return;
    if (wait.count() == 0) {
      responder.Send(Answer(host_id, {}));
      return;
    }
    {
      std::lock_guard lock(state_->mu);
      if (state_->generation[host_id] != generation) continue;  // a command arrived meanwhile
    }
    Park(host_id, deadline, responder, agent_etag);
    return;
  }
  Park(host_id, deadline, responder, agent_etag);
}

void CommandHub::ConfigsChanged() {
  {
    std::lock_guard lock(state_->mu);
    state_->configs_changed = true;
  }
  state_->cv.notify_all();
}

void CommandHub::AnswerStaleConfigs() {
  if (!options_.config_etag) return;
  std::vector<std::tuple<uint64_t, int64_t, std::string>> parked;
  {
    std::lock_guard lock(state_->mu);
    for (const auto& [id, w] : state_->waiters)
      if (!w.agent_etag.empty()) parked.emplace_back(id, w.host_id, w.agent_etag);
  }
  std::unordered_map<int64_t, std::optional<std::string>> current;
  std::vector<std::pair<HttpResponder, std::string>> stale;
  for (const auto& [id, host_id, agent_etag] : parked) {
    auto it = current.find(host_id);
    if (it == current.end()) it = current.emplace(host_id, options_.config_etag(host_id)).first;
    if (!it->second || *it->second == agent_etag) continue;
    std::lock_guard lock(state_->mu);
    auto w = state_->waiters.find(id);
    if (w == state_->waiters.end()) continue;  // answered or gone meanwhile
    stale.emplace_back(w->second.responder, *it->second);
    state_->Remove(id);
  }
  for (const auto& [responder, etag] : stale) responder.Send(CommandList({}, etag));
}

void CommandHub::Park(int64_t host_id, Clock::time_point deadline, const HttpResponder& responder,
                      const std::string& agent_etag) {
  uint64_t id;
  bool stopping;
  {
    std::lock_guard lock(state_->mu);
    stopping = state_->stopping;
    if (!stopping) {
      id = state_->next_id++;
      state_->waiters.emplace(id, Waiter{host_id, deadline, responder, agent_etag});
      state_->by_deadline.emplace(deadline, id);
      state_->by_host.emplace(host_id, id);
    }
  }
  if (stopping) {
    responder.Send(CommandList({}));
    return;
  }
  state_->cv.notify_all();
  // Outside the lock: the callback runs at once when the client is gone.
  std::weak_ptr<State> weak = state_;
  responder.OnClientGone([weak, id] {
    if (std::shared_ptr<State> state = weak.lock()) {
      std::lock_guard lock(state->mu);
      state->Remove(id);
    }
  });
}

void CommandHub::State::Remove(uint64_t id) {
  auto it = waiters.find(id);
  if (it == waiters.end()) return;
  by_deadline.erase({it->second.deadline, id});
  auto range = by_host.equal_range(it->second.host_id);
  for (auto h = range.first; h != range.second; ++h) {
    if (h->second == id) {
      by_host.erase(h);
      break;
    }
  }
  waiters.erase(it);
}

void CommandHub::Notify(int64_t host_id) {
  {
    std::lock_guard lock(state_->mu);
    ++state_->generation[host_id];
    if (state_->by_host.count(host_id) == 0) return;
    state_->woken.insert(host_id);
  }
  state_->cv.notify_all();
}

store::Pending<store::AgentCommandRow> CommandHub::Queue(store::NewAgentCommand command) {
  const int64_t host_id = command.host_id;
  store::Pending<store::AgentCommandRow> done =
      store_.Write([command = std::move(command)](store::StoreWriter& w) {
        return w.commands().Create(command);
      });
  // A second handle on the same outcome: wake the host once committed.
  store::Pending<store::AgentCommandRow> result;
  done.Then([this, host_id, result](Result<store::AgentCommandRow> row) {
    if (row.ok()) Notify(host_id);
    result.Resolve(std::move(row));
  });
  return result;
}

void CommandHub::Loop() {
  State& st = *state_;
  std::unique_lock lock(st.mu);
  while (!st.stopping) {
    if (st.configs_changed) {
      st.configs_changed = false;
      lock.unlock();
      AnswerStaleConfigs();
      lock.lock();
      continue;
    }
    if (st.by_deadline.empty() && st.woken.empty()) {
      st.cv.wait(lock);
      continue;
    }
    if (st.woken.empty()) {
      // A copy: wait_until takes the time by reference, and the entry may be
      // erased (client gone, woken) while the lock is released.
      const Clock::time_point next = st.by_deadline.begin()->first;
      st.cv.wait_until(lock, next);
    }
    if (st.stopping) break;
    // Polls whose wait is over.
    std::vector<std::pair<int64_t, HttpResponder>> expired;
    const Clock::time_point now = Clock::now();
    while (!st.by_deadline.empty() && st.by_deadline.begin()->first <= now) {
      uint64_t id = st.by_deadline.begin()->second;
      const Waiter& w = st.waiters.at(id);
      expired.emplace_back(w.host_id, w.responder);
      st.Remove(id);
    }
    // Polls of hosts that got a command: taken out, answered or parked again.
    std::vector<Waiter> woken;
    for (int64_t host : st.woken) {
      std::vector<uint64_t> ids;
      auto range = st.by_host.equal_range(host);
      for (auto it = range.first; it != range.second; ++it) ids.push_back(it->second);
      for (uint64_t id : ids) {
        woken.push_back(st.waiters.at(id));
        st.Remove(id);
      }
    }
    st.woken.clear();
    lock.unlock();
    for (const auto& [host_id, r] : expired) r.Send(Answer(host_id, {}));
    for (Waiter& w : woken)
      if (!TryDeliver(w.host_id, w.responder))
        Park(w.host_id, w.deadline, w.responder, w.agent_etag);
    lock.lock();
  }
}

}  // namespace warden::server
