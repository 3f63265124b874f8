#include "server/channel_delivery.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/strings.h"
#include "core/time_format.h"
#include "delivery/record_router.h"
#include "delivery/sink_registry.h"
#include "server/channel_settings.h"
#include "server/handler_support.h"

namespace warden::server {
namespace {

constexpr std::string_view kProblemFeedKey = "channels.feed.problem_history_id";
constexpr std::string_view kAuditFeedKey = "channels.feed.audit_id";
constexpr int64_t kFeedPage = 200;
// Tests of one channel: at most this many a minute.
constexpr size_t kTestsPerMinute = 10;

// The start of a receiver's answer, cut at a character boundary.
std::string Excerpt(const std::string& body, size_t max_bytes) {
  if (body.size() <= max_bytes) return body;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(body[end]) & 0xC0) == 0x80) --end;
  return body.substr(0, end);
}

// An HttpPoster that keeps the last answer it got, for test sends.
class AnswerKeepingPoster : public HttpPoster {
 public:
  AnswerKeepingPoster(std::unique_ptr<HttpPoster> inner,
                      std::shared_ptr<::warden::HttpResponse> answer)
      : inner_(std::move(inner)), answer_(std::move(answer)) {}
  Result<::warden::HttpResponse> Post(const ::warden::HttpRequest& request) override {
    Result<::warden::HttpResponse> r = inner_->Post(request);
    if (r.ok()) *answer_ = *r;
    return r;
  }

 private:
  std::unique_ptr<HttpPoster> inner_;
  std::shared_ptr<::warden::HttpResponse> answer_;
};

// A Prometheus label value.
std::string LabelValue(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string AuditSummary(const store::AuditEntry& e) {
  std::string s = "audit " + e.action + " by " + std::string(store::ActorTypeName(e.actor_type));
  if (!e.actor_name.empty()) s += " " + e.actor_name;
  if (!e.target_type.empty()) s += " on " + e.target_type + " " + e.target_id;
  if (!e.source_ip.empty()) s += " from " + e.source_ip;
  return s;
}

}  // namespace

struct ChannelDelivery::Impl {
  // One channel as the feed thread routes to it.
  struct Running {
    store::Channel channel;
    ChannelTriggers triggers;
    std::shared_ptr<SinkRouter> router;  // null when it could not be built
  };

  store::Store* store = nullptr;
  const api::OpenApiSpec* spec = nullptr;
  ChannelDeliveryOptions options;

  mutable std::mutex mu;  // channels, tests
  std::map<int64_t, std::shared_ptr<Running>> channels;
  std::map<int64_t, std::deque<std::chrono::steady_clock::time_point>> tests;
  std::set<int64_t> testing;
  std::mutex reload_mu;  // one Reload/Remove at a time

  std::mutex feed_mu;
  std::condition_variable feed_cv;
  bool wake = false;
  bool stopping = false;
  std::thread feed;
  int64_t problem_cursor = 0;
  int64_t audit_cursor = 0;
  std::atomic<bool> stopped{false};

  void Log(const std::string& line) const {
    if (options.log) options.log(line);
  }

  std::string QueueDir() const { return options.state_dir + "/channels"; }

  // Adds an outcome to the channel's account; the store's answer comes
  // later (a failure is logged).
  void Account(int64_t id, const store::DeliveryOutcome& outcome) {
    store
        ->Write([id, outcome](store::StoreWriter& w) {
          return w.channels().RecordDelivery(id, outcome);
        })
        .Then([log = options.log, id](const Result<bool>& done) {
          if (!done.ok() && log)
            log("channel " + std::to_string(id) +
                ": cannot record its delivery status: " + std::string(done.status().message()));
        });
  }

