#include "agent/scheduled_query.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "core/finding.h"

namespace warden {

int64_t CurrentRssBytes() {
  FILE* f = std::fopen("/proc/self/statm", "re");
  if (!f) return 0;
  long long size = 0, resident = 0;
  int n = std::fscanf(f, "%lld %lld", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

namespace {

int64_t ThreadCpuMs(bool user) {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  const timeval& tv = user ? ru.ru_utime : ru.ru_stime;
  return static_cast<int64_t>(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
}

// Watches the process's RSS while one query runs; sets `interrupt` when the
// growth passes the budget or `stop` is set (the agent is stopping, or the
// job runner found the query stuck).
class MemoryWatchdog {
 public:
  MemoryWatchdog(int64_t budget_bytes, std::atomic<bool>* interrupt, const std::atomic<bool>* stop)
      : baseline_(CurrentRssBytes()), budget_(budget_bytes), interrupt_(interrupt), stop_(stop) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~MemoryWatchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  bool over_budget() const { return over_.load(); }
  int64_t peak_growth() const { return peak_growth_.load(); }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!done_) {
      cv_.wait_for(lock, std::chrono::milliseconds(20));
      if (done_) break;
      int64_t growth = CurrentRssBytes() - baseline_;
      if (growth > peak_growth_.load()) peak_growth_ = growth;
      if (growth > budget_) {
        over_ = true;
        interrupt_->store(true);
      }
      if (stop_ != nullptr && stop_->load()) interrupt_->store(true);
    }
  }
  const int64_t baseline_;
  const int64_t budget_;
  std::atomic<bool>* interrupt_;
  const std::atomic<bool>* stop_;
  std::atomic<bool> over_{false};
  std::atomic<int64_t> peak_growth_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

std::string Sha256Short(const std::string& text) { return MakeFindingId({text}); }

// The all-strings form of a typed canonical row (numerics off).
Json Stringify(const Json& typed) {
  Json j = Json::object();
  for (auto it = typed.begin(); it != typed.end(); ++it) {
    const Json& v = it.value();
    if (v.is_null())
      j[it.key()] = "";
    else if (v.is_string())
      j[it.key()] = v.get<std::string>();
    else
      j[it.key()] = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return j;
}

std::string MegaBytes(int64_t bytes) { return std::to_string(bytes >> 20) + " MB"; }

}  // namespace

Result<QueryRun> RunScheduledQuery(SqlEngine& engine, AgentStateStore& state,
                                   const QueryConfig& query, const ResultLogSettings& settings,
                                   int64_t now_ms, const std::atomic<bool>* stop) {
  ASSIGN_OR_RETURN(DifferentialState prev, state.LoadDifferential(query.name));
  QueryRun run;
  const auto wall_start = std::chrono::steady_clock::now();
  const int64_t user_start = ThreadCpuMs(true), sys_start = ThreadCpuMs(false);

  std::vector<std::string> columns;
  std::vector<std::string> rows;  // canonical typed JSON per row
  int64_t row_bytes = 0;
  bool rows_over_budget = false;
  std::atomic<bool> interrupt{false};
  Status st;
  bool memory_over = false;
  {
    MemoryWatchdog watchdog(query.max_memory_bytes, &interrupt, stop);
    QueryOptions options;
    options.timeout = std::chrono::milliseconds(query.timeout_ms);
    options.interrupt = &interrupt;
    st = engine.QueryStream(
        query.sql, options, [&](const std::vector<std::string>& cols) { columns = cols; },
        [&](std::vector<Value>&& row) {
          if (rows_over_budget) return;
          std::string text = RowObject(columns, row, /*numerics=*/true)
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
          // Rows are held twice (text and the lines built from them).
          row_bytes += static_cast<int64_t>(text.size()) * 2 + 64;
          if (row_bytes > query.max_memory_bytes) {
            rows_over_budget = true;
            interrupt.store(true);
            return;
          }
          rows.push_back(std::move(text));
        });
    memory_over = watchdog.over_budget();
  }
  run.stats.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - wall_start)
                          .count();
  run.stats.user_ms = ThreadCpuMs(true) - user_start;
  run.stats.system_ms = ThreadCpuMs(false) - sys_start;
  if (rows_over_budget || memory_over)
    return Timeout("query exceeded its memory budget of " + MegaBytes(query.max_memory_bytes) +
                   " and was stopped");
  if (stop != nullptr && stop->load() && !st.ok())
    return Timeout("query interrupted");  // the agent is stopping, or the job was stuck
  if (!st.ok()) return st;
  run.stats.rows = static_cast<int64_t>(rows.size());

  const std::string sql_hash =
      Sha256Short(query.sql + (query.mode == QueryConfig::Mode::kSnapshot ? "#s" : "#d"));
  DifferentialState next;
  next.name = query.name;
  next.sql_hash = sql_hash;
  next.exists = true;
  const bool same_epoch = prev.exists && prev.sql_hash == sql_hash;
  next.epoch = prev.exists ? (same_epoch ? prev.epoch : prev.epoch + 1) : 0;
  next.counter = same_epoch ? prev.counter + 1 : 0;

  ResultLogHeader header;
  header.name = query.name;
  header.host_identifier = settings.host_identifier;
  header.unix_time = now_ms / 1000;
  header.epoch = next.epoch;
  header.counter = next.counter;
  header.numerics = settings.numerics;
  header.decorations = settings.decorations;

  auto render = [&](const std::string& canonical) {
    Json typed = Json::parse(canonical, nullptr, false);
    if (typed.is_discarded()) typed = Json::object();
    return settings.numerics ? typed : Stringify(typed);
  };
  auto add_record = [&](Json body, std::string id) {
    Record r;
    r.kind = RecordKind::kResult;
    r.id = std::move(id);
    r.time_ms = now_ms;
    r.syslog_severity = 6;
    r.summary =
        "result " + query.name + " " + body.value("action", std::string()) + " " +
        (body.contains("columns")
             ? body["columns"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
             : std::to_string(rows.size()) + " rows");
    run.stats.output_bytes += static_cast<int64_t>(
        body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).size());
    r.body = std::move(body);
    run.records.push_back(std::move(r));
  };
  const std::string id_prefix =
      query.name + "\x1f" + std::to_string(next.epoch) + "\x1f" + std::to_string(next.counter);

  if (query.mode == QueryConfig::Mode::kSnapshot) {
    Json all = Json::array();
    for (const std::string& r : rows) all.push_back(render(r));
    add_record(SnapshotLine(header, std::move(all)), MakeFindingId({id_prefix, "snapshot"}));
    run.summary = std::to_string(rows.size()) + " rows (snapshot)";
  } else {
    std::sort(rows.begin(), rows.end());
    std::vector<std::string> previous = same_epoch ? prev.rows : std::vector<std::string>{};
    std::sort(previous.begin(), previous.end());
    // Multiset difference: duplicate rows count one by one.
    std::vector<std::string> added, removed;
    std::set_difference(rows.begin(), rows.end(), previous.begin(), previous.end(),
                        std::back_inserter(added));
    std::set_difference(previous.begin(), previous.end(), rows.begin(), rows.end(),
                        std::back_inserter(removed));
    std::map<std::string, int> seen;  // same row twice in one run: distinct ids
    for (const std::string& r : added)
      add_record(DifferentialLine(header, render(r), "added"),
                 MakeFindingId({id_prefix, "added", r, std::to_string(seen[r]++)}));
    if (query.report_removed)
      for (const std::string& r : removed)
        add_record(DifferentialLine(header, render(r), "removed"),
                   MakeFindingId({id_prefix, "removed", r, std::to_string(seen[r]++)}));
    run.stats.added = static_cast<int64_t>(added.size());
    run.stats.removed = static_cast<int64_t>(removed.size());
    run.summary = std::to_string(rows.size()) + " rows, " + std::to_string(added.size()) +
                  " added, " + std::to_string(removed.size()) + " removed";
    next.rows = std::move(rows);
  }
  run.next_state = std::move(next);
  run.stats.rss_bytes = CurrentRssBytes();
  return run;
}

Result<BudgetedQueryResult> RunBudgetedQuery(SqlEngine& engine, const std::string& sql,
                                             int64_t timeout_ms, int64_t max_memory_bytes,
                                             const std::atomic<bool>* stop) {
  BudgetedQueryResult out;
  const auto wall_start = std::chrono::steady_clock::now();
  int64_t held = 0;
  bool rows_over_budget = false;
  std::atomic<bool> interrupt{false};
  Status st;
  bool memory_over = false;
  {
    MemoryWatchdog watchdog(max_memory_bytes, &interrupt, stop);
    QueryOptions options;
    options.timeout = std::chrono::milliseconds(timeout_ms);
    options.interrupt = &interrupt;
    st = engine.QueryStream(
        sql, options,
        [&](const std::vector<std::string>& cols) {
          out.columns.clear();
          std::map<std::string, int> seen;
          for (const std::string& c : cols) {
            const int n = ++seen[c];
            out.columns.push_back(n == 1 ? c : c + "_" + std::to_string(n));
          }
        },
        [&](std::vector<Value>&& row) {
          if (rows_over_budget) return;
          Json values = Json::array();
          for (const Value& v : row) {
            if (IsNull(v)) {
              values.push_back(nullptr);
            } else if (const int64_t* n = std::get_if<int64_t>(&v)) {
              values.push_back(*n);
            } else if (const double* d = std::get_if<double>(&v)) {
              values.push_back(std::isfinite(*d) ? Json(*d) : Json(nullptr));
            } else {
              values.push_back(ValueToText(v));
            }
          }
          held +=
              static_cast<int64_t>(
                  values.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).size()) *
                  2 +
              64;
          if (held > max_memory_bytes) {
            rows_over_budget = true;
            interrupt.store(true);
            return;
          }
          out.rows.push_back(std::move(values));
        });
    memory_over = watchdog.over_budget();
  }
  out.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - wall_start)
                    .count();
  if (rows_over_budget || memory_over)
    return Timeout("query exceeded its memory budget of " + MegaBytes(max_memory_bytes) +
                   " and was stopped");
  if (stop != nullptr && stop->load() && !st.ok()) return Timeout("query interrupted");
  if (!st.ok()) return st;
  return out;
}

Status CommitQueryRun(AgentStateStore& state, const QueryRun& run) {
  return state.SaveDifferential(run.next_state);
}

}  // namespace warden
