#include "agent/agent.h"

#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "agent/agent_log.h"
#include "agent/agent_state.h"
#include "agent/control_socket.h"
#include "agent/inventory_records.h"
#include "agent/job_runner.h"
#include "agent/job_schedule.h"
#include "agent/resource_monitor.h"
#include "agent/scheduled_query.h"
#include "agent/server_link.h"
#include "core/host_fs.h"
#include "core/time_format.h"
#include "core/version.h"
#include "delivery/record_router.h"
#include "detectors/detector_registry.h"
#include "detectors/vulnerability_detector.h"
#include "problems/problem_rendering.h"
#include "problems/sqlite_problem_repository.h"
#include "tables/warden_tables.h"

namespace warden {

std::string StateFilePath(const std::string& state_dir) { return state_dir + "/state.db"; }
std::string QueueFilePath(const std::string& state_dir, const std::string& sink_name) {
  return SinkQueuePath(state_dir + "/queues", sink_name);
}

namespace {

int64_t NowMs() { return NowEpochMillis(); }

std::string MsToRfc3339(int64_t ms) { return FormatRfc3339(ms / 1000); }

// "0.5 s", "3.2 s", "75 s".
std::string SecondsText(int64_t ms) {
  if (ms >= 10000) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}
Json TimeOrNull(int64_t ms) { return ms > 0 ? Json(MsToRfc3339(ms)) : Json(nullptr); }

std::string ReadFirstLine(const std::string& path) {
  HostFs fs("/");
  auto text = fs.ReadFile(path, 4096);
  if (!text.ok()) return "";
  std::string s = *text;
  size_t nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return std::string(TrimWhitespace(s));
}

}  // namespace

std::string ResolveHostIdentifier(const AgentConfig& config) {
  if (config.host_identifier == "hostname") {
    char buf[256] = {0};
    if (gethostname(buf, sizeof buf - 1) == 0 && buf[0]) return buf;
    return "localhost";
  }
  if (config.host_identifier == "uuid") {
    std::string id = ReadFirstLine("/etc/machine-id");
    if (id.empty()) id = ReadFirstLine("/sys/class/dmi/id/product_uuid");
    return id.empty() ? "unknown" : id;
  }
  return config.host_identifier;
}

Json SendTestRecord(const SinkConfig& config, const std::string& host_identifier) {
  Json answer = {{"sink", config.name}, {"type", config.type}};
  SinkContext context;
  context.host_identifier = host_identifier;
  auto sink = MakeSink(config, context);
  if (!sink.ok()) {
    answer["ok"] = false;
    answer["error"] = sink.status().message();
    return answer;
  }
  Record r;
  r.kind = RecordKind::kTest;
  r.time_ms = NowMs();
  r.id = "test-" + MakeFindingId({config.name, std::to_string(r.time_ms), std::to_string(getpid())})
                       .substr(0, 16);
  r.syslog_severity = 6;
  r.body = {
      {"record_id", r.id},
      {"kind", "test"},
      {"host", host_identifier},
      {"sink", config.name},
      {"time", MsToRfc3339(r.time_ms)},
      {"message", "Warden test record: if you can read this, sink '" + config.name + "' works"}};
  r.summary = "test record " + r.id + " for sink " + config.name;
  answer["destination"] = (*sink)->Destination();
  answer["record_id"] = r.id;
  const auto start = std::chrono::steady_clock::now();
  Status st = (*sink)->Deliver({(*sink)->Prepare(r)});
  answer["elapsed_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  answer["ok"] = st.ok();
  if (!st.ok()) answer["error"] = st.message();
  return answer;
}

namespace {

enum class JobKind { kDetector, kQuery, kStatus };
std::string_view JobKindName(JobKind k) {
  return k == JobKind::kDetector ? "detector" : k == JobKind::kQuery ? "query" : "status";
}

struct JobState {
  std::string name;
  JobKind kind = JobKind::kDetector;
  ScheduleSpec schedule;
  DetectorConfig detector;
  QueryConfig query;
  // What `status` shows.
  int64_t last_start_ms = 0;
  int64_t last_duration_ms = 0;
  std::string last_outcome;  // ok | error | skipped | stopped
  std::string last_result;
  int64_t runs = 0;
  int64_t failures = 0;
  int64_t next_due_ms = 0;
  bool queued = false;
  bool running = false;
  bool run_again = false;  // run-now arrived while it was running
  // Told how the next run to start ends (run-now requests of the server).
  std::vector<JobRunCallback> waiting;
  int64_t running_since_ms = 0;
  bool stuck = false;  // running past its budget (JobRunner), left to finish on its own
  int64_t denylisted_until_ms = 0;
  std::string denylist_reason;
  std::string note;
  ScheduledQueryStats stats;
};

// How long a job may run before it counts as stuck (JobRunner adds a grace):
// a query its own time budget, a detector its own (Detector::RunBudgetMs:
// half an hour for a vulnerability scan, which is not interruptible) or the
// query budget, the status heartbeat 30 s.
constexpr int64_t kStatusBudgetMs = 30 * 1000;
// At stop (SIGTERM, reload) running jobs get this long to honour their
// interrupt; one that does not is abandoned (JobRunner) and ends with the
// process.
constexpr auto kStopGrace = std::chrono::milliseconds(2000);

// What one job worker thread keeps: SQLite connections are per thread.
struct WorkerStores : JobRunner::WorkerResources {
  std::shared_ptr<SqlEngine> engine;  // made on first use
  std::unique_ptr<AgentStateStore> state;
  std::unique_ptr<ProblemRepository> problems;
};

// Everything built from one config: jobs, sinks, the job runners and the
// delivery threads. Replaced as a whole on reload. Jobs run on two
// JobRunners: detectors and scheduled queries one at a time on `job_runner_`,
// the status heartbeat on its own `heartbeat_runner_`, so a stuck query delays neither
// the heartbeat nor (past its budget) the other jobs. Always owned by a
// shared_ptr: a job holds the runtime while it runs, so a job abandoned at
// reload or stop keeps what it touches alive until it returns.
class Runtime : public RecordRouter, public std::enable_shared_from_this<Runtime> {
 public:
  Runtime(AgentConfig config, const AgentOptions& options, ResourceMonitor* monitor, int wake_fd,
          int64_t agent_started_ms)
      : config_(std::move(config)),
        options_(options),
        monitor_(monitor),
        wake_fd_(wake_fd),
        agent_started_ms_(agent_started_ms),
        host_(ResolveHostIdentifier(config_)),
        rng_(std::random_device{}()) {}

  ~Runtime() override { Stop(); }

  const AgentConfig& config() const { return config_; }

  // Builds sinks and queues first (so a bad sink fails before anything runs).
  Status Prepare() {
    std::error_code ec;
    std::filesystem::create_directories(config_.state_dir, ec);
    if (ec)
      return IoError(config_.state_dir + ": cannot create the state directory: " + ec.message());
    std::filesystem::create_directories(config_.state_dir + "/queues", ec);
    ::chmod(config_.state_dir.c_str(), 0750);
    SinkContext context;
    context.host_identifier = host_;
    ASSIGN_OR_RETURN(router_, SinkRouter::Create(config_.sinks, context,
                                                 config_.state_dir + "/queues", AgentLog));
    ASSIGN_OR_RETURN(state_, AgentStateStore::Open(StateFilePath(config_.state_dir)));
    ASSIGN_OR_RETURN(main_problems_,
                     SqliteProblemRepository::Open(StateFilePath(config_.state_dir), false));
    BuildJobs();
    return Status::Ok();
  }

  void Start() {
    router_->Start();
    for (const auto& factory : options_.event_sources) {
      auto src = factory(config_);
      if (!src.ok()) {
        AgentLog("event source not started: " + src.status().message());
        continue;
      }
      if (!*src) continue;
      Status st = (*src)->Start(*this);
      if (!st.ok()) {
        AgentLog("event source " + (*src)->name() + " not started: " + st.message());
        continue;
      }
      AgentLog("event source " + (*src)->name() + " started");
      sources_.push_back(std::move(*src));
    }
    if (config_.server) StartServerLink();
    started_ = true;
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    if (server_link_) server_link_->Stop();
    for (auto& s : sources_) s->Stop();
    sources_.clear();
    stopping_.store(true);
    if (router_) router_->BeginStop();
    // Both runners get the same grace period.
    job_runner_.BeginStop();
    heartbeat_runner_.BeginStop();
    const auto deadline = std::chrono::steady_clock::now() + kStopGrace;
    std::vector<JobRunner::RunningJob> left = job_runner_.FinishStop(deadline);
    for (auto& j : heartbeat_runner_.FinishStop(deadline)) left.push_back(std::move(j));
    for (const auto& j : left)
      AgentLog("job " + j.name + " abandoned: still running after " + SecondsText(j.running_ms) +
               ", it did not stop when interrupted; it ends with the process (or finishes on "
               "its own)");
    // The agent did not crash while these ran: no crash marker for them.
    if (!left.empty() && state_) (void)state_->ClearRunning();
    if (router_) router_->Stop();
  }

  // RecordRouter: the sinks' router (local sinks are written now, network
  // sinks queued durably).
  Status Route(const std::vector<Record>& records) override { return router_->Route(records); }

  // Dispatches due jobs and watches the running ones for being stuck;
  // returns when the main loop should look again.
  int64_t Tick(int64_t now_ms) {
    int64_t next = now_ms + 3600 * 1000;
    for (JobRunner* runner : {&job_runner_, &heartbeat_runner_}) {
      JobRunner::WatchResult watch = runner->Watch();
      if (watch.next_check_in_ms >= 0) next = std::min(next, now_ms + watch.next_check_in_ms);
      for (const auto& stuck : watch.newly_stuck) {
        {
          std::lock_guard<std::mutex> lock(jobs_mu_);
          auto it = jobs_.find(stuck.name);
          if (it != jobs_.end()) it->second.stuck = true;
        }
        AgentLog("job " + stuck.name + " is stuck: running for " + SecondsText(stuck.running_ms) +
                 ", past its budget of " + SecondsText(stuck.budget_ms) +
                 "; it was interrupted and is left to finish on its own, other jobs go on");
      }
    }
    std::lock_guard<std::mutex> lock(jobs_mu_);
    const bool over_cpu = monitor_->last().cpu_percent_1m > config_.limits.max_cpu_percent;
    for (auto& [name, job] : jobs_) {
      if (job.queued || job.running) continue;
      if (job.next_due_ms <= now_ms) {
        if (job.denylisted_until_ms > now_ms) {
          job.next_due_ms = NextDueTime(job.schedule, now_ms, rng_);
          job.note = "denylisted until " + MsToRfc3339(job.denylisted_until_ms);
        } else if (over_cpu && job.kind != JobKind::kStatus) {
          job.next_due_ms = now_ms + 15000;
          job.note = "postponed: the agent is over its CPU limit (" +
                     std::to_string(static_cast<int>(config_.limits.max_cpu_percent)) +
                     "% over 1 minute)";
        } else {
          job.note.clear();
          job.queued = true;
          JobRunner& runner = job.kind == JobKind::kStatus ? heartbeat_runner_ : job_runner_;
          runner.Submit(name, BudgetMs(job),
                        [weak = weak_from_this(), name = name](JobRunner::JobContext& ctx) {
                          // A runtime already gone (replaced and released) runs nothing.
                          if (auto self = weak.lock()) self->RunJob(name, ctx);
                        });
          continue;
        }
      }
      next = std::min(next, job.next_due_ms);
    }
    return next;
  }

  // `on_finished`: called once the run starting after this request ends.
  Status RunNow(const std::string& name, JobRunCallback on_finished = nullptr) {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    auto it = jobs_.find(name);
    if (it == jobs_.end()) {
      std::string names;
      for (const auto& [n, j] : jobs_) names += (names.empty() ? "" : ", ") + n;
      return NotFound("no job named '" + name + "' (jobs: " + names + ")");
    }
    it->second.next_due_ms = 0;
    it->second.denylisted_until_ms = 0;  // an explicit request overrides the denylist
    if (it->second.running) it->second.run_again = true;
    if (on_finished) it->second.waiting.push_back(std::move(on_finished));
    return Status::Ok();
  }

  Result<ProblemEvent> Dismiss(const std::string& id, const std::string& comment, int64_t until) {
    // The main thread's own connection: SQLite connections are per thread.
    if (!main_problems_) {
      ASSIGN_OR_RETURN(main_problems_,
                       SqliteProblemRepository::Open(StateFilePath(config_.state_dir), false));
    }
    return main_problems_->Dismiss(id, comment, until, NowEpochSeconds(),
                                   [this](const std::vector<ProblemEvent>& ev) {
                                     std::vector<Record> records;
                                     for (const auto& e : ev)
                                       records.push_back(ProblemEventRecord(e));
                                     return Route(records);
                                   });
  }

  Json StatusJson(bool for_record) {
    const int64_t now = NowMs();
    const ResourceUsage u = monitor_->last();
    Json j = Json::object();
    j["host"] = host_;
    j["agent"] = {
        {"version", kWardenVersion},
        {"pid", static_cast<int64_t>(getpid())},
        {"started", MsToRfc3339(agent_started_ms_)},
        {"uptime_seconds", (now - agent_started_ms_) / 1000},
        {"config", config_.path},
        {"config_hash", config_.hash},
        {"recipe", config_.recipe_name},
        // "file", or "server" when the server's recipe and queries
        // are laid over the file's (server_recipe_etag says which).
        {"recipe_source", config_.server_config_etag.empty() ? "file" : "server"},
        {"server_recipe_etag",
         config_.server_config_etag.empty() ? Json(nullptr) : Json(config_.server_config_etag)},
        {"state_dir", config_.state_dir},
        {"state_file", StateFilePath(config_.state_dir)},
        {"control_socket", config_.control_socket}};
    j["resources"] = {{"cpu_percent_10s", u.cpu_percent_10s},
                      {"cpu_percent_1m", u.cpu_percent_1m},
                      {"cpu_ms_total", u.cpu_ms_total},
                      {"rss_bytes", u.rss_bytes},
                      {"peak_rss_bytes", u.peak_rss_bytes},
                      {"threads", u.threads},
                      {"max_cpu_percent", config_.limits.max_cpu_percent},
                      {"max_rss_bytes", config_.limits.max_rss_bytes},
                      {"over_cpu_limit", u.cpu_percent_1m > config_.limits.max_cpu_percent},
                      {"over_memory_limit", u.rss_bytes > config_.limits.max_rss_bytes}};
    Json jobs = Json::array();
    {
      std::lock_guard<std::mutex> lock(jobs_mu_);
      for (const auto& [name, job] : jobs_) {
        Json x = {
            {"name", name},
            {"kind", JobKindName(job.kind)},
            {"schedule", job.schedule.Describe()},
            {"last_run", TimeOrNull(job.last_start_ms)},
            {"last_run_ms", job.last_start_ms},
            {"duration_ms", job.last_start_ms ? Json(job.last_duration_ms) : Json(nullptr)},
            {"outcome", job.last_outcome.empty() ? Json(nullptr) : Json(job.last_outcome)},
            {"result", job.last_result.empty() ? Json(nullptr) : Json(job.last_result)},
            {"running", job.running},
            {"running_since_ms", job.running ? Json(job.running_since_ms) : Json(nullptr)},
            // How long the current run has taken; a stuck job (past its
            // budget, left to finish on its own) says so.
            {"running_for_seconds",
             job.running ? Json((now - job.running_since_ms) / 1000) : Json(nullptr)},
            {"stuck", job.stuck},
            {"queued", job.queued},
            {"next_run", job.running || job.queued ? Json(nullptr)
                                                   : TimeOrNull(std::max(job.next_due_ms, now))},
            {"next_run_ms", job.next_due_ms},
            {"runs", job.runs},
            {"failures", job.failures},
            {"denylisted_until",
             job.denylisted_until_ms > now ? TimeOrNull(job.denylisted_until_ms) : Json(nullptr)},
            {"note", job.note.empty() ? Json(nullptr) : Json(job.note)}};
        if (job.kind == JobKind::kDetector)
          x["risk_level"] = RiskLevelName(job.detector.risk_level);
        jobs.push_back(std::move(x));
      }
    }
    j["jobs"] = std::move(jobs);
    Json sinks = Json::array();
    for (const SinkStatus& st : router_->Statuses()) {
      Json s = {{"name", st.name},
                {"type", st.type},
                {"destination", st.destination},
                {"format", RecordFormatName(st.format)}};
      Json kinds = Json::array();
      for (RecordKind k : st.records) kinds.push_back(RecordKindName(k));
      s["records"] = std::move(kinds);
      s["queued"] = st.queued;
      if (st.queue) {
        s["queue"] = {
            {"records", st.queue->records},
            {"bytes", st.queue->bytes},
            {"max_bytes", st.queue_config.max_bytes},
            {"drop_policy", st.queue_config.drop_policy == DropPolicy::kDropOldest ? "drop_oldest"
                                                                                   : "drop_newest"},
            {"dropped", st.queue->dropped},
            {"delivered", st.queue->delivered},
            {"oldest", TimeOrNull(st.queue->oldest_ms)}};
      }
      s["delivered_since_start"] = st.delivered_since_start;
      s["last_success"] = TimeOrNull(st.last_success_ms);
      s["consecutive_failures"] = st.consecutive_failures;
      s["last_error"] = st.last_error.empty() ? Json(nullptr) : Json(st.last_error);
      s["next_attempt"] =
          st.consecutive_failures > 0 ? TimeOrNull(st.next_attempt_ms) : Json(nullptr);
      sinks.push_back(std::move(s));
    }
    j["sinks"] = std::move(sinks);
    if (!for_record) {
      if (!main_problems_) {
        auto p = SqliteProblemRepository::Open(StateFilePath(config_.state_dir), false);
        if (p.ok()) main_problems_ = std::move(*p);
      }
      Json counts = {{"open", 0}, {"resolved", 0}, {"dismissed", 0}};
      if (main_problems_) {
        auto c = main_problems_->Counts();
        if (c.ok())
          for (const auto& [st, n] : *c) counts[std::string(ProblemStatusName(st))] = n;
      }
      j["problems"] = std::move(counts);
    }
    Json sources = Json::array();
    for (const auto& s : sources_) {
      EventSourceInfo info = s->Info();
      // publisher: the tier in use ("ebpf" or "fallback" for host events);
      // `warden events status` has the hooks and drop counters.
      sources.push_back(Json{{"name", info.name},
                             {"tier", info.publisher},
                             {"active", info.active},
                             {"rules", info.subscriptions},
                             {"events", info.events},
                             {"note", info.note}});
    }
    j["event_sources"] = std::move(sources);
    if (server_link_) j["server"] = server_link_->StatusJson();
    return j;
  }

  // For osquery_schedule / osquery_info / osquery_events.
  WardenRuntimeState RuntimeState() {
    WardenRuntimeState st;
    st.config_hash = config_.hash;
    st.config_valid = true;
    const int64_t now = NowMs();
    std::lock_guard<std::mutex> lock(jobs_mu_);
    for (const auto& [name, job] : jobs_) {
      if (job.kind != JobKind::kQuery) continue;
      ScheduledQueryStats s = job.stats;
      s.name = name;
      s.query = job.query.sql;
      s.interval = job.schedule.kind == ScheduleSpec::Kind::kInterval
                       ? job.schedule.interval_seconds
                       : 86400;
      s.denylisted = job.denylisted_until_ms > now;
      st.schedule.push_back(std::move(s));
    }
    for (const auto& src : sources_) st.events.push_back(src->Info());
    return st;
  }

 private:
  void BuildJobs() {
    auto runs = state_->LoadJobRuns();
    std::map<std::string, JobRunRecord> last =
        runs.ok() ? *runs : std::map<std::string, JobRunRecord>{};
    const int64_t now = NowMs();
    // A scheduled query still marked running was running when the agent
    // died: it is the likely cause, so it sits out for a while.
    auto running = state_->RunningJob();
    if (running.ok() && running->has_value()) {
      const std::string name = **running;
      bool is_query = std::any_of(config_.queries.begin(), config_.queries.end(),
                                  [&](const QueryConfig& q) { return q.name == name; });
      if (is_query && config_.results.denylist_seconds > 0) {
        const int64_t until = now + config_.results.denylist_seconds * 1000;
        (void)state_->Denylist(
            name, until,
            "the agent stopped unexpectedly while this query ran (crash, OOM kill or kill -9)");
        AgentLog("scheduled query " + name +
                 " was running when the agent stopped unexpectedly; denylisted until " +
                 MsToRfc3339(until));
      }
      (void)state_->ClearRunning();
    }
    auto denied = state_->Denylisted(now);
    auto add = [&](JobState job) {
      auto it = last.find(job.name);
      std::optional<int64_t> last_start;
      if (it != last.end()) {
        last_start = it->second.started_ms;
        job.last_start_ms = it->second.started_ms;
        job.last_duration_ms = it->second.duration_ms;
        job.last_result = it->second.result;
        job.last_outcome = job.last_result.substr(0, job.last_result.find(':'));
        job.runs = it->second.runs;
        job.failures = it->second.failures;
      }
      if (denied.ok()) {
        auto d = denied->find(job.name);
        if (d != denied->end()) {
          job.denylisted_until_ms = d->second.first;
          job.denylist_reason = d->second.second;
        }
      }
      job.next_due_ms = FirstDueTime(job.schedule, now, last_start, rng_);
      jobs_[job.name] = std::move(job);
    };
    for (const DetectorConfig& detector : config_.detectors) {
      // Continuous detectors run as event sources.
      if (!detector.enabled || detector.continuous) continue;
      JobState j;
      j.name = detector.id;
      j.kind = JobKind::kDetector;
      j.schedule = detector.schedule;
      j.detector = detector;
      add(std::move(j));
    }
    for (const QueryConfig& q : config_.queries) {
      if (!q.enabled) continue;
      JobState j;
      j.name = q.name;
      j.kind = JobKind::kQuery;
      j.schedule = q.schedule;
      j.query = q;
      add(std::move(j));
    }
    if (config_.status_interval_seconds > 0) {
      JobState j;
      j.name = "status";
      j.kind = JobKind::kStatus;
      j.schedule.interval_seconds = config_.status_interval_seconds;
      j.schedule.splay_percent = 0;
      j.schedule.run_at_start = false;
      add(std::move(j));
    }
  }

  void Wake() {
    uint64_t one = 1;
    if (write(wake_fd_, &one, sizeof one) < 0) {
      // The main loop still wakes on its own timer.
    }
  }

  struct Outcome {
    std::string outcome = "ok";
    std::string result;
  };

  Outcome Fail(const Status& st) {
    Outcome o;
    o.outcome = st.code() == StatusCode::kTimeout ? "stopped" : "error";
    o.result = st.message();
    return o;
  }

  std::vector<Record> ProblemRecords(const std::vector<ProblemEvent>& events) {
    std::vector<Record> out;
    for (const auto& e : events) out.push_back(ProblemEventRecord(e));
    return out;
  }

  std::string EventSummary(const std::vector<ProblemEvent>& events, size_t seen) {
    std::map<std::string, int> by_action;
    for (const auto& e : events) ++by_action[std::string(ProblemActionName(e.action))];
    std::string s = std::to_string(seen) + " found";
    for (const auto& [a, n] : by_action) s += ", " + std::to_string(n) + " " + a;
    return s;
  }

  // The calling worker's own stores, opened on its first job.
  Result<WorkerStores*> Stores(JobRunner::JobContext& ctx) {
    if (!ctx.resources) {
      auto stores = std::make_unique<WorkerStores>();
      ASSIGN_OR_RETURN(stores->state, AgentStateStore::Open(StateFilePath(config_.state_dir)));
      ASSIGN_OR_RETURN(stores->problems,
                       SqliteProblemRepository::Open(StateFilePath(config_.state_dir), false));
      ctx.resources = std::move(stores);
    }
    return static_cast<WorkerStores*>(ctx.resources.get());
  }

  Result<std::shared_ptr<SqlEngine>> Engine(WorkerStores& stores) {
    if (!stores.engine) {
      if (!options_.sql_factory) return Internal("the agent has no SQL engine factory");
      ASSIGN_OR_RETURN(stores.engine, options_.sql_factory());
    }
    return stores.engine;
  }

  int64_t BudgetMs(const JobState& job) const {
    switch (job.kind) {
      case JobKind::kQuery:
        return job.query.timeout_ms;
      case JobKind::kDetector:
        if (const Detector* d = FindDetector(job.detector.id))
          return d->RunBudgetMs().value_or(config_.limits.query_timeout_ms);
        return config_.limits.query_timeout_ms;
      case JobKind::kStatus:
        return kStatusBudgetMs;
    }
    return config_.limits.query_timeout_ms;
  }

  Outcome RunDetector(const DetectorConfig& config, WorkerStores& stores,
                      std::atomic<bool>& interrupt) {
    const Detector* detector = FindDetector(config.id);
    if (detector == nullptr) {
      Outcome o;
      o.outcome = "error";
      o.result = "no detector " + config.id;
      return o;
    }
    DetectorContext context;
    context.fs = HostFs(options_.host_root);
    context.engine = [this, &stores] { return Engine(stores); };
    context.query_timeout = std::chrono::milliseconds(config_.limits.query_timeout_ms);
    context.interrupt = &interrupt;
    context.host = host_;
    context.now = NowEpochSeconds();
    auto run = detector->Run(config, context);
    if (!run.ok()) return Fail(run.status());
    // The server keeps what the detectors looked at as the host's inventory (a skipped
    // vulnerability run too: the server matches packages against its own feed).
    if (config_.server) {
      if (!run->listeners.empty()) (void)Route({PortsInventory(run->listeners, NowMs()).record});
      if (config.id == kVulnDetectorId) SendPackagesInventory();
    }
    if (run->skipped) {
      Outcome o;
      o.outcome = "skipped";
      o.result = run->skip_reason;
      return o;
    }
    auto route = [this](const std::vector<ProblemEvent>& ev) { return Route(ProblemRecords(ev)); };
    auto events =
        stores.problems->Reconcile(config.id, host_, run->observation, context.now, route);
    if (!events.ok()) return Fail(events.status());
    Outcome o;
    o.result = detector->Describe(*run, EventSummary(*events, run->observation.findings.size()),
                                  !events->empty());
    return o;
  }

  Outcome RunQuery(const JobState& job, WorkerStores& stores, std::atomic<bool>& interrupt) {
    const int64_t rss = CurrentRssBytes();
    if (rss > config_.limits.max_rss_bytes) {
      malloc_trim(0);
      if (CurrentRssBytes() > config_.limits.max_rss_bytes) {
        Outcome o;
        o.outcome = "skipped";
        o.result = "the agent is over its memory limit (" +
                   std::to_string(CurrentRssBytes() >> 20) + " MB of " +
                   std::to_string(config_.limits.max_rss_bytes >> 20) + " MB)";
        return o;
      }
    }
    auto engine = Engine(stores);
    if (!engine.ok()) return Fail(engine.status());
    ResultLogSettings settings;
    settings.host_identifier = host_;
    settings.numerics = config_.results.numerics;
    for (const auto& [k, v] : config_.labels) settings.decorations[k] = v;
    for (const auto& [k, v] : config_.results.decorations) settings.decorations[k] = v;
    AgentStateStore& state = *stores.state;
    Status marked = state.MarkRunning(job.name);
    if (!marked.ok()) return Fail(marked);
    auto run = RunScheduledQuery(**engine, state, job.query, settings, NowMs(), &interrupt);
    (void)state.ClearRunning();
    if (!run.ok()) return Fail(run.status());
    Status routed = Route(run->records);
    if (!routed.ok()) return Fail(routed);
    Status committed = CommitQueryRun(state, *run);
    if (!committed.ok()) return Fail(committed);
    {
      std::lock_guard<std::mutex> lock(jobs_mu_);
      ScheduledQueryStats& s = jobs_[job.name].stats;
      ++s.executions;
      s.last_executed = NowEpochSeconds();
      s.output_size += run->stats.output_bytes;
      s.wall_time_ms += run->stats.wall_ms;
      s.last_wall_time_ms = run->stats.wall_ms;
      s.user_time += run->stats.user_ms;
      s.last_user_time = run->stats.user_ms;
      s.system_time += run->stats.system_ms;
      s.last_system_time = run->stats.system_ms;
      s.last_memory = run->stats.rss_bytes;
      s.average_memory =
          s.executions > 0
              ? (s.average_memory * (s.executions - 1) + run->stats.rss_bytes) / s.executions
              : run->stats.rss_bytes;
    }
    Outcome o;
    o.result = run->summary;
    return o;
  }

  Outcome RunStatus() {
    Record r;
    r.kind = RecordKind::kStatus;
    r.time_ms = NowMs();
    r.id = "status-" + MakeFindingId({host_, std::to_string(r.time_ms)}).substr(0, 16);
    r.body = StatusJson(/*for_record=*/true);
    r.body["record_id"] = r.id;
    r.body["time"] = MsToRfc3339(r.time_ms);
    r.summary = "status: cpu " +
                std::to_string(static_cast<int>(monitor_->last().cpu_percent_1m * 100) / 100.0) +
                "%, rss " + std::to_string(monitor_->last().rss_bytes >> 20) + " MB";
    Status st = Route({r});
    if (!st.ok()) return Fail(st);
    Outcome o;
    o.result = "status record sent";
    return o;
  }

  // One job, on a worker thread of job_runner_ or heartbeat_runner_.
  void RunJob(const std::string& name, JobRunner::JobContext& ctx) {
    JobState job;
    const int64_t start = NowMs();
    std::vector<JobRunCallback> reports;  // this run's, told when it ends
    {
      std::lock_guard<std::mutex> lock(jobs_mu_);
      auto it = jobs_.find(name);
      if (it == jobs_.end()) return;
      it->second.queued = false;
      it->second.running = true;
      it->second.running_since_ms = start;
      it->second.stuck = false;
      std::swap(reports, it->second.waiting);
      job = it->second;
    }
    Outcome o;
    auto stores = Stores(ctx);
    if (!stores.ok()) {
      o = Fail(stores.status());
    } else {
      switch (job.kind) {
        case JobKind::kDetector:
          o = RunDetector(job.detector, **stores, ctx.interrupt);
          break;
        case JobKind::kQuery:
          o = RunQuery(job, **stores, ctx.interrupt);
          break;
        case JobKind::kStatus:
          o = RunStatus();
          break;
      }
    }
    const int64_t duration = NowMs() - start;
    JobRunRecord rec;
    JobRunReport report;
    {
      std::lock_guard<std::mutex> lock(jobs_mu_);
      JobState& j = jobs_[name];
      if (j.stuck) {
        o.outcome = o.outcome == "ok" ? "ok" : "stopped";
        o.result = "stuck for " + SecondsText(duration) + " (past its budget of " +
                   SecondsText(BudgetMs(j)) + "), then: " + o.result;
      }
      j.running = false;
      j.stuck = false;
      j.last_start_ms = start;
      j.last_duration_ms = duration;
      j.last_outcome = o.outcome;
      j.last_result = o.outcome + ": " + o.result;
      ++j.runs;
      if (o.outcome == "error" || o.outcome == "stopped") ++j.failures;
      j.next_due_ms = j.run_again ? 0 : NextDueTime(j.schedule, start, rng_);
      j.run_again = false;
      report = {name,      start,         duration,
                o.outcome, j.last_result, std::max(j.next_due_ms, start + duration),
                j.runs,    j.failures};
      rec = {name,          start,  duration,  o.outcome == "ok" || o.outcome == "skipped",
             j.last_result, j.runs, j.failures};
    }
    if (job.kind != JobKind::kStatus || o.outcome != "ok")
      AgentLog("job " + name + " " + o.outcome + " in " + std::to_string(duration) +
               " ms: " + o.result);
    if (stores.ok()) (void)(*stores)->state->SaveJobRun(rec);
    for (const JobRunCallback& tell : reports) tell(report);
    Wake();
  }

  AgentConfig config_;
  const AgentOptions& options_;
  ResourceMonitor* monitor_;
  int wake_fd_;
  int64_t agent_started_ms_;
  std::string host_;
  std::mt19937_64 rng_;  // under jobs_mu_

  std::unique_ptr<SinkRouter> router_;
  std::vector<std::unique_ptr<EventSource>> sources_;
  // The main thread's connections; each job worker has its own (WorkerStores).
  std::unique_ptr<AgentStateStore> state_;
  std::unique_ptr<ProblemRepository> main_problems_;

  std::mutex jobs_mu_;
  std::map<std::string, JobState> jobs_;

  std::atomic<bool> stopping_{false};
  JobRunner job_runner_;
  JobRunner heartbeat_runner_;
  bool started_ = false;
  bool stopped_ = false;

  // The control-plane server (config_.server): the command channel, and the
  // package snapshot last sent (only a changed list is sent again).
  void StartServerLink() {
    ServerLinkOptions o;
    o.endpoint = config_.server->endpoint;
    o.state_dir = config_.state_dir;
    for (const DetectorConfig& detector : config_.detectors)
      if (detector.enabled && !detector.continuous) o.detector_ids.push_back(detector.id);
    o.run_now = [this](const std::string& job, JobRunCallback on_finished) {
      Status st = RunNow(job, std::move(on_finished));
      Wake();
      return st;
    };
    o.run_query = [this](const std::string& sql) -> Result<BudgetedQueryResult> {
      // The link's own engine, made on first use (only the link's thread runs it).
      if (!link_engine_) {
        if (!options_.sql_factory) return Internal("the agent has no SQL engine factory");
        ASSIGN_OR_RETURN(link_engine_, options_.sql_factory());
      }
      return RunBudgetedQuery(*link_engine_, sql, config_.limits.query_timeout_ms,
                              config_.limits.query_max_memory_bytes, &stopping_);
    };
    o.request_reload = [] { ::kill(::getpid(), SIGHUP); };  // read by the main loop's signalfd
    // A server config must fit this agent's file before it is kept and applied.
    o.check_config = [path = options_.config_path](const Json& config) -> Status {
      ASSIGN_OR_RETURN(ServerConfigOverlay overlay, ParseServerConfigOverlay(config));
      return LoadAgentConfig(path, &overlay).status();
    };
    o.router = this;
    o.on_start = [this] { SendPackagesInventory(); };
    o.log = AgentLog;
    server_link_ = std::make_unique<ServerLink>(std::move(o));
    server_link_->Start();
  }
  void SendPackagesInventory() {
    auto snapshot = PackagesInventory(HostFs(options_.host_root), NowMs());
    if (!snapshot.ok()) {
      AgentLog("package inventory not sent: " + snapshot.status().message());
      return;
    }
    std::lock_guard<std::mutex> lock(inventory_mu_);
    if (snapshot->content_hash == last_packages_hash_) return;
    if (Route({snapshot->record}).ok()) last_packages_hash_ = snapshot->content_hash;
  }
  std::shared_ptr<SqlEngine> link_engine_;  // live queries, on the server link's thread
  std::unique_ptr<ServerLink> server_link_;
  std::mutex inventory_mu_;
  std::string last_packages_hash_;  // under inventory_mu_
};

}  // namespace

// The file's config with the server's kept config laid over it, when the
// file has a `server:` section and the server has sent one (agent_config.h,
// ServerConfigOverlay). A kept config that no longer fits the file (the file
// changed since) is logged and left out: the file alone runs.
namespace {
Result<AgentConfig> LoadConfigWithServer(const std::string& path) {
  ASSIGN_OR_RETURN(AgentConfig file, LoadAgentConfig(path));
  if (!file.server) return file;
  std::optional<Json> kept = ReadKeptServerConfig(file.state_dir);
  if (!kept) return file;
  Result<ServerConfigOverlay> overlay = ParseServerConfigOverlay(*kept);
  Result<AgentConfig> merged =
      overlay.ok() ? LoadAgentConfig(path, &*overlay) : Result<AgentConfig>(overlay.status());
  if (!merged.ok()) {
    AgentLog("the server's config kept in " + KeptServerConfigPath(file.state_dir) +
             " is left out, the file's recipe and queries run alone: " + merged.status().message());
    return file;
  }
  return merged;
}
}  // namespace

struct Agent::Impl {
  AgentOptions options;
  ResourceMonitor monitor;
  int64_t started_ms = NowMs();
  int wake_fd = -1;
  int signal_fd = -1;
  std::unique_ptr<ControlServer> control;
  std::mutex runtime_mu;  // guards the pointer, for the runtime-state source
  std::shared_ptr<Runtime> runtime;
  std::string last_reload_error;
  int64_t config_loaded_ms = 0;
  int64_t last_reload_attempt_ms = 0;
  int64_t reload_attempts = 0;  // `warden agent reload` waits for this to move

  Result<std::shared_ptr<Runtime>> Build(const AgentConfig& config) {
    auto rt = std::make_shared<Runtime>(config, options, &monitor, wake_fd, started_ms);
    RETURN_IF_ERROR(rt->Prepare());
    return rt;
  }

  void Install(std::shared_ptr<Runtime> rt) {
    rt->Start();
    std::lock_guard<std::mutex> lock(runtime_mu);
    runtime = std::move(rt);
  }

  std::shared_ptr<Runtime> Current() {
    std::lock_guard<std::mutex> lock(runtime_mu);
    return runtime;
  }

  void Reload() {
    last_reload_attempt_ms = NowMs();
    ++reload_attempts;
    std::shared_ptr<Runtime> old = Current();
    auto config = LoadConfigWithServer(options.config_path);
    if (!config.ok()) {
      last_reload_error = config.status().message();
      AgentLog("config reload rejected, keeping the running config: " + last_reload_error);
      return;
    }
    if (config->control_socket != old->config().control_socket ||
        config->state_dir != old->config().state_dir)
      AgentLog("state_dir and control_socket changes take effect at the next restart");
    config->state_dir = old->config().state_dir;
    config->control_socket = old->config().control_socket;
    // Sinks are checked before the running runtime is touched.
    for (const SinkConfig& s : config->sinks) {
      if (!s.enabled) continue;
      SinkContext context;
      context.host_identifier = ResolveHostIdentifier(*config);
      auto sink = MakeSink(s, context);
      if (!sink.ok()) {
        last_reload_error = config->path + ": sinks: " + sink.status().message();
        AgentLog("config reload rejected, keeping the running config: " + last_reload_error);
        return;
      }
    }
    const AgentConfig previous = old->config();
    old->Stop();
    auto fresh = Build(*config);
    if (!fresh.ok()) {
      last_reload_error = fresh.status().message();
      AgentLog("config reload failed, going back to the previous config: " + last_reload_error);
      auto back = Build(previous);
      if (back.ok()) Install(*back);
      return;
    }
    Install(*fresh);
    last_reload_error.clear();
    config_loaded_ms = NowMs();
    AgentLog("config reloaded from " + options.config_path + " (sha256 " +
             config->hash.substr(0, 12) + ")" +
             (config->server_config_etag.empty()
                  ? std::string()
                  : ", with the server's recipe and queries " + config->server_config_etag));
    uint64_t one = 1;
    (void)!write(wake_fd, &one, sizeof one);
  }

  Json Handle(const Json& request, bool* reload) {
    const std::string command = request.value("command", std::string());
    std::shared_ptr<Runtime> rt = Current();
    if (command == "ping") return {{"ok", true}};
    if (command == "status") {
      Json j = rt->StatusJson(false);
      j["ok"] = true;
      j["agent"]["config_loaded"] = MsToRfc3339(config_loaded_ms);
      j["agent"]["last_reload_error"] =
          last_reload_error.empty() ? Json(nullptr) : Json(last_reload_error);
      j["agent"]["last_reload_attempt"] = TimeOrNull(last_reload_attempt_ms);
      j["agent"]["reload_attempts"] = reload_attempts;
      return j;
    }
    if (command == "run-now") {
      const std::string job = request.value("job", std::string());
      Status st = rt->RunNow(job);
      if (!st.ok()) return {{"ok", false}, {"error", st.message()}};
      return {{"ok", true}, {"job", job}};
    }
    if (command == "test-sink") {
      const std::string name = request.value("sink", std::string());
      const SinkConfig* sc = rt->config().FindSink(name);
      if (!sc) {
        std::string names;
        for (const auto& s : rt->config().sinks) names += (names.empty() ? "" : ", ") + s.name;
        return {{"ok", false},
                {"error",
                 "no sink named '" + name + "' (sinks: " + (names.empty() ? "none" : names) + ")"}};
      }
      return SendTestRecord(*sc, ResolveHostIdentifier(rt->config()));
    }
    if (command == "dismiss") {
      auto e =
          rt->Dismiss(request.value("id", std::string()), request.value("comment", std::string()),
                      request.value("until", int64_t{0}));
      if (!e.ok()) return {{"ok", false}, {"error", e.status().message()}};
      return {{"ok", true}, {"problem", ProblemToJson(e->problem)}};
    }
    if (command == "reload") {
      *reload = true;
      return {{"ok", true}};
    }
    return {{"ok", false}, {"error", "unknown command '" + command + "'"}};
  }
};

Agent::Agent(AgentOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Agent::~Agent() {
  if (impl_->wake_fd >= 0) close(impl_->wake_fd);
  if (impl_->signal_fd >= 0) close(impl_->signal_fd);
}

int Agent::Run() {
  Impl& m = *impl_;
  auto config = LoadConfigWithServer(m.options.config_path);
  if (!config.ok()) {
    AgentLog("cannot start: " + config.status().message());
    return 2;
  }
  // Signals are read from a signalfd in the main loop; every thread started
  // from here on inherits the blocked mask.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  m.signal_fd = signalfd(-1, &mask, SFD_CLOEXEC);
  m.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (m.signal_fd < 0 || m.wake_fd < 0) {
    AgentLog("cannot start: signalfd/eventfd failed");
    return 2;
  }
  m.monitor.Sample(NowMs());
  auto rt = m.Build(*config);
  if (!rt.ok()) {
    AgentLog("cannot start: " + rt.status().message());
    return 2;
  }
  auto control = ControlServer::Listen(config->control_socket);
  if (!control.ok()) {
    AgentLog("cannot start: control socket: " + control.status().message());
    return 2;
  }
  m.control = std::move(*control);
  m.config_loaded_ms = NowMs();
  m.Install(*rt);
  SetWardenRuntimeStateSource([&m]() {
    std::shared_ptr<Runtime> r = m.Current();
    return r ? r->RuntimeState() : WardenRuntimeState{};
  });
  {
    const AgentConfig& c = m.Current()->config();
    std::string sinks;
    for (const auto& s : c.sinks)
      if (s.enabled) sinks += (sinks.empty() ? "" : ", ") + s.name + " (" + s.type + ")";
    AgentLog("started: warden " + std::string(kWardenVersion) + ", pid " +
             std::to_string(getpid()) + ", config " + c.path + ", state " +
             StateFilePath(c.state_dir) + ", control socket " + c.control_socket +
             ", sinks: " + (sinks.empty() ? "none" : sinks));
  }

  constexpr int64_t kSampleEveryMs = 10000;
  int64_t next_sample = NowMs() + kSampleEveryMs;
  bool over_memory_logged = false;
  for (;;) {
    const int64_t now = NowMs();
    if (now >= next_sample) {
      ResourceUsage u = m.monitor.Sample(now);
      next_sample = now + kSampleEveryMs;
      const int64_t max_rss = m.Current()->config().limits.max_rss_bytes;
      if (u.rss_bytes > max_rss) {
        malloc_trim(0);
        if (!over_memory_logged)
          AgentLog("over the memory limit: rss " + std::to_string(u.rss_bytes >> 20) + " MB > " +
                   std::to_string(max_rss >> 20) + " MB; heap trimmed, scheduled queries wait");
        over_memory_logged = true;
      } else {
        over_memory_logged = false;
      }
    }
    const int64_t next_job = m.Current()->Tick(now);
    const int64_t wake_at = std::min(next_job, next_sample);
    const int timeout = static_cast<int>(std::clamp<int64_t>(wake_at - NowMs(), 0, 60000));
    pollfd fds[3] = {
        {m.signal_fd, POLLIN, 0}, {m.wake_fd, POLLIN, 0}, {m.control->fd(), POLLIN, 0}};
    int rc = poll(fds, 3, timeout);
    if (rc < 0 && errno != EINTR) break;
    if (rc <= 0) continue;
    if (fds[1].revents & POLLIN) {
      uint64_t n;
      (void)!read(m.wake_fd, &n, sizeof n);
    }
    bool reload = false, stop = false;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si{};
      while (read(m.signal_fd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGHUP)
          reload = true;
        else
          stop = true;
        break;
      }
    }
    if (fds[2].revents & POLLIN) {
      auto conn = m.control->Accept();
      if (conn.ok()) ControlServer::Answer(conn->first, m.Handle(conn->second, &reload));
    }
    if (stop) {
      AgentLog("stopping");
      break;
    }
    if (reload) {
      AgentLog("reloading " + m.options.config_path);
      m.Reload();
    }
  }
  SetWardenRuntimeStateSource(nullptr);
  std::shared_ptr<Runtime> last = m.Current();
  last->Stop();
  {
    std::lock_guard<std::mutex> lock(m.runtime_mu);
    m.runtime.reset();
  }
  m.control.reset();
  AgentLog("stopped");
  return 0;
}

}  // namespace warden