  // Builds (and, when enabled, starts) the delivery of a stored channel.
  std::shared_ptr<Running> Build(const store::Channel& channel) {
    auto running = std::make_shared<Running>();
    running->channel = channel;
    running->channel.secret.reset();  // the sink has it; nothing else needs it
    running->triggers = ParseChannelTriggers(Json::parse(channel.triggers_json, nullptr, false));
    const std::string label = "channel " + channel.name + " (" + std::to_string(channel.id) + ")";
    Status built = [&]() -> Status {
      ASSIGN_OR_RETURN(SinkConfig sc, ChannelSinkConfig(channel, options.state_dir, options.queue));
      SinkContext context;
      context.host_identifier = options.host_identifier;
      auto log = [this, label,
                  prefix = "sink " + ChannelSinkName(channel.id)](const std::string& line) {
        // SinkRouter says "sink channel-12: ..."; people know the name.
        Log(line.rfind(prefix, 0) == 0 ? label + line.substr(prefix.size()) : label + ": " + line);
      };
      ASSIGN_OR_RETURN(std::unique_ptr<SinkRouter> router,
                       SinkRouter::Create({sc}, context, QueueDir(), log));
      const int64_t id = channel.id;
      router->SetDeliveryObserver([this, id](const DeliveryAttempt& attempt) {
        store::DeliveryOutcome outcome;
        outcome.at = attempt.at_ms;
        outcome.ok = attempt.ok;
        outcome.delivered = attempt.ok ? attempt.records : 0;
        outcome.failed = attempt.ok ? 0 : 1;
        outcome.error = attempt.error;
        Account(id, outcome);
      });
      if (channel.enabled) router->Start();
      running->router = std::move(router);
      return Status::Ok();
    }();
    if (!built.ok()) {
      Log(label + ": cannot start: " + built.message());
      store::DeliveryOutcome outcome;
      outcome.at = NowEpochMillis();
      outcome.failed = 1;
      outcome.error = "cannot start: " + built.message();
      Account(channel.id, outcome);
    }
    return running;
  }

  Status LoadAll() {
    std::error_code ec;
    std::filesystem::create_directories(QueueDir(), ec);
    if (ec) return IoError("create " + QueueDir() + ": " + ec.message());
    store::ListQuery all;
    std::vector<store::Channel> stored;
    RETURN_IF_ERROR(store->channels().Export(all, [&](const store::Channel& c) {
      stored.push_back(c);
      return Status::Ok();
    }));
    for (const store::Channel& c : stored) {
      auto running = Build(c);
      std::lock_guard lock(mu);
      channels[c.id] = std::move(running);
    }
    return Status::Ok();
  }

  // The feed position kept in the settings; a new server starts at the end.
  Result<int64_t> LoadCursor(std::string_view key, const std::function<Result<int64_t>()>& last) {
    ASSIGN_OR_RETURN(std::optional<store::Setting> setting, store->settings().Get(key));
    if (setting) {
      int64_t value = 0;
      if (!ParseInt64(setting->value, &value) || value < 0)
        return InvalidArgument("setting " + std::string(key) + ": '" +
                               setting->value.substr(0, 32) + "' is not a feed position");
      return value;
    }
    ASSIGN_OR_RETURN(int64_t end, last());
    RETURN_IF_ERROR(SaveCursor(key, end));
    return end;
  }

  Status SaveCursor(std::string_view key, int64_t value) {
    const std::string text = std::to_string(value);
    const std::string name(key);
    return store
        ->Write([name, text](store::StoreWriter& w) {
          return w.settings().Put(name, text, NowEpochMillis());
        })
        .Wait()
        .status();
  }

  std::vector<std::shared_ptr<Running>> Snapshot() const {
    std::vector<std::shared_ptr<Running>> out;
    std::lock_guard lock(mu);
    for (const auto& [id, running] : channels)
      if (running->channel.enabled && running->router) out.push_back(running);
    return out;
  }

