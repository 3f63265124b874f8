// The control-plane server's embedded SQLite store at full size, measured in
// a temporary directory:
//   - ledger-checked ingest: agent batches (20 or 500 records, one record in
//     ten a resend) submitted concurrently to the store's single writer, each
//     record claimed in the ledger, the host's last-seen time touched;
//     records/s with synchronous=FULL (an acknowledged record is on disk),
//     against the target of 50,000 records/s;
//   - list pages over 1,000,000 audit entries (first page, a page 500,000
//     rows deep, filtered, a range, 10,000 rows per page), each with its
//     total, against the target of 100 ms per page;
//   - export of all 1,000,000 rows through the store (rows/s, no formatting).
// Usage: build/bench/store_bench [--workdir=DIR] [--rows=N] [--benchmark_...]
// (--workdir keeps the databases in DIR and reuses the 1M-row one).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace {

using namespace warden;
using namespace warden::store;
using Clock = std::chrono::steady_clock;

constexpr double kIngestTarget = 50'000;   // records/s
constexpr double kPageTargetMs = 100;      // per list page
constexpr double kExportTarget = 200'000;  // rows/s (the API's target, with formatting)
constexpr EpochMs kBaseTime = 1'700'000'000'000;

struct Workspace {
  std::string dir;
  bool keep = false;
  int64_t rows = 1'000'000;
  ~Workspace() {
    std::error_code ec;
    if (!keep && !dir.empty()) std::filesystem::remove_all(dir, ec);
  }
} g_ws;

std::unique_ptr<Store> MustOpen(const std::string& path, bool synchronous_full) {
  SqliteStoreOptions options;
  options.path = path;
  options.synchronous_full = synchronous_full;
  auto store = OpenSqliteStore(options);
  if (!store.ok()) {
    std::cerr << store.status().message() << "\n";
    std::exit(2);
  }
  return std::move(*store);
}

// ---- ingest

void BM_LedgerIngest(benchmark::State& state) {
  const int records_per_batch = static_cast<int>(state.range(0));
  const int batches = 10'000 / records_per_batch;  // 10,000 records per round
  std::string path = g_ws.dir + "/ingest-" + std::to_string(records_per_batch) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  std::unique_ptr<Store> store = MustOpen(path, true);

  int64_t seq = 0;
  int64_t accepted = 0;
  int64_t records = 0;
  for (auto _ : state) {
    std::mutex mu;
    std::condition_variable cv;
    int outstanding = batches;
    std::atomic<int64_t> fresh{0};
    EpochMs now = kBaseTime + seq;
    for (int b = 0; b < batches; ++b) {
      int64_t host = 1 + (seq / records_per_batch) % 10'000;
      std::vector<std::string> ids;
      ids.reserve(static_cast<size_t>(records_per_batch));
      for (int r = 0; r < records_per_batch; ++r, ++seq) {
        // One record in ten repeats the batch's first one (a resend).
        ids.push_back(r % 10 == 9 ? ids.front() : "rec-" + std::to_string(seq));
      }
      store
          ->Write([host, ids = std::move(ids), now](StoreWriter& w) -> Result<int64_t> {
            int64_t n = 0;
            for (const std::string& id : ids) {
              ASSIGN_OR_RETURN(bool first, w.ledger().Claim(host, id, now));
              n += first ? 1 : 0;
            }
            return n;
          })
          .Then([&](Result<int64_t> r) {
            if (r.ok()) fresh += *r;
            std::lock_guard lock(mu);
            if (--outstanding == 0) cv.notify_one();
          });
      store->TouchHost(host, now);
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return outstanding == 0; });
    accepted += fresh.load();
    records += int64_t{batches} * records_per_batch;
  }
  StoreWriterStats stats = store->writer_stats();
  state.SetItemsProcessed(records);
  state.counters["records_per_s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  state.counters["stored"] = static_cast<double>(accepted);
  state.counters["duplicates"] = static_cast<double>(records - accepted);
  state.counters["writes_per_txn"] =
      stats.transactions ? static_cast<double>(stats.writes) / stats.transactions : 0;
}