  // Hands each target the records of one feed page that are its own: one
  // queue transaction per channel and page, not one per record.
  void Route(const std::vector<std::shared_ptr<Running>>& targets,
             std::vector<std::vector<Record>>& batches) {
    for (size_t i = 0; i < targets.size(); ++i) {
      if (batches[i].empty()) continue;
      Status routed = targets[i]->router->Route(batches[i]);
      if (routed.ok()) continue;
      store::DeliveryOutcome outcome;
      outcome.at = NowEpochMillis();
      outcome.failed = 1;
      outcome.error =
          "cannot queue " + std::to_string(batches[i].size()) + " record(s): " + routed.message();
      Account(targets[i]->channel.id, outcome);
    }
  }

  Record ProblemRecord(const store::ProblemHistoryRecord& h, const store::FleetProblem& p) const {
    ProblemEvent e;
    e.action = ParseProblemAction(h.action).value_or(
        h.action == "dismissal_expired" ? ProblemAction::kUndismissed : ProblemAction::kUpdated);
    e.at = h.at / 1000;
    e.comment = h.comment.value_or("");
    Problem& q = e.problem;
    q.id = p.agent_problem_id;
    q.rule_id = p.rule_id;
    q.host = p.hostname;
    q.title = p.title;
    q.risk_level = p.risk_level;
    q.resource = p.resource;
    q.status = h.status;
    q.first_detected = p.first_detected_at / 1000;
    q.last_detected = p.last_detected_at / 1000;
    q.status_changed = h.at / 1000;
    q.resolved_at = p.resolved_at ? *p.resolved_at / 1000 : 0;
    q.times_reopened = p.times_reopened;
    q.revision = h.revision;
    if (p.dismissal) {
      q.dismissed_comment = p.dismissal->comment;
      q.dismissed_at = p.dismissal->at / 1000;
      q.dismissed_until = p.dismissal->until ? *p.dismissal->until / 1000 : 0;
    }
    q.finding = FindingFromJson(Json::parse(p.finding_json, nullptr, false));
    Record r = ProblemEventRecord(e);
    r.id = "problem-" + std::to_string(p.id) + "-event-" + std::to_string(h.id);
    r.time_ms = h.at;
    return r;
  }

  // Routes the next page of the problem history; true when there may be more.
  Result<bool> ProcessProblems() {
    store::ListQuery q;
    q.limit = kFeedPage;
    q.sort = store::SortOrder{"id", false};
    q.filters = {{"id", store::FilterOp::kGt, Value(problem_cursor)}};
    ASSIGN_OR_RETURN(store::ListPage<store::ProblemHistoryRecord> page,
                     store->problems().ListHistory(q));
    if (page.items.empty()) return false;
    std::vector<std::shared_ptr<Running>> targets;
    for (auto& running : Snapshot())
      if (running->triggers.problems) targets.push_back(running);
    std::vector<std::vector<Record>> batches(targets.size());
    std::unordered_map<int64_t, std::optional<store::FleetProblem>> problems;
    std::unordered_map<int64_t, std::vector<std::string>> labels;
    for (const store::ProblemHistoryRecord& h : page.items) {
      if (targets.empty()) break;
      auto [it, fresh] = problems.try_emplace(h.problem_id);
      if (fresh) {
        ASSIGN_OR_RETURN(it->second, store->problems().Get(h.problem_id));
      }
      if (!it->second) continue;  // gone
      const store::FleetProblem& p = *it->second;
      auto [lit, new_host] = labels.try_emplace(p.host_id);
      if (new_host) {
        ASSIGN_OR_RETURN(std::optional<store::Host> host, store->hosts().Get(p.host_id));
        if (host) lit->second = host->labels;
      }
      ProblemNotice notice{p.risk_level, p.rule_id, lit->second, h.action};
      std::optional<Record> record;
      for (size_t i = 0; i < targets.size(); ++i) {
        if (!TriggersMatch(targets[i]->triggers, notice)) continue;
        if (!record) record = ProblemRecord(h, p);
        batches[i].push_back(*record);
      }
    }
    Route(targets, batches);
    problem_cursor = page.items.back().id;
    RETURN_IF_ERROR(SaveCursor(kProblemFeedKey, problem_cursor));
    return page.next_cursor.has_value();
  }