// Problem events as the agent channel stores them (record_ingest.cc): per
// record a ledger claim, a new problem row with its finding, and its
// "opened" history entry; 500 records per agent batch, 64 hosts.
void BM_ProblemIngest(benchmark::State& state) {
  constexpr int kHosts = 64;
  const int records_per_batch = static_cast<int>(state.range(0));
  const int batches = 10'000 / records_per_batch;
  std::string path = g_ws.dir + "/problems-" + std::to_string(records_per_batch) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  std::unique_ptr<Store> store = MustOpen(path, true);
  std::vector<int64_t> hosts;
  auto enrolled = store
                      ->Write([](StoreWriter& w) -> Result<std::vector<int64_t>> {
                        NewEnrolSecret secret;
                        secret.name = "bench";
                        secret.sha256 = "bench";
                        secret.created_at = kBaseTime;
                        ASSIGN_OR_RETURN(EnrolSecret s, w.enrol_secrets().Create(secret));
                        std::vector<int64_t> ids;
                        for (int h = 0; h < kHosts; ++h) {
                          HostEnrolment e;
                          e.machine_id = "machine-" + std::to_string(h);
                          e.hostname = "host-" + std::to_string(h);
                          e.enrol_secret_id = s.id;
                          e.node_key_sha256 = "key-" + std::to_string(h);
                          e.now = kBaseTime;
                          ASSIGN_OR_RETURN(EnrolOutcome o, w.hosts().Enrol(e));
                          ids.push_back(o.host.id);
                        }
                        return ids;
                      })
                      .Wait();
  if (!enrolled.ok()) {
    state.SkipWithError(enrolled.status().message().c_str());
    return;
  }
  hosts = *enrolled;
  static constexpr const char* kRules[] = {"HOST-SSH-ROOT", "HOST-VULN", "HOST-PORT-EXPOSED",
                                           "HOST-SUDO-NOPASSWD", "HOST-WORLD-WRITABLE"};
  int64_t seq = 0;
  int64_t records = 0;
  for (auto _ : state) {
    std::mutex mu;
    std::condition_variable cv;
    int outstanding = batches;
    std::atomic<int64_t> failed{0};
    for (int b = 0; b < batches; ++b) {
      const int64_t host = hosts[static_cast<size_t>(seq / records_per_batch) % hosts.size()];
      std::vector<FleetProblem> problems;
      problems.reserve(static_cast<size_t>(records_per_batch));
      for (int r = 0; r < records_per_batch; ++r, ++seq) {
        FleetProblem p;
        p.host_id = host;
        p.hostname = "host-" + std::to_string(host);
        p.agent_problem_id = "ingest-" + std::to_string(seq);
        p.rule_id = kRules[seq % 5];
        p.title = p.rule_id + " finding " + std::to_string(seq) + " on " + p.hostname;
        p.risk_level = static_cast<RiskLevel>(1 + (seq / 7) % 5);
        p.resource = p.hostname + "/resource-" + std::to_string(seq);
        p.first_detected_at = p.last_detected_at = p.status_changed_at = kBaseTime + seq;
        p.revision = 1;
        p.finding_json =
            R"({"id":")" + p.agent_problem_id + R"(","rule_id":")" + p.rule_id + R"(","title":")" +
            p.title + R"(","risk_level":"medium","resource":")" + p.resource +
            R"(","source":"host.sql","description":"seen by the benchmark",)"
            R"("first_seen":"2023-11-14T22:13:20Z","last_seen":"2023-11-14T22:13:20Z",)"
            R"("evidence":{"path":"/etc/ssh/sshd_config","line":12},)"
            R"("remediation":"Set PermitRootLogin no and reload sshd.",)"
            R"("links":["https://example.invalid/rules/)" +
            p.rule_id + R"("]})";
        p.updated_at = kBaseTime + seq;
        problems.push_back(std::move(p));
      }
      store
          ->Write([host, problems = std::move(problems)](StoreWriter& w) -> Result<int64_t> {
            int64_t n = 0;
            for (const FleetProblem& p : problems) {
              ASSIGN_OR_RETURN(bool first,
                               w.ledger().Claim(host, p.agent_problem_id + ".1", p.updated_at));
              if (!first) continue;
              ASSIGN_OR_RETURN(ProblemUpsert upsert, w.problems().Upsert(p));
              ProblemHistoryRecord h;
              h.problem_id = upsert.problem.id;
              h.revision = p.revision;
              h.at = p.updated_at;
              h.action = "opened";
              h.status = p.status;
              h.actor = {"node", std::to_string(host), p.hostname};
              RETURN_IF_ERROR(w.problems().AppendHistory(h).status());
              ++n;
            }
            return n;
          })
          .Then([&](Result<int64_t> r) {
            if (!r.ok()) ++failed;
            std::lock_guard lock(mu);
            if (--outstanding == 0) cv.notify_one();
          });
      store->TouchHost(host, kBaseTime + seq);
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return outstanding == 0; });
    if (failed.load() > 0) {
      state.SkipWithError("a problem batch failed");
      return;
    }
    records += int64_t{batches} * records_per_batch;
  }
  StoreWriterStats stats = store->writer_stats();
  state.SetItemsProcessed(records);
  state.counters["records_per_s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  state.counters["writes_per_txn"] =
      stats.transactions ? static_cast<double>(stats.writes) / stats.transactions : 0;
}