  Result<bool> ProcessAudit() {
    store::ListQuery q;
    q.limit = kFeedPage;
    q.sort = store::SortOrder{"id", false};
    q.filters = {{"id", store::FilterOp::kGt, Value(audit_cursor)}};
    ASSIGN_OR_RETURN(store::ListPage<store::AuditEntry> page, store->audit().List(q));
    if (page.items.empty()) return false;
    std::vector<std::shared_ptr<Running>> targets;
    for (auto& running : Snapshot())
      if (running->triggers.audit) targets.push_back(running);
    std::vector<std::vector<Record>> batches(targets.size());
    for (const store::AuditEntry& e : page.items) {
      if (targets.empty()) break;
      Record r;
      r.kind = RecordKind::kAudit;
      r.id = "audit-" + std::to_string(e.id);
      r.time_ms = e.time;
      r.body = AuditEventJson(*spec, e);
      r.summary = AuditSummary(e);
      r.syslog_severity = 5;  // notice
      for (auto& batch : batches) batch.push_back(r);
    }
    Route(targets, batches);
    audit_cursor = page.items.back().id;
    RETURN_IF_ERROR(SaveCursor(kAuditFeedKey, audit_cursor));
    return page.next_cursor.has_value();
  }

  void FeedLoop() {
    std::string last_error;
    for (;;) {
      bool more = false;
      Status st;
      auto problems = ProcessProblems();
      if (problems.ok()) {
        more = *problems;
      } else {
        st = problems.status();
      }
      auto audit = ProcessAudit();
      if (audit.ok()) {
        more = more || *audit;
      } else if (st.ok()) {
        st = audit.status();
      }
      if (!st.ok() && st.message() != last_error) {
        Log("channels: cannot read the events to notify (retried): " + st.message());
      }
      last_error = st.ok() ? "" : st.message();
      std::unique_lock lock(feed_mu);
      if (stopping) return;
      if (more && st.ok()) continue;
      feed_cv.wait_for(lock, options.poll_interval, [&] { return stopping || wake; });
      wake = false;
      if (stopping) return;
    }
  }
};

ChannelDelivery::ChannelDelivery(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ChannelDelivery::~ChannelDelivery() { Stop(); }

Result<std::unique_ptr<ChannelDelivery>> ChannelDelivery::Start(store::Store& store,
                                                                const api::OpenApiSpec& spec,
                                                                ChannelDeliveryOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->store = &store;
  impl->spec = &spec;
  impl->options = std::move(options);
  Impl* raw = impl.get();
  ASSIGN_OR_RETURN(raw->problem_cursor,
                   raw->LoadCursor(kProblemFeedKey, [raw]() -> Result<int64_t> {
                     store::ListQuery q;
                     q.limit = 1;
                     q.sort = store::SortOrder{"id", true};
                     ASSIGN_OR_RETURN(auto page, raw->store->problems().ListHistory(q));
                     return page.items.empty() ? int64_t{0} : page.items.front().id;
                   }));
  ASSIGN_OR_RETURN(raw->audit_cursor, raw->LoadCursor(kAuditFeedKey, [raw]() -> Result<int64_t> {
    store::ListQuery q;
    q.limit = 1;
    q.sort = store::SortOrder{"id", true};
    ASSIGN_OR_RETURN(auto page, raw->store->audit().List(q));
    return page.items.empty() ? int64_t{0} : page.items.front().id;
  }));
  RETURN_IF_ERROR(raw->LoadAll());
  raw->feed = std::thread([raw] { raw->FeedLoop(); });
  return std::unique_ptr<ChannelDelivery>(new ChannelDelivery(std::move(impl)));
}

void ChannelDelivery::Stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  {
    std::lock_guard lock(impl_->feed_mu);
    impl_->stopping = true;
  }
  impl_->feed_cv.notify_all();
  if (impl_->feed.joinable()) impl_->feed.join();
  std::map<int64_t, std::shared_ptr<Impl::Running>> channels;
  {
    std::lock_guard lock(impl_->mu);
    channels.swap(impl_->channels);
  }
  for (auto& [id, running] : channels)
    if (running->router) running->router->BeginStop();
  for (auto& [id, running] : channels)
    if (running->router) running->router->Stop();
  // The last attempts' accounts are written before the store closes.
  (void)impl_->store->Flush();
}

void ChannelDelivery::Reload(int64_t id) {
  std::lock_guard reload(impl_->reload_mu);
  if (impl_->stopped) return;
  std::shared_ptr<Impl::Running> old;
  {
    std::lock_guard lock(impl_->mu);
    if (auto it = impl_->channels.find(id); it != impl_->channels.end()) old = it->second;
  }
  // The old delivery thread ends first; the feed may still append to the old
  // queue meanwhile, which is the same file the new one reads.
  if (old && old->router) old->router->Stop();
  auto channel = impl_->store->channels().Get(id);
  if (!channel.ok()) {
    impl_->Log("channel " + std::to_string(id) +
               ": cannot reload after a change: " + channel.status().message());
    if (old && old->router && old->channel.enabled) old->router->Start();
    return;
  }
  if (!channel->has_value()) {
    std::lock_guard lock(impl_->mu);
    impl_->channels.erase(id);
    return;
  }
  auto running = impl_->Build(**channel);
  std::lock_guard lock(impl_->mu);
  impl_->channels[id] = std::move(running);
}

void ChannelDelivery::Remove(int64_t id) {
  std::lock_guard reload(impl_->reload_mu);
  std::shared_ptr<Impl::Running> old;
  {
    std::lock_guard lock(impl_->mu);
    if (auto it = impl_->channels.find(id); it != impl_->channels.end()) {
      old = it->second;
      impl_->channels.erase(it);
    }
  }
  if (old && old->router) old->router->Stop();
  old.reset();
  const std::string path = SinkQueuePath(impl_->QueueDir(), ChannelSinkName(id));
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    std::filesystem::remove(path + suffix, ec);
  }
}

ChannelLiveStatus ChannelDelivery::Live(int64_t id) const {
  std::shared_ptr<Impl::Running> running;
  {
    std::lock_guard lock(impl_->mu);
    if (auto it = impl_->channels.find(id); it != impl_->channels.end()) running = it->second;
  }
  ChannelLiveStatus live;
  if (!running || !running->router) return live;
  for (const SinkStatus& s : running->router->Statuses()) {
    if (!s.queue) continue;
    live.queue_depth += s.queue->records;
    live.dropped += s.queue->dropped;
  }
  return live;
}

std::optional<std::chrono::seconds> ChannelDelivery::BeginTest(int64_t id) {
  std::lock_guard lock(impl_->mu);
  if (impl_->testing.count(id)) return std::chrono::seconds(1);
  auto& times = impl_->tests[id];
  const auto now = std::chrono::steady_clock::now();
  while (!times.empty() && now - times.front() >= std::chrono::minutes(1)) times.pop_front();
  if (times.size() >= kTestsPerMinute) {
    auto wait = std::chrono::duration_cast<std::chrono::seconds>(times.front() +
                                                                 std::chrono::minutes(1) - now);
    return std::max(wait, std::chrono::seconds(1));
  }
  times.push_back(now);
  impl_->testing.insert(id);
  return std::nullopt;
}

void ChannelDelivery::EndTest(int64_t id) {
  std::lock_guard lock(impl_->mu);
  impl_->testing.erase(id);
}