// ---- lists over 1M rows

struct AuditFixture {
  std::unique_ptr<Store> store;
  std::string deep_cursor;  // after row 500,000 of the default order
};

AuditFixture& Audit() {
  static AuditFixture* fixture = [] {
    auto* f = new AuditFixture();
    std::string path = g_ws.dir + "/audit.db";
    bool ready = false;
    if (std::filesystem::exists(path)) {
      f->store = MustOpen(path, true);
      auto page = f->store->audit().List(ListQuery{});
      ready = page.ok() && page->total == g_ws.rows;
      f->store.reset();
      if (!ready)
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    }
    if (!ready) {
      auto start = Clock::now();
      // Filling is not what is measured: no fsync per batch.
      std::unique_ptr<Store> fill = MustOpen(path, false);
      static const char* kActions[] = {"createUser", "dismissProblems",   "runScan", "revokeToken",
                                       "updateHost", "createEnrolSecret", "login"};
      constexpr int64_t kPerWrite = 5000;
      std::vector<Pending<Committed>> writes;
      for (int64_t start_row = 0; start_row < g_ws.rows; start_row += kPerWrite) {
        int64_t end_row = std::min(g_ws.rows, start_row + kPerWrite);
        writes.push_back(fill->Write([start_row, end_row](StoreWriter& w) -> Status {
          for (int64_t i = start_row; i < end_row; ++i) {
            AuditEntry e;
            e.time = kBaseTime + i * 10;
            e.actor_type = i % 20 == 0 ? ActorType::kApiToken : ActorType::kUser;
            e.actor_id = std::to_string(i % 50);
            e.actor_name = "user" + std::to_string(i % 50);
            e.action = kActions[i % 7];
            e.target_type = "host";
            e.target_id = std::to_string(i % 10'000);
            e.source_ip = "10.0." + std::to_string(i % 250) + ".1";
            e.request_id = "req-" + std::to_string(i);
            if (i % 10 == 0) e.after_json = R"({"role":"analyst","disabled":false})";
            RETURN_IF_ERROR(w.audit().Append(e).status());
          }
          return Status::Ok();
        }));
      }
      for (auto& w : writes) {
        auto r = w.Wait();
        if (!r.ok()) {
          std::cerr << "filling: " << r.status().message() << "\n";
          std::exit(2);
        }
      }
      fill.reset();
      std::cerr << "filled " << g_ws.rows << " audit entries in "
                << std::chrono::duration<double>(Clock::now() - start).count() << " s\n";
    }
    f->store = MustOpen(path, true);
    ListQuery q;
    q.limit = 1;
    q.filters.push_back({"time", FilterOp::kLe, kBaseTime + (g_ws.rows / 2) * 10});
    auto page = f->store->audit().List(q);
    if (page.ok() && page->next_cursor) f->deep_cursor = *page->next_cursor;
    return f;
  }();
  return *fixture;
}

ListQuery PageQuery(int variant) {
  ListQuery q;
  switch (variant) {
    case 0:  // first page, newest first
      break;
    case 1:  // 500,000 rows deep
      q.cursor = Audit().deep_cursor;
      break;
    case 2:  // one action in seven
      q.filters.push_back({"action", FilterOp::kEq, std::string("runScan")});
      break;
    case 3:  // one hour of the log
      q.filters.push_back({"time", FilterOp::kGe, kBaseTime + 1'000'000});
      q.filters.push_back({"time", FilterOp::kLt, kBaseTime + 1'000'000 + 3'600'000});
      break;
    case 4:  // the largest page
      q.limit = 10'000;
      break;
    case 5:  // oldest first, by id
      q.sort = SortOrder{"id", false};
      break;
  }
  return q;
}

const char* kPageNames[] = {"first_page", "deep_page",   "filter_action",
                            "time_range", "limit_10000", "sort_id_asc"};

void BM_AuditListPage(benchmark::State& state) {
  int variant = static_cast<int>(state.range(0));
  state.SetLabel(kPageNames[variant]);
  Store& store = *Audit().store;
  ListQuery q = PageQuery(variant);
  int64_t items = 0;
  int64_t total = 0;
  for (auto _ : state) {
    auto page = store.audit().List(q);
    if (!page.ok()) {
      state.SkipWithError(page.status().message().c_str());
      return;
    }
    items = static_cast<int64_t>(page->items.size());
    total = page->total;
    benchmark::DoNotOptimize(page->items.data());
  }
  state.counters["items"] = static_cast<double>(items);
  state.counters["total"] = static_cast<double>(total);
}

void BM_AuditExport(benchmark::State& state) {
  Store& store = *Audit().store;
  int64_t rows = 0;
  for (auto _ : state) {
    int64_t n = 0;
    Status st = store.audit().Export(ListQuery{}, [&](const AuditEntry& e) {
      benchmark::DoNotOptimize(e.id);
      ++n;
      return Status::Ok();
    });
    if (!st.ok()) {
      state.SkipWithError(st.message().c_str());
      return;
    }
    rows += n;
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}

// Keeps each run's rate or time for the summary.
class Reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.iterations == 0 || r.error_occurred) continue;
      std::string name = r.benchmark_name();
      double seconds = r.real_accumulated_time / static_cast<double>(r.iterations);
      if (name.rfind("BM_AuditListPage", 0) == 0) {
        pages[r.report_label] = seconds * 1000;
      } else if (auto it = r.counters.find("records_per_s"); it != r.counters.end()) {
        ingest[name] = it->second.value;
      } else if (auto ex = r.counters.find("rows_per_s"); ex != r.counters.end()) {
        export_rows_per_s = ex->second.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> ingest;
  std::map<std::string, double> pages;
  double export_rows_per_s = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--workdir=", 0) == 0) {
      g_ws.dir = a.substr(10);
      g_ws.keep = true;
    } else if (a.rfind("--rows=", 0) == 0) {
      g_ws.rows = std::stoll(a.substr(7));
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 2;
  if (g_ws.dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp ? tmp : "/tmp") + "/warden-store-bench-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) return 2;
    g_ws.dir = tmpl;
  } else {
    std::filesystem::create_directories(g_ws.dir);
  }

  benchmark::RegisterBenchmark("BM_LedgerIngest", BM_LedgerIngest)
      ->Arg(20)
      ->Arg(500)
      ->UseRealTime()
      ->MinTime(3.0)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_ProblemIngest", BM_ProblemIngest)
      ->Arg(500)
      ->UseRealTime()
      ->MinTime(3.0)
      ->Unit(benchmark::kMillisecond);
  auto* pages = benchmark::RegisterBenchmark("BM_AuditListPage", BM_AuditListPage);
  for (int v = 0; v < 6; ++v) pages->Arg(v);
  pages->UseRealTime()->MinTime(1.0)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_AuditExport", BM_AuditExport)
      ->UseRealTime()
      ->Iterations(2)
      ->Unit(benchmark::kMillisecond);

  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf("\nSide by side with the targets (wall time, machine shared with other work):\n");
  for (const auto& [name, rate] : reporter.ingest)
    std::printf("  %-32s %10.0f records/s   target %.0f   ratio %.2f\n", name.c_str(), rate,
                kIngestTarget, rate / kIngestTarget);
  double worst = 0;
  for (const auto& [label, ms] : reporter.pages) {
    std::printf("  list page %-22s %10.2f ms          target < %.0f ms\n", label.c_str(), ms,
                kPageTargetMs);
    worst = std::max(worst, ms);
  }
  if (!reporter.pages.empty())
    std::printf("  slowest list page at %lld rows: %.2f ms   ratio to target %.2f\n",
                static_cast<long long>(g_ws.rows), worst, worst / kPageTargetMs);
  if (reporter.export_rows_per_s > 0)
    std::printf("  export (store only)              %10.0f rows/s      API target %.0f\n",
                reporter.export_rows_per_s, kExportTarget);
  return 0;
}