ChannelTestOutcome ChannelDelivery::Test(const store::Channel& channel,
                                         std::chrono::milliseconds limit) {
  ChannelTestOutcome out;
  const auto started = std::chrono::steady_clock::now();
  // (warden::HttpResponse: the delivery module's, not the server's.)
  auto answer = std::make_shared<::warden::HttpResponse>();
  Status st = [&]() -> Status {
    ASSIGN_OR_RETURN(SinkConfig sc, ChannelSinkConfig(channel, impl_->options.state_dir,
                                                      impl_->options.queue, limit.count()));
    SinkContext context;
    context.host_identifier = impl_->options.host_identifier;
    context.http_poster = [answer]() -> std::unique_ptr<HttpPoster> {
      return std::make_unique<AnswerKeepingPoster>(MakeCurlHttpPoster(), answer);
    };
    ASSIGN_OR_RETURN(std::unique_ptr<Sink> sink, MakeSink(sc, context));
    Record r;
    r.kind = RecordKind::kTest;
    r.time_ms = NowEpochMillis();
    r.id = "test-" + std::to_string(channel.id) + "-" + std::to_string(r.time_ms);
    r.summary =
        "Warden test message: notification channel '" + channel.name + "' reaches this receiver.";
    r.body = Json{{"type", "test"},
                  {"channel", {{"id", std::to_string(channel.id)}, {"name", channel.name}}},
                  {"message", r.summary},
                  {"time", FormatRfc3339(r.time_ms / 1000)}};
    return sink->Deliver({sink->Prepare(r)});
  }();
  out.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count();
  out.ok = st.ok();
  if (answer->status != 0) {
    out.http_status = answer->status;
    out.body_excerpt = Excerpt(answer->body, 1024);
  }
  if (!st.ok()) out.error = st.message();
  return out;
}

void ChannelDelivery::Wake() {
  {
    std::lock_guard lock(impl_->feed_mu);
    impl_->wake = true;
  }
  impl_->feed_cv.notify_all();
}

std::string ChannelDelivery::MetricsText() const {
  std::vector<store::Channel> stored;
  store::ListQuery all;
  Status read = impl_->store->channels().Export(all, [&](const store::Channel& c) {
    stored.push_back(c);
    return Status::Ok();
  });
  std::string depth, delivered, failed, dropped, failing;
  for (const store::Channel& c : stored) {
    const std::string labels =
        "{channel=\"" + std::to_string(c.id) + "\",name=\"" + LabelValue(c.name) + "\"} ";
    const ChannelLiveStatus live = Live(c.id);
    depth += "warden_channel_queue_depth" + labels + std::to_string(live.queue_depth) + "\n";
    dropped += "warden_channel_dropped_total" + labels + std::to_string(live.dropped) + "\n";
    delivered +=
        "warden_channel_delivered_total" + labels + std::to_string(c.delivery.delivered) + "\n";
    failed += "warden_channel_failed_total" + labels + std::to_string(c.delivery.failed) + "\n";
    failing += "warden_channel_failing" + labels +
               (c.enabled && c.delivery.state == "failing" ? "1" : "0") + "\n";
  }
  std::string out;
  auto metric = [&](const char* name, const char* help, const char* type, const std::string& v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + v;
  };
  metric("warden_channel_queue_depth", "Records waiting in a notification channel's queue.",
         "gauge", depth);
  metric("warden_channel_delivered_total", "Records a notification channel's receiver accepted.",
         "counter", delivered);
  metric("warden_channel_failed_total", "Failed delivery attempts of a notification channel.",
         "counter", failed);
  metric("warden_channel_dropped_total", "Records a notification channel's full queue discarded.",
         "counter", dropped);
  metric("warden_channel_failing", "1 when a channel's last delivery attempt failed.", "gauge",
         failing);
  if (!read.ok()) impl_->Log("channels: metrics: " + read.message());
  return out;
}

}  // namespace warden::server
