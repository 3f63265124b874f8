// The control-plane server end to end, as a fleet and its users reach it: a
// real `warden server` process on 127.0.0.1 in a temporary directory, driven
// over TLS (the server's CA pinned from its state directory) through the
// agent channel and the REST API of api/openapi.yaml. Five parts, each on a
// fresh server, each selectable with --parts:
//   swarm   N simulated agents (--agents, 10,000; a list runs one swarm per
//           count), enrolled, then each with a
//           command long-poll always parked (wait=10) on one connection and,
//           on a second one (as the agent's sink and link threads keep
//           them), one status record + 20 records a minute pushed one by one
//           on a fixed schedule spread evenly over the fleet, and a config
//           pull with If-None-Match every --config-interval. Latency without
//           coordinated omission: each request has an intended send time on
//           its schedule and its latency is completion - intended time, so a
//           stalled server is charged for every request it held up. Reports
//           p50/p99/p99.9/max of pushes and config pulls, errors by status,
//           the server's CPU (utime+stime over the steady-state window) as
//           cores used, its RSS, and agents per core at p99 < 50 ms.
//   storm   E enrolments (--enrolments, 10,000) as fast as the server takes
//           them from --enrol-concurrency clients: enrolments/s, whether all
//           finished within 60 s, and the answers by status (no 5xx allowed).
//   ingest  records/s acknowledged with --ingest-agents agents pushing
//           --ingest-batch (500) record batches back to back, for query
//           results (each a stored result row) and for problem events
//           (stored).
//   rest    10,000 hosts x 100 problems pushed through the agent channel in
//           one batch per host, then list pages through the REST API (first,
//           deep by cursor, filtered; hosts and problems) against 100 ms, and
//           a CSV export of every problem read to the end: rows/s and the
//           server's peak RSS above idle.
//   livequery N agents (--lq-agents, 10,000) with a parked command long-poll
//           each, answering live_query commands as the agent does (rows in
//           chunks, then the result). One live query to all of them with
//           --lq-rows (10) rows a host: seconds until 99 % and 100 % of hosts
//           answered, from the POST, the server's CPU and peak RSS; then one
//           with --lq-big-rows (1,000) rows a host (10 M rows): rows stored
//           per second and a CSV export of the whole result.
//
// The driver is one process with --client-threads event loops (Asio, C++20
// coroutines; OpenSSL on the non-blocking socket, SSL_MODE_RELEASE_BUFFERS:
// agent_swarm_client.h), so thousands of connections cost a few KB each and
// no thread; the REST part uses libcurl, one request at a time, as a script
// would. It raises RLIMIT_NOFILE for itself and the server, spreads its
// connections over source addresses 127.0.0.1-16 (more than one ephemeral
// port range), and starts the server with limits.max_connections raised to
// what the swarm needs (the default, 10,000, admits 5,000 agents at two
// connections each).
//
// Not a Google Benchmark program: its measurements are open-loop schedules
// of minutes, which Google Benchmark's iteration loop does not fit.
// Not measured: the agent itself (bench/agent_idle_bench.sh), the store
// alone (store_bench), TLS handshakes per second.
//
// Usage: build/bench/agent_swarm_bench [--parts=swarm,storm,ingest,rest,livequery]
//        [--agents=10000] [--duration=120] [--quick] ...   (--help lists all)
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/finding.h"
#include "core/status.h"
#include "core/time_format.h"
#include "delivery/record.h"
#include "delivery/server_sink.h"
#include "problems/problem.h"

// bench/, beside this file.
#include "agent_swarm_client.h"

extern char** environ;

namespace {

using namespace warden;
using namespace warden::swarm;
using Seconds = std::chrono::duration<double>;

constexpr double kLatencyTargetMs = 50;      // p99 of pushes and config pulls
constexpr double kFleetHostsPerVcpu = 6000;  // Fleet: 150,000 hosts on 25 one-vCPU instances
constexpr double kEnrolStormSeconds = 60;
constexpr double kIngestTarget = 50'000;    // records/s
constexpr double kPageTargetMs = 100;       // per list page
constexpr double kExportTarget = 200'000;   // rows/s
constexpr double kExportRssTargetMb = 100;  // above idle

// ---------------------------------------------------------------- options

struct Options {
  std::vector<std::string> parts = {"swarm", "storm", "ingest", "rest", "livequery"};
  std::string warden;
  std::string workdir;  // kept when set
  int client_threads = 2;
  bool access_log = true;  // the server's default
  // swarm
  std::vector<int> agents = {10000};  // one swarm run each, in this order
  double duration_s = 120;
  double warmup_s = 30;
  double ramp_s = 20;
  int records_per_minute = 20;  // besides one status record
  double problem_share = 0.25;  // of those records; the rest are query results
  double config_interval_s = 60;
  int poll_wait_s = 10;
  // storm
  int enrolments = 10000;
  int enrol_concurrency = 64;
  // ingest
  int ingest_agents = 64;
  int ingest_records = 500000;  // per record kind
  int ingest_batch = 500;
  // rest
  int rest_hosts = 10000;
  int rest_problems_per_host = 100;
  int rest_push_concurrency = 32;
  int page_repeats = 5;
  // livequery
  int lq_agents = 10000;
  int lq_rows = 10;        // rows each host returns to the fan-out query
  int lq_big_rows = 1000;  // rows each host returns to the stored-result query (0: skip)
};

void PrintUsage() {
  std::cout << R"(agent_swarm_bench: warden server end to end (bench/README.md)
  --parts=swarm,storm,ingest,rest,livequery  which parts to run, in this order (default all)
  --quick                  small sizes for a first run (1,000 agents, 30 s window, ...)
  --warden=PATH            the warden binary (default $WARDEN_BIN, else next to bench/)
  --workdir=DIR            keep the servers' state directories there (default: a temp dir,
                           removed); the rest part reuses a generated store found there
  --client-threads=2       the driver's event loops
  --access-log=on|off      the server's access log (on, as shipped; to a file)
swarm:
  --agents=10000           agents; a list (1000,5000,10000) runs one swarm each, fresh server
  --duration=120 --warmup=30 --ramp=20   seconds: measured window, before it, connecting
  --records-per-minute=20  records each agent pushes a minute besides its status record
  --problem-share=0.25     share of those that are problem events (the rest: query results)
  --config-interval=60     seconds between an agent's config pulls (If-None-Match)
  --poll-wait=10           the command long-poll's wait
storm:
  --enrolments=10000 --enrol-concurrency=64
ingest:
  --ingest-agents=64 --ingest-records=500000 (per kind) --ingest-batch=500
rest:
  --rest-hosts=10000 --rest-problems-per-host=100 --rest-push-concurrency=32 --page-repeats=5
livequery:
  --lq-agents=10000        agents with a parked long-poll that answer live queries
  --lq-rows=10             rows each host returns to the fan-out query
  --lq-big-rows=1000       rows each host returns to the stored query (agents x this rows,
                           stored and exported); 0 skips it
)";
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > start) out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string FindWarden(const char* argv0) {
  if (const char* env = std::getenv("WARDEN_BIN"); env != nullptr && *env) return env;
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) self = std::filesystem::absolute(argv0, ec);
  for (const auto& candidate :
       {self.parent_path().parent_path() / "warden", self.parent_path() / "warden"}) {
    if (std::filesystem::exists(candidate, ec)) return candidate.string();
  }
  return "";
}

Result<Options> ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : a.substr(eq + 1);
    auto number = [&](auto* out, double min) -> Status {
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || v < min)
        return InvalidArgument(name + ": expected a number of at least " + std::to_string(min) +
                               ", got '" + value + "'");
      *out = static_cast<std::remove_pointer_t<decltype(out)>>(v);
      return Status::Ok();
    };
    if (name == "--help" || name == "-h") {
      PrintUsage();
      std::exit(0);
    } else if (name == "--quick") {
      o.agents = {1000};
      o.duration_s = 30;
      o.warmup_s = 10;
      o.ramp_s = 5;
      o.enrolments = 2000;
      o.ingest_records = 50000;
      o.rest_hosts = 1000;
      o.lq_agents = 1000;
      o.lq_big_rows = 100;
    } else if (name == "--parts") {
      o.parts = SplitList(value);
      for (const std::string& p : o.parts)
        if (p != "swarm" && p != "storm" && p != "ingest" && p != "rest" && p != "livequery")
          return InvalidArgument("--parts: unknown part '" + p +
                                 "' (swarm, storm, ingest, rest, livequery)");
    } else if (name == "--warden") {
      o.warden = value;
    } else if (name == "--workdir") {
      o.workdir = value;
    } else if (name == "--access-log") {
      if (value != "on" && value != "off") return InvalidArgument("--access-log: on or off");
      o.access_log = value == "on";
    } else if (name == "--client-threads") {
      RETURN_IF_ERROR(number(&o.client_threads, 1));
    } else if (name == "--agents") {
      o.agents.clear();
      for (const std::string& item : SplitList(value)) {
        char* end = nullptr;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (*end != '\0' || v < 1)
          return InvalidArgument("--agents: '" + item + "' is not a count");
        o.agents.push_back(static_cast<int>(v));
      }
      if (o.agents.empty()) return InvalidArgument("--agents: expected counts, e.g. 10000");
    } else if (name == "--duration") {
      RETURN_IF_ERROR(number(&o.duration_s, 1));
    } else if (name == "--warmup") {
      RETURN_IF_ERROR(number(&o.warmup_s, 0));
    } else if (name == "--ramp") {
      RETURN_IF_ERROR(number(&o.ramp_s, 0));
    } else if (name == "--records-per-minute") {
      RETURN_IF_ERROR(number(&o.records_per_minute, 0));
    } else if (name == "--problem-share") {
      RETURN_IF_ERROR(number(&o.problem_share, 0));
      o.problem_share = std::min(o.problem_share, 1.0);
    } else if (name == "--config-interval") {
      RETURN_IF_ERROR(number(&o.config_interval_s, 1));
    } else if (name == "--poll-wait") {
      RETURN_IF_ERROR(number(&o.poll_wait_s, 0));
    } else if (name == "--enrolments") {
      RETURN_IF_ERROR(number(&o.enrolments, 1));
    } else if (name == "--enrol-concurrency") {
      RETURN_IF_ERROR(number(&o.enrol_concurrency, 1));
    } else if (name == "--ingest-agents") {
      RETURN_IF_ERROR(number(&o.ingest_agents, 1));
    } else if (name == "--ingest-records") {
      RETURN_IF_ERROR(number(&o.ingest_records, 1));
    } else if (name == "--ingest-batch") {
      RETURN_IF_ERROR(number(&o.ingest_batch, 1));
    } else if (name == "--rest-hosts") {
      RETURN_IF_ERROR(number(&o.rest_hosts, 1));
    } else if (name == "--rest-problems-per-host") {
      RETURN_IF_ERROR(number(&o.rest_problems_per_host, 1));
    } else if (name == "--rest-push-concurrency") {
      RETURN_IF_ERROR(number(&o.rest_push_concurrency, 1));
    } else if (name == "--page-repeats") {
      RETURN_IF_ERROR(number(&o.page_repeats, 1));
    } else if (name == "--lq-agents") {
      RETURN_IF_ERROR(number(&o.lq_agents, 1));
    } else if (name == "--lq-rows") {
      RETURN_IF_ERROR(number(&o.lq_rows, 0));
    } else if (name == "--lq-big-rows") {
      RETURN_IF_ERROR(number(&o.lq_big_rows, 0));
    } else {
      return InvalidArgument("unknown flag '" + a + "' (--help lists them)");
    }
  }
  if (o.warden.empty()) o.warden = FindWarden(argv[0]);
  if (o.warden.empty()) return NotFound("no warden binary: pass --warden=PATH or set WARDEN_BIN");
  return o;
}

bool Selected(const Options& o, std::string_view part) {
  return std::find(o.parts.begin(), o.parts.end(), part) != o.parts.end();
}

// ---------------------------------------------------------------- reporting

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// utime + stime from a /proc stat file, in seconds.
double StatCpuSeconds(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  // After the command: state is field 3; utime and stime are 14 and 15.
  for (int index = 3; index <= 15 && (fields >> field); ++index) {
    if (index == 14) utime = std::strtod(field.c_str(), nullptr);
    if (index == 15) stime = std::strtod(field.c_str(), nullptr);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A "VmRSS:"-style line of /proc/PID/status, in MB.
double ProcessStatusMb(pid_t pid, std::string_view key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) == 0)
      return std::strtod(line.c_str() + key.size(), nullptr) / 1024.0;
  }
  return 0;
}

// utime + stime of each thread of a process, in seconds, by thread id.
std::map<int, double> ThreadCpuSeconds(pid_t pid) {
  std::map<int, double> out;
  std::error_code ec;
  const std::string task = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& entry : std::filesystem::directory_iterator(task, ec)) {
    const std::string name = entry.path().filename().string();
    const int tid = std::atoi(name.c_str());
    if (tid > 0) out[tid] = StatCpuSeconds(task + "/" + name + "/stat");
  }
  return out;
}

double ProcessCpuSeconds(pid_t pid) {
  return StatCpuSeconds("/proc/" + std::to_string(pid) + "/stat");
}

double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Thousands(double v) {
  std::string digits = std::to_string(static_cast<int64_t>(v + 0.5));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

// Latencies in microseconds, sorted when read.
class LatencyLog {
 public:
  void Add(std::chrono::nanoseconds d) {
    us_.push_back(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  }
  void Merge(const LatencyLog& other) { us_.insert(us_.end(), other.us_.begin(), other.us_.end()); }
  size_t count() const { return us_.size(); }
  // Nearest rank; ms.
  double PercentileMs(double p) {
    if (us_.empty()) return 0;
    Sort();
    size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(us_.size()) + 0.999999);
    rank = std::clamp<size_t>(rank, 1, us_.size());
    return static_cast<double>(us_[rank - 1]) / 1000.0;
  }
  double MaxMs() { return us_.empty() ? 0 : PercentileMs(100); }
  double MeanMs() const {
    if (us_.empty()) return 0;
    double sum = 0;
    for (int64_t v : us_) sum += static_cast<double>(v);
    return sum / static_cast<double>(us_.size()) / 1000.0;
  }
  std::string Summary() {
    if (us_.empty()) return "no samples";
    return "p50 " + Fixed(PercentileMs(50), 2) + " ms  p99 " + Fixed(PercentileMs(99), 2) +
           " ms  p99.9 " + Fixed(PercentileMs(99.9), 2) + " ms  max " + Fixed(MaxMs(), 1) + " ms";
  }

 private:
  void Sort() {
    if (!sorted_) std::sort(us_.begin(), us_.end());
    sorted_ = true;
  }
  std::vector<int64_t> us_;
  bool sorted_ = false;
};

// Answers by HTTP status; status 0 is a transport error, kept by its text.
class StatusCounts {
 public:
  void Add(int status, const std::string& error) {
    ++by_status_[status];
    if (status != 0) return;
    const std::string key = error.substr(0, 80);
    if (errors_.count(key) > 0 || errors_.size() < 8) ++errors_[key];
  }
  void Merge(const StatusCounts& other) {
    for (const auto& [s, n] : other.by_status_) by_status_[s] += n;
    for (const auto& [e, n] : other.errors_) errors_[e] += n;
  }
  int64_t Count(int status) const {
    auto it = by_status_.find(status);
    return it == by_status_.end() ? 0 : it->second;
  }
  int64_t Total() const {
    int64_t n = 0;
    for (const auto& [s, c] : by_status_) n += c;
    return n;
  }
  int64_t ServerErrors() const {
    int64_t n = 0;
    for (const auto& [s, c] : by_status_)
      if (s >= 500) n += c;
    return n;
  }
  // "200: 1000, 503: 3, transport: 2 (connection reset)"; `ok` statuses are
  // listed too.
  std::string Text() const {
    std::string out;
    for (const auto& [s, n] : by_status_) {
      if (!out.empty()) out += ", ";
      const std::string name = s == 0    ? std::string("transport")
                               : s == -1 ? std::string("no answer by the end of the run")
                                         : std::to_string(s);
      out += name + ": " + Thousands(static_cast<double>(n));
    }
    if (!errors_.empty()) {
      out += " (";
      bool first = true;
      for (const auto& [e, n] : errors_) {
        out += (first ? "" : "; ") + e + " x" + std::to_string(n);
        first = false;
      }
      out += ")";
    }
    return out.empty() ? "none" : out;
  }

 private:
  std::map<int, int64_t> by_status_;
  std::map<std::string, int64_t> errors_;
};

// What is printed at the end, part by part, and checked against targets.
struct Report {
  std::vector<std::string> lines;
  bool failed = false;  // a part could not run
  void Add(std::string line) {
    std::cout << line << std::endl;
    lines.push_back(std::move(line));
  }
};

std::string Verdict(bool met) { return met ? "met" : "NOT met"; }

// ---------------------------------------------------------------- record text

// A text with placeholders, cut once at each placeholder so that a copy with
// values costs one append per piece (1 M problem records are built this way).
class TextTemplate {
 public:
  TextTemplate() = default;
  TextTemplate(const std::string& text, const std::vector<std::string>& tokens) {
    size_t pos = 0;
    for (;;) {
      size_t best = std::string::npos;
      size_t which = 0;
      for (size_t t = 0; t < tokens.size(); ++t) {
        size_t at = text.find(tokens[t], pos);
        if (at < best) {
          best = at;
          which = t;
        }
      }
      if (best == std::string::npos) break;
      pieces_.push_back({text.substr(pos, best - pos), static_cast<int>(which)});
      pos = best + tokens[which].size();
    }
    pieces_.push_back({text.substr(pos), -1});
  }
  void AppendTo(std::string* out, const std::vector<std::string_view>& values) const {
    for (const Piece& p : pieces_) {
      out->append(p.literal);
      if (p.slot >= 0) out->append(values[static_cast<size_t>(p.slot)]);
    }
  }

 private:
  struct Piece {
    std::string literal;
    int slot;
  };
  std::vector<Piece> pieces_;
};

// Placeholders of the record templates.
constexpr int64_t kTimeSentinel = 1111111111;  // 2005-03-18T01:58:31Z
const std::vector<std::string>& RecordTokens() {
  static const std::vector<std::string> tokens = {"@RID@",
                                                  "@PID@",
                                                  "@HOST@",
                                                  "@N@",
                                                  "987654321",
                                                  FormatRfc3339(kTimeSentinel),
                                                  std::to_string(kTimeSentinel * 1000)};
  return tokens;
}

struct RecordValues {
  std::string record_id;
  std::string problem_id;
  std::string host;
  std::string n;
  int64_t revision = 1;
  int64_t time_s = 0;
};

void AppendRecord(const TextTemplate& t, const RecordValues& v, std::string* out) {
  const std::string revision = std::to_string(v.revision);
  const std::string time_text = FormatRfc3339(v.time_s);
  const std::string time_ms = std::to_string(v.time_s * 1000);
  t.AppendTo(out, {v.record_id, v.problem_id, v.host, v.n, revision, time_text, time_ms});
}

constexpr const char* kRules[] = {"HOST-OPEN-PORTS", "HOST-VULN",  "HOST-SSH-CONFIG",
                                  "HOST-KERNEL",     "HOST-USERS", "HOST-RUNTIME"};
constexpr size_t kRuleCount = sizeof(kRules) / sizeof(kRules[0]);
constexpr RiskLevel kRisks[] = {RiskLevel::kLow, RiskLevel::kMedium, RiskLevel::kHigh,
                                RiskLevel::kVeryHigh, RiskLevel::kExtreme};
constexpr size_t kRiskCount = sizeof(kRisks) / sizeof(kRisks[0]);

// Problem event records as the agent renders them (AgentRecordJson of a
// ProblemEventRecord), one template per rule, risk and event.
class RecordTemplates {
 public:
  RecordTemplates() {
    for (size_t rule = 0; rule < kRuleCount; ++rule)
      for (size_t risk = 0; risk < kRiskCount; ++risk)
        for (int action = 0; action < 3; ++action)
          problems_[rule][risk][action] = MakeProblem(rule, risk, action);
    results_ = TextTemplate(
        R"({"id":"@RID@","kind":"results","time_ms":)" + std::to_string(kTimeSentinel * 1000) +
            R"(,"body":{"name":"pack_processes","hostIdentifier":"@HOST@","calendarTime":")" +
            FormatRfc3339(kTimeSentinel) + R"(","unixTime":)" + std::to_string(kTimeSentinel) +
            R"(,"epoch":0,"counter":@N@,"numerics":false,"decorations":{"host_uuid":"@HOST@"},)"
            R"("columns":{"pid":"@N@","name":"sshd","path":"/usr/sbin/sshd",)"
            R"("cmdline":"/usr/sbin/sshd -D","uid":"0","gid":"0","state":"S","threads":"1"},)"
            R"("action":"added"}})",
        RecordTokens());
    std::string jobs;
    for (size_t rule = 0; rule < kRuleCount; ++rule) {
      if (rule > 0) jobs += ",";
      jobs += std::string(R"({"name":")") + kRules[rule] + R"(","kind":"detector","last_run_ms":)" +
              std::to_string(kTimeSentinel * 1000) +
              R"(,"duration_ms":120,"outcome":"ok","result":"0 findings","next_run_ms":)" +
              std::to_string(kTimeSentinel * 1000) + R"(,"running":false,"runs":@N@,"failures":0})";
    }
    status_ = TextTemplate(
        R"({"id":"@RID@","kind":"status","time_ms":)" + std::to_string(kTimeSentinel * 1000) +
            R"(,"body":{"record_id":"@RID@","time":")" + FormatRfc3339(kTimeSentinel) +
            R"(","agent_version":"0.9.0","agent":{"version":"0.9.0","host":"@HOST@"},"jobs":[)" +
            jobs + R"(],"resources":{"cpu_percent_1m":0.08,"rss_bytes":39000000}}})",
        RecordTokens());
  }

  // action: 0 opened, 1 updated, 2 resolved.
  const TextTemplate& problem(size_t rule, size_t risk, int action) const {
    return problems_[rule % kRuleCount][risk % kRiskCount][action];
  }
  const TextTemplate& results() const { return results_; }
  const TextTemplate& status() const { return status_; }

 private:
  static TextTemplate MakeProblem(size_t rule, size_t risk, int action) {
    ProblemEvent e;
    e.action = action == 0   ? ProblemAction::kOpened
               : action == 1 ? ProblemAction::kUpdated
                             : ProblemAction::kResolved;
    e.at = kTimeSentinel;
    Problem& p = e.problem;
    p.id = "@PID@";
    p.rule_id = kRules[rule];
    p.host = "@HOST@";
    p.title = std::string(kRules[rule]) + " finding @N@ on @HOST@";
    p.risk_level = kRisks[risk];
    p.resource = "@HOST@/resource-@N@";
    p.status = action == 2 ? ProblemStatus::kResolved : ProblemStatus::kOpen;
    p.first_detected = p.last_detected = p.status_changed = kTimeSentinel;
    if (action == 2) p.resolved_at = kTimeSentinel;
    p.revision = 987654321;
    p.finding.id = p.id;
    p.finding.rule_id = p.rule_id;
    p.finding.title = p.title;
    p.finding.risk_level = p.risk_level;
    p.finding.resource = p.resource;
    p.finding.source = "host.sql";
    p.finding.description = "seen by the benchmark's simulated agent";
    p.finding.first_seen = p.finding.last_seen = kTimeSentinel;
    std::string text = AgentRecordJson(ProblemEventRecord(e)).dump();
    // The record id is "<problem id>.<revision>".
    return TextTemplate(text, RecordTokens());
  }

  TextTemplate problems_[kRuleCount][kRiskCount][3];
  TextTemplate results_;
  TextTemplate status_;
};

const RecordTemplates& Templates() {
  static const RecordTemplates templates;
  return templates;
}

// ---------------------------------------------------------------- processes

// argv with stdin from `input` and stdout/stderr captured; exit code and output.
struct CommandOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

CommandOutput RunCommand(std::vector<std::string> args, const std::string& scratch_dir,
                         const std::string& input = "") {
  CommandOutput result;
  const std::string in_path = scratch_dir + "/cmd.in";
  const std::string out_path = scratch_dir + "/cmd.out";
  const std::string err_path = scratch_dir + "/cmd.err";
  std::ofstream(in_path) << input;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&fa);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

// Raises RLIMIT_NOFILE (soft and, as root, hard) to at least `wanted`; the
// server started afterwards inherits it.
Status RaiseOpenFileLimit(rlim_t wanted) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur >= wanted) return Status::Ok();
  rlimit raised = limit;
  raised.rlim_cur = wanted;
  if (raised.rlim_max < wanted) raised.rlim_max = wanted;
  if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    raised.rlim_cur = limit.rlim_max;
    raised.rlim_max = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &raised);
    return Unavailable("RLIMIT_NOFILE: " + std::to_string(wanted) + " wanted, " +
                       std::to_string(raised.rlim_cur) +
                       " allowed (raising the hard limit needs CAP_SYS_RESOURCE)");
  }
  return Status::Ok();
}

// A `warden server` process in its own state directory, with an enrol secret
// and an admin user made by the CLI the docs give.
class ServerProcess {
 public:
  static constexpr const char* kPassword = "swarm benchmark password";

  // `extra_yaml`: more top-level sections of the server's config.
  static Result<std::unique_ptr<ServerProcess>> Start(const Options& o, const std::string& dir,
                                                      size_t max_connections,
                                                      const std::string& extra_yaml = "") {
    auto s = std::unique_ptr<ServerProcess>(new ServerProcess);
    s->dir_ = dir;
    s->state_dir_ = dir + "/server";
    std::filesystem::create_directories(dir);
    const bool existing = std::filesystem::exists(s->state_dir_ + "/server.db");
    const int port = FreePort();
    s->base_url_ = "https://127.0.0.1:" + std::to_string(port);
    s->port_ = port;
    const std::string config = dir + "/server.yaml";
    std::ofstream(config) << "limits:\n  max_connections: " << max_connections
                          << "\nlog:\n  access: " << (o.access_log ? "true" : "false") << "\n"
                          << extra_yaml;
    std::vector<std::string> args = {
        o.warden,      "server",      "--config", config,
        "--state-dir", s->state_dir_, "--listen", "127.0.0.1:" + std::to_string(port)};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    const std::string out = dir + "/server.out";
    const std::string err = dir + "/server.err";
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawn(&s->pid_, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (spawned != 0) return IoError("spawn " + o.warden + ": " + std::strerror(spawned));
    const TimePoint deadline = Clock::now() + std::chrono::seconds(60);
    for (;;) {
      if (ReadFile(out).find("\n  data ") != std::string::npos) break;
      int status = 0;
      if (waitpid(s->pid_, &status, WNOHANG) == s->pid_) {
        s->pid_ = -1;
        return Internal("warden server exited at start: " + ReadFile(err));
      }
      if (Clock::now() > deadline) return Timeout("warden server did not start in 60 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    s->ca_file_ = s->state_dir_ + "/tls/ca.pem";
    if (!existing) {
      CommandOutput user = RunCommand({o.warden, "server", "user", "add", "bench", "--role",
                                       "admin", "--password-stdin", "--state-dir", s->state_dir_},
                                      dir, std::string(kPassword) + "\n");
      if (user.exit_code != 0) return Internal("warden server user add: " + user.err);
    }
    CommandOutput secret =
        RunCommand({o.warden, "server", "enroll-secret", "create", "bench-" + std::to_string(port),
                    "--label", "env=bench", "--secret-only", "--state-dir", s->state_dir_},
                   dir);
    if (secret.exit_code != 0) return Internal("warden server enroll-secret create: " + secret.err);
    s->enrol_secret_ = secret.out.substr(0, secret.out.find_first_of(" \r\n"));
    return s;
  }

  ~ServerProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    const TimePoint deadline = Clock::now() + std::chrono::seconds(30);
    while (waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& base_url() const { return base_url_; }
  const std::string& ca_file() const { return ca_file_; }
  const std::string& enrol_secret() const { return enrol_secret_; }
  const std::string& state_dir() const { return state_dir_; }
  double cpu_seconds() const { return ProcessCpuSeconds(pid_); }
  double rss_mb() const { return ProcessStatusMb(pid_, "VmRSS:"); }
  double peak_rss_mb() const { return ProcessStatusMb(pid_, "VmHWM:"); }
  // Resets VmHWM to the current RSS (Linux: clear_refs 5).
  void ResetPeakRss() const {
    std::ofstream("/proc/" + std::to_string(pid_) + "/clear_refs") << "5";
  }
  std::string error_log_tail() const {
    std::string err = ReadFile(dir_ + "/server.err");
    return err.size() > 2000 ? err.substr(err.size() - 2000) : err;
  }

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_, state_dir_, base_url_, ca_file_, enrol_secret_;
};

// ---------------------------------------------------------------- REST (libcurl)

// One libcurl handle, kept alive between requests, as a script would use it.
class RestClient {
 public:
  struct Answer {
    long status = 0;
    std::string body;
    std::string error;
    std::vector<std::string> set_cookies;
    double ms = 0;
  };

  RestClient(std::string base, std::string ca_file)
      : base_(std::move(base)), ca_(std::move(ca_file)), curl_(curl_easy_init()) {}
  ~RestClient() { curl_easy_cleanup(curl_); }
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  void set_bearer(std::string token) { bearer_ = std::move(token); }

  Answer Get(const std::string& path) { return Perform("GET", path, "", {}, nullptr); }
  Answer Post(const std::string& path, const std::string& body,
              const std::vector<std::string>& headers) {
    return Perform("POST", path, body, headers, nullptr);
  }
  // The body goes to `sink` chunk by chunk instead of into the answer.
  Answer Stream(const std::string& path, std::function<void(std::string_view)> sink) {
    return Perform("GET", path, "", {}, &sink);
  }

  // Logs in as the benchmark's admin and makes an API token for the rest.
  Status LogInWithToken(const std::string& name, const std::string& password) {
    const std::string origin = "Origin: " + base_;
    Answer login = Post("/api/v1/session", Json{{"name", name}, {"password", password}}.dump(),
                        {"Content-Type: application/json", origin});
    if (login.status != 200 && login.status != 201)
      return Internal("login: " + std::to_string(login.status) + " " + login.body + login.error);
    std::string cookie;
    for (const std::string& c : login.set_cookies)
      if (c.rfind("__Host-warden_session=", 0) == 0) cookie = c.substr(0, c.find(';'));
    Json session = Json::parse(login.body, nullptr, false);
    if (cookie.empty() || !session.is_object() || !session["csrf_token"].is_string())
      return Internal("login: no session cookie or CSRF token");
    Answer token =
        Post("/api/v1/tokens", Json{{"name", "bench-" + std::to_string(getpid())}}.dump(),
             {"Content-Type: application/json", origin, "Cookie: " + cookie,
              "X-CSRF-Token: " + session["csrf_token"].get<std::string>()});
    Json created = Json::parse(token.body, nullptr, false);
    if (token.status != 201 || !created.is_object() || !created["token"].is_string())
      return Internal("create token: " + std::to_string(token.status) + " " + token.body);
    set_bearer(created["token"].get<std::string>());
    return Status::Ok();
  }

 private:
  static size_t OnBody(char* data, size_t size, size_t n, void* user) {
    auto* self = static_cast<RestClient*>(user);
    if (self->sink_) {
      (*self->sink_)(std::string_view(data, size * n));
    } else {
      self->answer_.body.append(data, size * n);
    }
    return size * n;
  }
  static size_t OnHeader(char* data, size_t size, size_t n, void* user) {
    auto* self = static_cast<RestClient*>(user);
    std::string_view line(data, size * n);
    constexpr std::string_view kSetCookie = "set-cookie:";
    if (line.size() > kSetCookie.size()) {
      std::string lower(line.substr(0, kSetCookie.size()));
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower == kSetCookie) {
        std::string_view value = line.substr(kSetCookie.size());
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
          value.remove_suffix(1);
        self->answer_.set_cookies.emplace_back(value);
      }
    }
    return size * n;
  }

  Answer Perform(const std::string& method, const std::string& path, const std::string& body,
                 const std::vector<std::string>& headers,
                 std::function<void(std::string_view)>* sink) {
    answer_ = Answer();
    sink_ = sink;
    curl_easy_reset(curl_);
    const std::string url = base_ + path;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CAINFO, ca_.c_str());
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 600L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &RestClient::OnBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &RestClient::OnHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, this);
    curl_slist* list = nullptr;
    for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
    if (!bearer_.empty())
      list = curl_slist_append(list, ("Authorization: Bearer " + bearer_).c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    if (method == "POST") {
      curl_easy_setopt(curl_, CURLOPT_POST, 1L);
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    const TimePoint start = Clock::now();
    CURLcode rc = curl_easy_perform(curl_);
    answer_.ms = Seconds(Clock::now() - start).count() * 1000;
    if (rc != CURLE_OK) answer_.error = curl_easy_strerror(rc);
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &answer_.status);
    curl_slist_free_all(list);
    sink_ = nullptr;
    return std::move(answer_);
  }

  std::string base_, ca_, bearer_;
  CURL* curl_;
  Answer answer_;
  std::function<void(std::string_view)>* sink_ = nullptr;
};

// The value of a Prometheus metric line "name value" in /metrics text.
double MetricValue(const std::string& text, const std::string& name) {
  size_t at = 0;
  while ((at = text.find(name + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n')
      return std::strtod(text.c_str() + at + name.size(), nullptr);
    at += name.size();
  }
  return -1;
}

// ---------------------------------------------------------------- enrolment

struct Enrolment {
  std::string host_id;
  std::string node_key;
  std::string hostname;
};

std::string Hostname(size_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "host-%07zu", index);
  return buf;
}

std::string EnrolBody(const std::string& secret, size_t index) {
  static constexpr const char* kOs[][3] = {{"Debian GNU/Linux", "12", "debian"},
                                           {"Ubuntu", "22.04", "ubuntu"},
                                           {"AlmaLinux", "9.3", "almalinux"}};
  const auto& os = kOs[index % 3];
  return Json{{"secret", secret},
              {"identity",
               {{"machine_id", "bench-machine-" + std::to_string(index)},
                {"hostname", Hostname(index)},
                {"os", {{"name", os[0]}, {"version", os[1]}, {"id", os[2]}}},
                {"kernel", "6.1.0-18-amd64"},
                {"arch", "x86_64"},
                {"agent_version", "0.9." + std::to_string(index % 3)}}}}
      .dump();
}

struct EnrolOutcome {
  double seconds = 0;
  int64_t enrolled = 0;
  int64_t failed = 0;  // gave up after retries
  StatusCounts answers;
  LatencyLog latency;  // each attempt, send to answer
};

// Enrols agents [first, first + count) into `out` from `concurrency`
// connections, each enrolling one agent after another; a failed attempt is
// retried after a second (as an agent does after 503), at most 5 times.
EnrolOutcome EnrolAgents(const TlsTarget& target, const std::string& secret, size_t first,
                         size_t count, int concurrency, int threads, std::vector<Enrolment>* out) {
  EnrolOutcome outcome;
  if (out->size() < first + count) out->resize(first + count);
  EventLoops loops(threads);
  struct PerLoop {
    StatusCounts answers;
    LatencyLog latency;
    int64_t enrolled = 0, failed = 0;
  };
  std::vector<PerLoop> per(loops.size());
  std::atomic<size_t> next{0};
  for (int w = 0; w < concurrency; ++w) {
    const size_t loop = static_cast<size_t>(w) % loops.size();
    TlsConnection& conn = loops.NewConnection(loop, target);
    PerLoop& stats = per[loop];
    loops.Spawn(
        loop,
        [](TlsConnection& c, PerLoop& st, std::atomic<size_t>& next_index, const TlsTarget& t,
           const std::string& s, size_t first_index, size_t n,
           std::vector<Enrolment>* result) -> awaitable<void> {
          for (;;) {
            const size_t i = next_index.fetch_add(1);
            if (i >= n) break;
            const size_t index = first_index + i;
            const std::string request =
                HttpRequestText("POST", "/api/v1/agent/enroll", t, "", EnrolBody(s, index));
            for (int attempt = 0;; ++attempt) {
              const TimePoint sent = Clock::now();
              HttpAnswer a = co_await c.Send(request);
              st.latency.Add(Clock::now() - sent);
              st.answers.Add(a.status, a.error);
              Json body = a.status == 200 ? Json::parse(a.body, nullptr, false) : Json();
              if (body.is_object() && body["node_key"].is_string() && body["host_id"].is_string()) {
                (*result)[index] = {body["host_id"].get<std::string>(),
                                    body["node_key"].get<std::string>(), Hostname(index)};
                ++st.enrolled;
                break;
              }
              if (attempt >= 5) {
                ++st.failed;
                break;
              }
              co_await SleepUntil(Clock::now() + std::chrono::seconds(1));
            }
          }
        }(conn, stats, next, target, secret, first, count, out));
  }
  const TimePoint start = Clock::now();
  loops.Start();
  if (!loops.WaitIdle(std::chrono::minutes(30))) ++outcome.failed;
  outcome.seconds = Seconds(Clock::now() - start).count();
  loops.StopAndJoin();
  for (PerLoop& p : per) {
    outcome.answers.Merge(p.answers);
    outcome.latency.Merge(p.latency);
    outcome.enrolled += p.enrolled;
    outcome.failed += p.failed;
  }
  return outcome;
}

std::string EnrolLine(EnrolOutcome& e) {
  return Thousands(static_cast<double>(e.enrolled)) + " enrolled in " + Fixed(e.seconds, 1) +
         " s = " + Thousands(static_cast<double>(e.enrolled) / std::max(e.seconds, 1e-9)) +
         "/s; per attempt " + e.latency.Summary() + "; answers " + e.answers.Text();
}

// ---------------------------------------------------------------- parts

Result<std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>> ClientContext(const ServerProcess& s) {
  ASSIGN_OR_RETURN(SSL_CTX * ctx, MakeClientContext(s.ca_file()));
  return std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>(ctx, &SSL_CTX_free);
}

TlsTarget TargetOf(const ServerProcess& s, SSL_CTX* ctx) {
  return TlsTarget{ctx, s.port(), "127.0.0.1:" + std::to_string(s.port())};
}

// A started server with a client TLS context trusting its CA: what every
// part begins with.
struct StartedServer {
  std::unique_ptr<ServerProcess> process;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{nullptr, &SSL_CTX_free};
  TlsTarget target;
};

Result<StartedServer> StartServer(const Options& o, const std::string& dir, size_t max_connections,
                                  const std::string& extra_yaml = "") {
  StartedServer started;
  auto process = ServerProcess::Start(o, dir, max_connections, extra_yaml);
  if (!process.ok()) return Internal("cannot start the server: " + process.status().message());
  started.process = std::move(*process);
  ASSIGN_OR_RETURN(started.ctx, ClientContext(*started.process));
  started.target = TargetOf(*started.process, started.ctx.get());
  return started;
}

// Statistics of one event loop of the swarm, merged at the end.
struct SwarmLoopStats {
  LatencyLog push_latency, config_latency;
  StatusCounts push_answers, config_answers, poll_answers;
  LatencyLog poll_duration;
  int64_t early_polls = 0;  // answered well before their wait
};

struct SwarmPlan {
  TimePoint push_start, window_start, window_end;
  std::chrono::nanoseconds push_interval{0};
  std::chrono::nanoseconds config_interval{0};
  int poll_wait_s = 10;
  double problem_share = 0.25;
  int records_per_cycle = 21;       // status + records_per_minute
  std::atomic<int64_t> pushers{0};  // push loops not finished yet
  std::atomic<bool> stopping{false};
  bool InWindow(TimePoint t) const { return t >= window_start && t < window_end; }
};

struct SwarmAgent {
  size_t index = 0;
  Enrolment enrolment;
  std::string auth_header;  // "Authorization: Bearer ...\r\n"
  TimePoint connect_at;
  std::chrono::nanoseconds push_phase{0}, config_phase{0};
  TlsConnection* poll = nullptr;
  TlsConnection* push = nullptr;
  std::string etag;
  // Requests whose intended time fell in the window and that were answered
  // (or failed); the rest of the window's schedule is counted at the end.
  int64_t pushes_in_window = 0, configs_in_window = 0, polls_in_window = 0;
};

// Indices [first, end) of a fixed schedule (start + phase + k * interval)
// whose intended time falls in [from, to).
std::pair<int64_t, int64_t> ScheduleRange(TimePoint start, std::chrono::nanoseconds phase,
                                          std::chrono::nanoseconds interval, TimePoint from,
                                          TimePoint to) {
  auto index_at = [&](TimePoint t) {
    const int64_t offset =
        std::chrono::duration_cast<std::chrono::nanoseconds>(t - start).count() - phase.count();
    if (offset <= 0) return int64_t{0};
    return (offset + interval.count() - 1) / interval.count();
  };
  return {index_at(from), index_at(to)};
}

awaitable<void> PollLoop(SwarmAgent& a, SwarmLoopStats& st, const SwarmPlan& plan,
                         const TlsTarget& target) {
  co_await SleepUntil(a.connect_at);
  const std::string request =
      HttpRequestText("GET", "/api/v1/agent/commands?wait=" + std::to_string(plan.poll_wait_s),
                      target, a.auth_header, "");
  while (!plan.stopping.load(std::memory_order_relaxed)) {
    const TimePoint sent = Clock::now();
    HttpAnswer r = co_await a.poll->Send(request);
    const TimePoint done = Clock::now();
    if (plan.stopping.load(std::memory_order_relaxed)) break;
    if (plan.InWindow(done)) {
      st.poll_answers.Add(r.status, r.error);
      if (r.status == 200) {
        ++a.polls_in_window;
        st.poll_duration.Add(done - sent);
        if (done - sent < std::chrono::seconds(plan.poll_wait_s) - std::chrono::milliseconds(500))
          ++st.early_polls;
      }
    }
    if (r.status != 200) co_await SleepUntil(done + std::chrono::seconds(1));
  }
}

awaitable<void> PushLoop(SwarmAgent& a, SwarmLoopStats& st, SwarmPlan& plan,
                         const TlsTarget& target) {
  co_await SleepUntil(a.connect_at);
  const std::string config_path = "/api/v1/agent/config";
  {
    // Opens the connection and takes the first etag (not measured).
    HttpAnswer r =
        co_await a.push->Send(HttpRequestText("GET", config_path, target, a.auth_header, ""));
    a.etag = r.etag;
  }
  const RecordTemplates& templates = Templates();
  int64_t push_k = 0, config_k = 0, record_k = 0;
  std::string body;
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  for (;;) {
    const TimePoint next_push = plan.push_start + a.push_phase + push_k * plan.push_interval;
    const TimePoint next_config =
        plan.push_start + a.config_phase + config_k * plan.config_interval;
    const bool is_push = next_push <= next_config;
    const TimePoint intended = is_push ? next_push : next_config;
    if (intended >= plan.window_end || plan.stopping.load(std::memory_order_relaxed)) {
      --plan.pushers;
      break;
    }
    co_await SleepUntil(intended);
    if (is_push) {
      ++push_k;
      const int64_t k = record_k++;
      body.clear();
      body.append(R"({"batch_id":"b-)").append(std::to_string(k)).append(R"(","records":[)");
      RecordValues v;
      v.host = a.enrolment.hostname;
      v.time_s = now_s + k;
      v.n = std::to_string(k);
      if (k % plan.records_per_cycle == 0) {
        v.record_id = "status-" + std::to_string(k);
        AppendRecord(templates.status(), v, &body);
      } else if (static_cast<double>(k % 100) < plan.problem_share * 100) {
        // Ten problems per agent, each event one revision further.
        const int64_t problem = k % 10;
        v.problem_id = "p-" + std::to_string(problem);
        v.revision = k / 10 + 1;
        v.record_id = v.problem_id + "." + std::to_string(v.revision);
        AppendRecord(templates.problem(static_cast<size_t>(problem), a.index + problem,
                                       v.revision == 1 ? 0 : 1),
                     v, &body);
      } else {
        v.record_id = "r-" + std::to_string(k);
        AppendRecord(templates.results(), v, &body);
      }
      body.append("]}");
      HttpAnswer r = co_await a.push->Send(
          HttpRequestText("POST", "/api/v1/agent/records", target, a.auth_header, body));
      const TimePoint done = Clock::now();
      if (plan.InWindow(intended)) {
        st.push_latency.Add(done - intended);
        st.push_answers.Add(r.status, r.error);
        ++a.pushes_in_window;
      }
    } else {
      ++config_k;
      HttpAnswer r = co_await a.push->Send(HttpRequestText(
          "GET", config_path, target, a.auth_header + "If-None-Match: " + a.etag + "\r\n", ""));
      const TimePoint done = Clock::now();
      if (!r.etag.empty()) a.etag = r.etag;
      if (plan.InWindow(intended)) {
        st.config_latency.Add(done - intended);
        st.config_answers.Add(r.status, r.error);
        ++a.configs_in_window;
      }
    }
  }
}

// What one swarm run established.
struct SwarmResult {
  size_t agents = 0;
  double cores = 0;
  double p99_ms = 0;
  bool met = false;  // p99 < 50 ms, no error
};

// Open files this process may have (the server inherits the same limit).
rlim_t OpenFileLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

// Descriptors beside the agents' connections: the store's files, epoll,
// timers, logs, enrolment and REST clients.
constexpr rlim_t kSpareFiles = 300;

// The store's single writer thread is where agents' writes queue: store
// transactions and group commit from two /metrics snapshots, and the
// busiest server threads over `window` seconds. Threads are ranked by start:
// the server opens its store (and starts the writer) before any other thread.
std::string StoreLine(const std::map<int, double>& threads0, const std::map<int, double>& threads1,
                      const std::string& metrics0, const std::string& metrics1, double window) {
  auto delta = [&](const char* name) {
    return MetricValue(metrics1, name) - MetricValue(metrics0, name);
  };
  const double transactions = delta("warden_store_transactions_total");
  const double writes = delta("warden_store_writes_total{outcome=\"committed\"}");
  std::vector<std::pair<double, int>> busiest;  // share, rank by start
  int rank = 0;
  for (const auto& [tid, seconds] : threads1) {
    auto before = threads0.find(tid);
    const double share = (seconds - (before == threads0.end() ? 0 : before->second)) / window * 100;
    busiest.emplace_back(share, rank++);
  }
  std::sort(busiest.rbegin(), busiest.rend());
  std::string threads;
  for (size_t i = 0; i < busiest.size() && i < 4; ++i) {
    threads += (i > 0 ? ", " : "") + Fixed(busiest[i].first, 0) + " %";
    if (busiest[i].second == 1) threads += " (the store writer)";
    if (busiest[i].second == 0) threads += " (main)";
  }
  return Fixed(transactions / window, 0) + " transactions/s, " +
         Fixed(writes / std::max(transactions, 1.0), 1) +
         " writes each (group commit); busiest server threads " + threads + " of a core";
}

SwarmResult RunSwarm(const Options& o, size_t n, const std::string& dir, Report& report) {
  SwarmResult result;
  result.agents = n;
  // Two connections per agent, on both sides of each: a limit below that
  // makes accepts and connects fail, which would be measured as the server's.
  const rlim_t files = OpenFileLimit();
  if (2 * static_cast<rlim_t>(n) + kSpareFiles > files) {
    report.Add("== swarm: " + Thousands(static_cast<double>(n)) +
               " agents not run: open files are limited to " +
               Thousands(static_cast<double>(files)) + " (RLIMIT_NOFILE), enough for " +
               Thousands(static_cast<double>((files - std::min(files, kSpareFiles)) / 2)) +
               " agents at two connections each; raise the hard limit (root with "
               "CAP_SYS_RESOURCE, or ulimit -Hn in the shell that starts it)");
    return result;
  }
  report.Add("== swarm: " + Thousands(static_cast<double>(n)) +
             " agents, each: a parked command long-poll (wait=" + std::to_string(o.poll_wait_s) +
             "), 1 status + " + std::to_string(o.records_per_minute) +
             " records a minute pushed one by one (" + Fixed(o.problem_share * 100, 0) +
             " % problem events, the rest query results), a config pull every " +
             Fixed(o.config_interval_s, 0) + " s; load " + LoadAverage());
  auto started = StartServer(o, dir, 2 * n + 1000);
  if (!started.ok()) {
    report.Add("  " + started.status().message());
    report.failed = true;
    return result;
  }
  ServerProcess* server = started->process.get();
  const TlsTarget& target = started->target;
  std::vector<Enrolment> enrolled;
  EnrolOutcome enrol = EnrolAgents(target, server->enrol_secret(), 0, n, o.enrol_concurrency,
                                   o.client_threads, &enrolled);
  report.Add("  enrolment: " + EnrolLine(enrol));
  if (enrol.enrolled != static_cast<int64_t>(n)) {
    report.Add("  not every agent enrolled; stopping this part");
    report.failed = true;
    return result;
  }
  RestClient rest(server->base_url(), server->ca_file());
  if (Status st = rest.LogInWithToken("bench", ServerProcess::kPassword); !st.ok()) {
    report.Add("  " + st.message());
    report.failed = true;
    return result;
  }

  EventLoops loops(o.client_threads);
  std::vector<SwarmLoopStats> per(loops.size());
  std::vector<std::unique_ptr<SwarmAgent>> agents;
  SwarmPlan plan;
  const TimePoint t0 = Clock::now() + std::chrono::milliseconds(500);
  plan.push_start = t0 + std::chrono::duration_cast<Clock::duration>(Seconds(o.ramp_s));
  plan.window_start =
      plan.push_start + std::chrono::duration_cast<Clock::duration>(Seconds(o.warmup_s));
  plan.window_end =
      plan.window_start + std::chrono::duration_cast<Clock::duration>(Seconds(o.duration_s));
  plan.records_per_cycle = o.records_per_minute + 1;
  plan.push_interval = std::chrono::nanoseconds(
      static_cast<int64_t>(60e9 / static_cast<double>(plan.records_per_cycle)));
  plan.config_interval = std::chrono::nanoseconds(static_cast<int64_t>(o.config_interval_s * 1e9));
  plan.poll_wait_s = o.poll_wait_s;
  plan.problem_share = o.problem_share;
  plan.pushers = static_cast<int64_t>(n);
  for (size_t i = 0; i < n; ++i) {
    auto a = std::make_unique<SwarmAgent>();
    a->index = i;
    a->enrolment = enrolled[i];
    a->auth_header = "Authorization: Bearer " + a->enrolment.node_key + "\r\n";
    a->connect_at = t0 + std::chrono::duration_cast<Clock::duration>(
                             Seconds(o.ramp_s * static_cast<double>(i) / static_cast<double>(n)));
    // Phases spread evenly over the fleet: the server sees a steady stream.
    const double share = (static_cast<double>(i) + 0.5) / static_cast<double>(n);
    a->push_phase = std::chrono::nanoseconds(
        static_cast<int64_t>(share * static_cast<double>(plan.push_interval.count())));
    const double config_share =
        (static_cast<double>((i * 7919) % n) + 0.25) / static_cast<double>(n);
    a->config_phase = std::chrono::nanoseconds(
        static_cast<int64_t>(config_share * static_cast<double>(plan.config_interval.count())));
    const size_t loop = i % loops.size();
    a->poll = &loops.NewConnection(loop, target);
    a->push = &loops.NewConnection(loop, target);
    loops.Spawn(loop, PollLoop(*a, per[loop], plan, target));
    loops.Spawn(loop, PushLoop(*a, per[loop], plan, target));
    agents.push_back(std::move(a));
  }
  loops.Start();

  std::this_thread::sleep_until(plan.window_start);
  const double cpu0 = server->cpu_seconds();
  const std::map<int, double> threads0 = ThreadCpuSeconds(server->pid());
  const double self0 = SelfCpuSeconds();
  const std::string load0 = LoadAverage();
  const std::string metrics0 = rest.Get("/metrics").body;
  std::this_thread::sleep_until(plan.window_start + (plan.window_end - plan.window_start) / 2);
  RestClient::Answer metrics = rest.Get("/metrics");
  const double parked = MetricValue(metrics.body, "warden_agent_parked_polls");
  const double open_connections = MetricValue(metrics.body, "warden_http_open_connections");
  double rss_max = 0;
  while (Clock::now() < plan.window_end) {
    rss_max = std::max(rss_max, server->rss_mb());
    std::this_thread::sleep_until(
        std::min(plan.window_end, Clock::now() + std::chrono::milliseconds(500)));
  }
  const double cpu1 = server->cpu_seconds();
  const std::map<int, double> threads1 = ThreadCpuSeconds(server->pid());
  const double self1 = SelfCpuSeconds();
  const double rss = server->rss_mb();
  const std::string load1 = LoadAverage();
  const std::string metrics1 = rest.Get("/metrics").body;

  // The last pushes of the window finish first; then the parked polls are
  // cut (not counted).
  const TimePoint pushes_deadline = Clock::now() + std::chrono::seconds(30);
  while (plan.pushers.load() > 0 && Clock::now() < pushes_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const TimePoint stopped_at = Clock::now();
  plan.stopping = true;
  loops.CloseAllConnections();
  if (!loops.WaitIdle(std::chrono::seconds(30)))
    report.Add("  (some requests were still running 30 s after the window)");
  loops.StopAndJoin();

  // Without coordinated omission: every request the window's schedule held
  // counts. One never sent or never answered (its agent stuck on an earlier
  // one) gets status -1 and the time from its intended send to the stop.
  SwarmLoopStats unanswered;
  int64_t agents_without_poll = 0;
  for (const auto& a : agents) {
    auto [push_first, push_end] = ScheduleRange(plan.push_start, a->push_phase, plan.push_interval,
                                                plan.window_start, plan.window_end);
    for (int64_t k = push_first + a->pushes_in_window; k < push_end; ++k) {
      unanswered.push_latency.Add(stopped_at -
                                  (plan.push_start + a->push_phase + k * plan.push_interval));
      unanswered.push_answers.Add(-1, "");
    }
    auto [config_first, config_end] = ScheduleRange(
        plan.push_start, a->config_phase, plan.config_interval, plan.window_start, plan.window_end);
    for (int64_t k = config_first + a->configs_in_window; k < config_end; ++k) {
      unanswered.config_latency.Add(stopped_at -
                                    (plan.push_start + a->config_phase + k * plan.config_interval));
      unanswered.config_answers.Add(-1, "");
    }
    if (a->polls_in_window == 0) ++agents_without_poll;
  }
  per.push_back(std::move(unanswered));

  SwarmLoopStats all;
  for (SwarmLoopStats& p : per) {
    all.push_latency.Merge(p.push_latency);
    all.config_latency.Merge(p.config_latency);
    all.poll_duration.Merge(p.poll_duration);
    all.push_answers.Merge(p.push_answers);
    all.config_answers.Merge(p.config_answers);
    all.poll_answers.Merge(p.poll_answers);
    all.early_polls += p.early_polls;
  }
  const double window = o.duration_s;
  const double cores = std::max(1e-6, (cpu1 - cpu0) / window);
  report.Add("  window " + Fixed(window, 0) + " s after " + Fixed(o.ramp_s, 0) + " s ramp + " +
             Fixed(o.warmup_s, 0) + " s warm-up; load " + load0 + " -> " + load1);
  report.Add("  record pushes  " + Thousands(static_cast<double>(all.push_latency.count())) + " (" +
             Fixed(static_cast<double>(all.push_latency.count()) / window, 0) + "/s)  " +
             all.push_latency.Summary());
  report.Add("                 answers " + all.push_answers.Text());
  report.Add("  config pulls   " + Thousands(static_cast<double>(all.config_latency.count())) +
             " (" + Fixed(static_cast<double>(all.config_latency.count()) / window, 0) + "/s)  " +
             all.config_latency.Summary());
  report.Add("                 answers " + all.config_answers.Text());
  report.Add("  command polls  " + Thousands(static_cast<double>(all.poll_duration.count())) +
             " answered, held " + Fixed(all.poll_duration.MeanMs() / 1000, 2) +
             " s on average (min " + Fixed(all.poll_duration.PercentileMs(0) / 1000, 2) +
             " s, max " + Fixed(all.poll_duration.MaxMs() / 1000, 2) + " s), " +
             Thousands(static_cast<double>(all.early_polls)) + " answered early; answers " +
             all.poll_answers.Text());
  if (o.duration_s > o.poll_wait_s + 1)
    report.Add("                 agents with no poll answered in the window: " +
               Thousands(static_cast<double>(agents_without_poll)));
  report.Add("                 parked mid-window " + Thousands(parked) + ", open connections " +
             Thousands(open_connections) + ", client reconnects " +
             Thousands(static_cast<double>(loops.reconnects())));
  report.Add("  server         " + Fixed(cores, 3) + " cores (utime+stime over the window), RSS " +
             Fixed(rss, 0) + " MB at the end (max " + Fixed(rss_max, 0) + " MB sampled, peak " +
             Fixed(server->peak_rss_mb(), 0) + " MB since start)");
  report.Add("  driver         " + Fixed((self1 - self0) / window, 3) + " cores");
  report.Add("  store          " + StoreLine(threads0, threads1, metrics0, metrics1, window));
  const double p99 =
      std::max(all.push_latency.PercentileMs(99), all.config_latency.PercentileMs(99));
  const bool clean =
      all.push_answers.Count(200) == all.push_answers.Total() &&
      all.config_answers.Count(304) + all.config_answers.Count(200) == all.config_answers.Total();
  result.cores = cores;
  result.p99_ms = p99;
  result.met = p99 < kLatencyTargetMs && clean;
  report.Add("  p99 < 50 ms without errors: " + std::string(result.met ? "yes" : "NO") + " (p99 " +
             Fixed(p99, 1) + " ms" + (clean ? "" : ", with errors") + "); " +
             Thousands(static_cast<double>(n) / cores) + " agents per core used");
  return result;
}

// The largest swarm that met the latency target, as agents per core.
void ReportAgentsPerCore(const std::vector<SwarmResult>& runs, Report& report) {
  const SwarmResult* best = nullptr;
  for (const SwarmResult& r : runs)
    if (r.met && (best == nullptr || r.agents > best->agents)) best = &r;
  if (best == nullptr) {
    report.Add(
        "agents per core at p99 < 50 ms: not established (no run met p99 < 50 ms without "
        "errors; run fewer --agents, e.g. --agents=1000,2000,5000)");
    return;
  }
  report.Add("agents per core at p99 < 50 ms: " +
             Thousands(static_cast<double>(best->agents) / best->cores) + " (" +
             Thousands(static_cast<double>(best->agents)) + " agents on " + Fixed(best->cores, 3) +
             " server cores, p99 " + Fixed(best->p99_ms, 1) +
             " ms)   vs Fleet's published sizing: ~" + Thousands(kFleetHostsPerVcpu) +
             " hosts per vCPU (150,000 hosts on 25 one-vCPU instances)");
}

void RunStorm(const Options& o, const std::string& root, Report& report) {
  const size_t e = static_cast<size_t>(o.enrolments);
  report.Add("== storm: " + Thousands(static_cast<double>(e)) + " enrolments from " +
             std::to_string(o.enrol_concurrency) + " concurrent clients; load " + LoadAverage());
  auto started = StartServer(o, root + "/storm", 10000);
  if (!started.ok()) {
    report.Add("  " + started.status().message());
    report.failed = true;
    return;
  }
  ServerProcess* server = started->process.get();
  const TlsTarget& target = started->target;
  std::vector<Enrolment> enrolled;
  const double cpu0 = server->cpu_seconds();
  EnrolOutcome storm = EnrolAgents(target, server->enrol_secret(), 0, e, o.enrol_concurrency,
                                   o.client_threads, &enrolled);
  const double cpu1 = server->cpu_seconds();
  report.Add("  " + EnrolLine(storm));
  const bool in_time =
      storm.enrolled == static_cast<int64_t>(e) && storm.seconds <= kEnrolStormSeconds;
  report.Add("  all " + Thousands(static_cast<double>(e)) +
             " within 60 s: " + (in_time ? "yes" : "NO") +
             "; 5xx answers: " + Thousands(static_cast<double>(storm.answers.ServerErrors())) +
             " (target none: " + Verdict(storm.answers.ServerErrors() == 0) + "); server " +
             Fixed((cpu1 - cpu0) / std::max(storm.seconds, 1e-9), 2) + " cores, RSS " +
             Fixed(server->rss_mb(), 0) + " MB; load " + LoadAverage());
}

struct IngestKind {
  std::string name;
  bool problems = false;
};

void RunIngest(const Options& o, const std::string& root, Report& report) {
  report.Add("== ingest: " + std::to_string(o.ingest_agents) + " agents pushing " +
             std::to_string(o.ingest_batch) + "-record batches back to back, " +
             Thousands(o.ingest_records) + " records per kind; load " + LoadAverage());
  auto started = StartServer(o, root + "/ingest", 10000);
  if (!started.ok()) {
    report.Add("  " + started.status().message());
    report.failed = true;
    return;
  }
  ServerProcess* server = started->process.get();
  const TlsTarget& target = started->target;
  std::vector<Enrolment> enrolled;
  EnrolOutcome enrol =
      EnrolAgents(target, server->enrol_secret(), 0, static_cast<size_t>(o.ingest_agents),
                  o.enrol_concurrency, o.client_threads, &enrolled);
  if (enrol.enrolled != o.ingest_agents) {
    report.Add("  enrolment failed: " + EnrolLine(enrol));
    report.failed = true;
    return;
  }
  const int64_t batches = (o.ingest_records + o.ingest_batch - 1) / o.ingest_batch;
  for (const IngestKind& kind : {IngestKind{"query results (one result row each)", false},
                                 IngestKind{"problem events (problem + history stored)", true}}) {
    EventLoops loops(o.client_threads);
    struct PerLoop {
      LatencyLog latency;
      StatusCounts answers;
      int64_t acknowledged = 0;
    };
    std::vector<PerLoop> per(loops.size());
    std::atomic<int64_t> next{0};
    for (int i = 0; i < o.ingest_agents; ++i) {
      const size_t loop = static_cast<size_t>(i) % loops.size();
      TlsConnection& conn = loops.NewConnection(loop, target);
      loops.Spawn(loop,
                  [](TlsConnection& c, PerLoop& st, std::atomic<int64_t>& next_batch, int64_t total,
                     int batch_size, bool problems, const Enrolment& agent,
                     const TlsTarget& t) -> awaitable<void> {
                    const std::string auth = "Authorization: Bearer " + agent.node_key + "\r\n";
                    const RecordTemplates& templates = Templates();
                    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count();
                    std::string body;
                    for (;;) {
                      const int64_t b = next_batch.fetch_add(1);
                      if (b >= total) break;
                      body.clear();
                      body.append(R"({"batch_id":"ingest-)")
                          .append(std::to_string(b))
                          .append(R"(","records":[)");
                      RecordValues v;
                      v.host = agent.hostname;
                      for (int j = 0; j < batch_size; ++j) {
                        if (j > 0) body += ',';
                        const int64_t k = b * batch_size + j;
                        v.n = std::to_string(k);
                        v.time_s = now_s - (k % 86400);
                        if (problems) {
                          v.problem_id = "ingest-" + v.n;
                          v.revision = 1;
                          v.record_id = v.problem_id + ".1";
                          AppendRecord(templates.problem(static_cast<size_t>(k),
                                                         static_cast<size_t>(k / 7), 0),
                                       v, &body);
                        } else {
                          v.record_id = "ingest-r-" + v.n;
                          AppendRecord(templates.results(), v, &body);
                        }
                      }
                      body.append("]}");
                      const std::string request =
                          HttpRequestText("POST", "/api/v1/agent/records", t, auth, body);
                      const TimePoint sent = Clock::now();
                      HttpAnswer r = co_await c.Send(request);
                      st.latency.Add(Clock::now() - sent);
                      st.answers.Add(r.status, r.error);
                      Json ack = r.status == 200 ? Json::parse(r.body, nullptr, false) : Json();
                      if (ack.is_object() && ack["accepted"].is_number_integer())
                        st.acknowledged +=
                            ack["accepted"].get<int64_t>() + ack.value("duplicates", int64_t{0});
                    }
                  }(conn, per[loop], next, batches, o.ingest_batch, kind.problems,
                                         enrolled[static_cast<size_t>(i)], target));
    }
    const double cpu0 = server->cpu_seconds();
    const TimePoint start = Clock::now();
    loops.Start();
    loops.WaitIdle(std::chrono::hours(1));
    const double seconds = Seconds(Clock::now() - start).count();
    const double cpu1 = server->cpu_seconds();
    loops.StopAndJoin();
    LatencyLog latency;
    StatusCounts answers;
    int64_t acknowledged = 0;
    for (PerLoop& p : per) {
      latency.Merge(p.latency);
      answers.Merge(p.answers);
      acknowledged += p.acknowledged;
    }
    const double rate = static_cast<double>(acknowledged) / seconds;
    report.Add("  " + kind.name + ": " + Thousands(static_cast<double>(acknowledged)) +
               " acknowledged in " + Fixed(seconds, 1) + " s = " + Thousands(rate) +
               " records/s (target 50,000: " + Verdict(rate >= kIngestTarget) + "); server " +
               Fixed((cpu1 - cpu0) / seconds, 2) + " cores, RSS " + Fixed(server->rss_mb(), 0) +
               " MB; per batch " + latency.Summary() + "; answers " + answers.Text() + "; load " +
               LoadAverage());
  }
}

// A page timing: median and max of repeats, the total the page reported.
struct PageTiming {
  std::string what;
  std::vector<double> ms;
  long status = 0;
  int64_t items = 0;
  int64_t total = -1;
  std::string error;
};

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

PageTiming TimePage(RestClient& rest, const std::string& what, const std::string& path,
                    int repeats) {
  PageTiming t;
  t.what = what;
  for (int i = 0; i < repeats; ++i) {
    RestClient::Answer a = rest.Get(path);
    t.status = a.status;
    if (a.status != 200) {
      t.error = a.body.substr(0, 200) + a.error;
      break;
    }
    t.ms.push_back(a.ms);
    if (i == 0) {
      Json page = Json::parse(a.body, nullptr, false);
      if (page.is_object()) {
        t.items = static_cast<int64_t>(page["items"].size());
        if (page["total"].is_number_integer()) t.total = page["total"].get<int64_t>();
      }
    }
  }
  return t;
}

// Follows next_cursor with `limit`-row pages until `depth` rows were passed;
// the cursor there ("" when the list is shorter), and the page times.
std::string WalkToDepth(RestClient& rest, const std::string& path, int64_t depth, int limit,
                        std::vector<double>* page_ms) {
  std::string cursor;
  int64_t passed = 0;
  while (passed < depth) {
    const int64_t want = std::min<int64_t>(limit, depth - passed);
    std::string url =
        path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=" + std::to_string(want);
    if (!cursor.empty()) url += "&cursor=" + UrlEncode(cursor);
    RestClient::Answer a = rest.Get(url);
    if (a.status != 200) return "";
    page_ms->push_back(a.ms);
    Json page = Json::parse(a.body, nullptr, false);
    if (!page.is_object() || !page["next_cursor"].is_string()) return "";
    cursor = page["next_cursor"].get<std::string>();
    passed += static_cast<int64_t>(page["items"].size());
  }
  return cursor;
}

std::string TimingLine(PageTiming& t) {
  if (t.status != 200 || t.ms.empty())
    return "  " + t.what + ": HTTP " + std::to_string(t.status) + " " + t.error;
  std::vector<double> sorted = t.ms;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "  %-58s %8.1f ms median, %8.1f max  (%" PRId64 " items, total %s)  %s",
                t.what.c_str(), median, sorted.back(), t.items,
                t.total >= 0 ? Thousands(static_cast<double>(t.total)).c_str() : "?",
                median < kPageTargetMs ? "met" : "NOT met");
  return buf;
}

// Pushes `problems_per_host` problem events for each of `hosts` agents, one
// batch per host; records/s.
struct GenerateOutcome {
  double seconds = 0;
  int64_t acknowledged = 0;
  StatusCounts answers;
  LatencyLog latency;
};

GenerateOutcome PushProblems(const TlsTarget& target, const std::vector<Enrolment>& agents,
                             int problems_per_host, int concurrency, int threads) {
  GenerateOutcome out;
  EventLoops loops(threads);
  struct PerLoop {
    StatusCounts answers;
    LatencyLog latency;
    int64_t acknowledged = 0;
  };
  std::vector<PerLoop> per(loops.size());
  std::atomic<size_t> next{0};
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  for (int w = 0; w < concurrency; ++w) {
    const size_t loop = static_cast<size_t>(w) % loops.size();
    TlsConnection& conn = loops.NewConnection(loop, target);
    loops.Spawn(loop,
                [](TlsConnection& c, PerLoop& st, std::atomic<size_t>& next_host,
                   const std::vector<Enrolment>& all, int per_host, int64_t now,
                   const TlsTarget& t) -> awaitable<void> {
                  const RecordTemplates& templates = Templates();
                  std::string body;
                  for (;;) {
                    const size_t h = next_host.fetch_add(1);
                    if (h >= all.size()) break;
                    const Enrolment& agent = all[h];
                    body.clear();
                    body.append(R"({"batch_id":"gen-)")
                        .append(std::to_string(h))
                        .append(R"(","records":[)");
                    RecordValues v;
                    v.host = agent.hostname;
                    for (int j = 0; j < per_host; ++j) {
                      if (j > 0) body += ',';
                      // Rules cycle, risk levels cycle across hosts, one in ten
                      // resolved, last detected spread over 30 days.
                      const bool resolved = j % 10 == 9;
                      v.n = std::to_string(j);
                      v.problem_id = "p-" + std::to_string(h) + "-" + v.n;
                      v.revision = resolved ? 2 : 1;
                      v.record_id = v.problem_id + "." + std::to_string(v.revision);
                      v.time_s =
                          now - static_cast<int64_t>((h * 7919 + static_cast<size_t>(j) * 104729) %
                                                     (30 * 86400));
                      AppendRecord(templates.problem(static_cast<size_t>(j),
                                                     h + static_cast<size_t>(j), resolved ? 2 : 0),
                                   v, &body);
                    }
                    body.append("]}");
                    const std::string request =
                        HttpRequestText("POST", "/api/v1/agent/records", t,
                                        "Authorization: Bearer " + agent.node_key + "\r\n", body);
                    for (int attempt = 0; attempt < 5; ++attempt) {
                      const TimePoint sent = Clock::now();
                      HttpAnswer r = co_await c.Send(request);
                      st.latency.Add(Clock::now() - sent);
                      st.answers.Add(r.status, r.error);
                      Json ack = r.status == 200 ? Json::parse(r.body, nullptr, false) : Json();
                      if (ack.is_object() && ack["accepted"].is_number_integer()) {
                        st.acknowledged +=
                            ack["accepted"].get<int64_t>() + ack.value("duplicates", int64_t{0});
                        break;
                      }
                      co_await SleepUntil(Clock::now() + std::chrono::seconds(1));
                    }
                  }
                }(conn, per[loop], next, agents, problems_per_host, now_s, target));
  }
  const TimePoint start = Clock::now();
  loops.Start();
  loops.WaitIdle(std::chrono::hours(2));
  out.seconds = Seconds(Clock::now() - start).count();
  loops.StopAndJoin();
  for (PerLoop& p : per) {
    out.answers.Merge(p.answers);
    out.latency.Merge(p.latency);
    out.acknowledged += p.acknowledged;
  }
  return out;
}

// An export read to the end as a user's script reads it, while the
// server's RSS is sampled (and its peak counter reset first).
struct ExportTiming {
  long status = 0;
  std::string error;
  int64_t rows = 0;  // CSV lines after the header
  int64_t bytes = 0;
  double seconds = 0;
  double cores = 0;
  double idle_rss_mb = 0, peak_rss_mb = 0;
};

ExportTiming MeasureExport(const ServerProcess& server, RestClient& rest, const std::string& path) {
  ExportTiming t;
  t.idle_rss_mb = server.rss_mb();
  server.ResetPeakRss();
  std::atomic<bool> exporting{true};
  std::atomic<double> sampled_peak{t.idle_rss_mb};
  std::thread sampler([&] {
    while (exporting.load()) {
      sampled_peak = std::max(sampled_peak.load(), server.rss_mb());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  int64_t newlines = 0;
  const double cpu0 = server.cpu_seconds();
  RestClient::Answer exported = rest.Stream(path, [&](std::string_view chunk) {
    t.bytes += static_cast<int64_t>(chunk.size());
    newlines += std::count(chunk.begin(), chunk.end(), '\n');
  });
  const double cpu1 = server.cpu_seconds();
  exporting = false;
  sampler.join();
  t.status = exported.status;
  t.error = exported.error;
  t.peak_rss_mb = std::max(sampled_peak.load(), server.peak_rss_mb());
  t.rows = std::max<int64_t>(0, newlines - 1);
  t.seconds = exported.ms / 1000;
  t.cores = (cpu1 - cpu0) / std::max(t.seconds, 1e-9);
  return t;
}

// The export's figures against the targets; `expected` rows.
std::string ExportLine(const ExportTiming& t, int64_t expected) {
  const double rate = static_cast<double>(t.rows) / std::max(t.seconds, 1e-9);
  std::string line =
      "HTTP " + std::to_string(t.status) + ", " + Thousands(static_cast<double>(t.rows)) +
      " rows (" + Fixed(static_cast<double>(t.bytes) / 1e6, 0) + " MB) in " + Fixed(t.seconds, 1) +
      " s = " + Thousands(rate) +
      " rows/s (target 200,000: " + Verdict(rate >= kExportTarget && t.rows == expected) +
      "); server " + Fixed(t.cores, 2) + " cores; RSS idle " + Fixed(t.idle_rss_mb, 0) +
      " MB, peak " + Fixed(t.peak_rss_mb, 0) + " MB = +" + Fixed(t.peak_rss_mb - t.idle_rss_mb, 0) +
      " MB (target < 100: " + Verdict(t.peak_rss_mb - t.idle_rss_mb < kExportRssTargetMb) +
      "); load " + LoadAverage();
  if (t.rows != expected)
    line += "; the export held " + Thousands(static_cast<double>(t.rows)) + " rows, not " +
            Thousands(static_cast<double>(expected)) + " " + t.error;
  return line;
}

void RunRest(const Options& o, const std::string& root, Report& report) {
  const size_t hosts = static_cast<size_t>(o.rest_hosts);
  const int64_t problems = static_cast<int64_t>(hosts) * o.rest_problems_per_host;
  report.Add("== rest: " + Thousands(static_cast<double>(hosts)) + " hosts x " +
             std::to_string(o.rest_problems_per_host) + " problems = " +
             Thousands(static_cast<double>(problems)) + " problems; load " + LoadAverage());
  const std::string dir = root + "/rest";
  const std::string marker = dir + "/generated";
  const std::string wanted =
      std::to_string(hosts) + " hosts x " + std::to_string(o.rest_problems_per_host);
  const bool reuse = !o.workdir.empty() && ReadFile(marker) == wanted;
  if (!reuse && std::filesystem::exists(dir)) std::filesystem::remove_all(dir);
  auto started = StartServer(o, dir, 10000);
  if (!started.ok()) {
    report.Add("  " + started.status().message());
    report.failed = true;
    return;
  }
  ServerProcess* server = started->process.get();
  const TlsTarget& target = started->target;
  if (reuse) {
    report.Add("  reusing the store generated earlier in " + dir);
  } else {
    std::vector<Enrolment> enrolled;
    EnrolOutcome enrol = EnrolAgents(target, server->enrol_secret(), 0, hosts, o.enrol_concurrency,
                                     o.client_threads, &enrolled);
    report.Add("  enrolment: " + EnrolLine(enrol));
    if (enrol.enrolled != static_cast<int64_t>(hosts)) {
      report.failed = true;
      return;
    }
    const double cpu0 = server->cpu_seconds();
    GenerateOutcome gen = PushProblems(target, enrolled, o.rest_problems_per_host,
                                       o.rest_push_concurrency, o.client_threads);
    const double cpu1 = server->cpu_seconds();
    report.Add("  generated through the agent channel (one " +
               std::to_string(o.rest_problems_per_host) + "-record batch per host, " +
               std::to_string(o.rest_push_concurrency) +
               " at a time): " + Thousands(static_cast<double>(gen.acknowledged)) +
               " problem records in " + Fixed(gen.seconds, 1) +
               " s = " + Thousands(static_cast<double>(gen.acknowledged) / gen.seconds) +
               " records/s; server " + Fixed((cpu1 - cpu0) / gen.seconds, 2) +
               " cores; per batch " + gen.latency.Summary() + "; answers " + gen.answers.Text());
    if (gen.acknowledged != problems) {
      report.failed = true;
      return;
    }
    if (!o.workdir.empty()) std::ofstream(marker) << wanted;
  }

  RestClient rest(server->base_url(), server->ca_file());
  if (Status st = rest.LogInWithToken("bench", ServerProcess::kPassword); !st.ok()) {
    report.Add("  " + st.message());
    report.failed = true;
    return;
  }
  // Ids of a host in the middle, for the filtered pages.
  RestClient::Answer some = rest.Get("/api/v1/hosts?limit=1&q=" + Hostname(hosts / 2));
  Json some_page = Json::parse(some.body, nullptr, false);
  std::string host_id = "1";
  if (some_page.is_object() && !some_page["items"].empty()) {
    const Json& id = some_page["items"][0]["id"];
    host_id = id.is_string() ? id.get<std::string>() : id.dump();
  }
  report.Add("  load " + LoadAverage() + "; " + std::to_string(o.page_repeats) +
             " requests each, one at a time, API token, keep-alive (target " +
             Fixed(kPageTargetMs, 0) + " ms)");
  const int r = o.page_repeats;
  std::vector<PageTiming> timings;
  timings.push_back(TimePage(rest, "hosts, first page (100, by hostname)", "/api/v1/hosts", r));
  std::vector<double> walk_ms;
  const int64_t host_depth = static_cast<int64_t>(hosts) / 2;
  std::string host_cursor = WalkToDepth(rest, "/api/v1/hosts", host_depth, 10000, &walk_ms);
  timings.push_back(TimePage(
      rest, "hosts, page " + Thousands(static_cast<double>(host_depth)) + " rows deep (cursor)",
      "/api/v1/hosts?cursor=" + UrlEncode(host_cursor), r));
  timings.push_back(
      TimePage(rest, "hosts, filtered os_id=ubuntu", "/api/v1/hosts?os_id=ubuntu", r));
  timings.push_back(
      TimePage(rest, "hosts, sorted -last_seen_at", "/api/v1/hosts?sort=-last_seen_at", r));
  timings.push_back(TimePage(rest, "hosts, q=" + Hostname(hosts / 3),
                             "/api/v1/hosts?q=" + Hostname(hosts / 3), r));
  timings.push_back(
      TimePage(rest, "problems, first page (100, -last_detected_at)", "/api/v1/problems", r));
  walk_ms.clear();
  const int64_t problem_depth = problems / 2;
  std::string problem_cursor =
      WalkToDepth(rest, "/api/v1/problems", problem_depth, 10000, &walk_ms);
  double walk_median = 0;
  if (!walk_ms.empty()) {
    std::sort(walk_ms.begin(), walk_ms.end());
    walk_median = walk_ms[walk_ms.size() / 2];
  }
  timings.push_back(TimePage(
      rest,
      "problems, page " + Thousands(static_cast<double>(problem_depth)) + " rows deep (cursor)",
      "/api/v1/problems?cursor=" + UrlEncode(problem_cursor), r));
  timings.push_back(TimePage(rest, "problems, status=open&risk_level=extreme",
                             "/api/v1/problems?status=open&risk_level=extreme", r));
  timings.push_back(
      TimePage(rest, "problems, host_id=<one host>", "/api/v1/problems?host_id=" + host_id, r));
  timings.push_back(TimePage(rest, "problems, rule_id=HOST-VULN&sort=-risk_level",
                             "/api/v1/problems?rule_id=HOST-VULN&sort=-risk_level", r));
  timings.push_back(TimePage(rest, "problems, q=" + Hostname(hosts / 3),
                             "/api/v1/problems?q=" + Hostname(hosts / 3), r));
  int met = 0;
  for (PageTiming& t : timings) {
    report.Add(TimingLine(t));
    if (!t.ms.empty()) {
      std::vector<double> sorted = t.ms;
      std::sort(sorted.begin(), sorted.end());
      if (sorted[sorted.size() / 2] < kPageTargetMs) ++met;
    }
  }
  report.Add("  pages under 100 ms (median): " + std::to_string(met) + " of " +
             std::to_string(timings.size()) +
             "; the 10,000-row pages of the problem walk to the deep cursor took " +
             Fixed(walk_median, 0) + " ms each (median of " + std::to_string(walk_ms.size()) + ")");

  ExportTiming exported = MeasureExport(*server, rest, "/api/v1/problems/export?format=csv");
  report.Add("  export CSV: " + ExportLine(exported, problems));
}

// ---------------------------------------------------------------- live query

// What the simulated agents share with the driver during the livequery part.
struct LiveQueryPlan {
  std::atomic<int> rows_per_host{0};
  std::atomic<int64_t> started_ns{0};  // steady clock of the campaign's POST
  std::atomic<bool> stopping{false};
};

struct LiveQueryLoopStats {
  std::mutex mu;                    // the driver reads answered_ms while the loop runs
  std::vector<double> answered_ms;  // per host: its result stored, after the POST
  StatusCounts answers;             // rows chunks and results
  int64_t rows_sent = 0;
};

// Sends a request again while the server is busy (503: after its
// Retry-After or a growing jittered wait) or unreachable, for up to ten
// minutes, as the agent sends its rows chunks and results.
awaitable<HttpAnswer> SendPatiently(TlsConnection& conn, const std::string& request,
                                    std::minstd_rand& rng) {
  const TimePoint give_up = Clock::now() + std::chrono::minutes(10);
  int64_t wait_ms = 250;
  for (;;) {
    HttpAnswer a = co_await conn.Send(request);
    if (a.status != 0 && a.status != 503) co_return a;
    const int64_t pause = std::max<int64_t>(
        a.retry_after_s * 1000LL, wait_ms / 2 + static_cast<int64_t>(rng() % (wait_ms / 2 + 1)));
    const TimePoint next = Clock::now() + std::chrono::milliseconds(pause);
    if (next >= give_up) co_return a;
    co_await SleepUntil(next);
    wait_ms = std::min<int64_t>(wait_ms * 2, 8000);
  }
}

// One simulated agent: a parked command long-poll; a live_query command is
// answered as the agent does (src/agent/server_link.h): its rows in chunks
// of at most 1,000, then its result, on the same connection, each sent
// again while the server is busy, then the poll is parked again.
awaitable<void> LiveQueryAgent(TlsConnection& conn, const Enrolment& agent, LiveQueryPlan& plan,
                               LiveQueryLoopStats& st, const TlsTarget& target) {
  const std::string auth = "Authorization: Bearer " + agent.node_key + "\r\n";
  const std::string poll =
      HttpRequestText("GET", "/api/v1/agent/commands?wait=10", target, auth, "");
  std::minstd_rand rng(static_cast<unsigned>(std::hash<std::string>{}(agent.node_key)));
  while (!plan.stopping.load(std::memory_order_relaxed)) {
    HttpAnswer r = co_await conn.Send(poll);
    if (plan.stopping.load(std::memory_order_relaxed)) break;
    if (r.status != 200) {
      co_await SleepUntil(Clock::now() + std::chrono::seconds(1));
      continue;
    }
    const Json answer = Json::parse(r.body, nullptr, false);
    if (!answer.is_object() || !answer["commands"].is_array()) continue;
    for (const Json& command : answer["commands"]) {
      if (command.value("type", "") != "live_query" || !command["id"].is_string()) continue;
      const std::string base = "/api/v1/agent/commands/" + command["id"].get<std::string>();
      const int rows = plan.rows_per_host.load();
      int seq = 0;
      bool all_sent = true;
      for (int sent = 0; sent < rows || seq == 0;) {
        const int chunk = std::min(1000, rows - sent);
        std::string body = R"({"seq":)" + std::to_string(seq) +
                           R"(,"columns":["pid","name","path","uid","state"],"rows":[)";
        for (int k = 0; k < chunk; ++k) {
          if (k > 0) body += ',';
          const int n = sent + k;
          body += "[" + std::to_string(1000 + n) + R"(,"worker-)" + std::to_string(n % 97) +
                  R"(","/usr/lib/bench/worker-)" + std::to_string(n % 97) + R"(",)" +
                  std::to_string(n % 7) + R"(,"S"])";
        }
        body += "]}";
        HttpAnswer a = co_await SendPatiently(
            conn, HttpRequestText("POST", base + "/rows", target, auth, body), rng);
        st.answers.Add(a.status, a.error);
        if (a.status != 200) {
          all_sent = false;
          break;
        }
        st.rows_sent += chunk;
        sent += chunk;
        ++seq;
      }
      const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
      // As the agent answers: failed when its rows could not all be sent.
      const std::string result =
          all_sent
              ? R"({"status":"succeeded","output":{"rows":)" + std::to_string(rows) +
                    R"(,"duration_ms":1},"finished_at_ms":)" + std::to_string(now_ms) + "}"
              : R"({"status":"failed","error":"the rows could not be sent","finished_at_ms":)" +
                    std::to_string(now_ms) + "}";
      HttpAnswer a = co_await SendPatiently(
          conn, HttpRequestText("POST", base + "/result", target, auth, result), rng);
      st.answers.Add(a.status, a.error);
      if (a.status == 204) {
        const int64_t elapsed = Clock::now().time_since_epoch().count() - plan.started_ns.load();
        std::lock_guard lock(st.mu);
        st.answered_ms.push_back(static_cast<double>(elapsed) / 1e6);
      }
    }
  }
}

// One campaign to every host: the time until 99 % and 100 % of the hosts'
// answers were stored (as the agents saw their results acknowledged), the
// server's CPU and peak RSS meanwhile, and the campaign as the API tells it.
struct CampaignOutcome {
  std::string id;
  double p99_s = -1, all_s = -1, cores = 0, peak_rss_mb = 0;
  int64_t answered = 0, done = 0, errors = 0, stored_rows = 0;
  std::string store;  // StoreLine over the campaign
  std::string error;
};

CampaignOutcome RunCampaign(const ServerProcess& server, RestClient& rest,
                            std::vector<LiveQueryLoopStats>& per, LiveQueryPlan& plan, size_t hosts,
                            int rows_per_host) {
  CampaignOutcome c;
  for (LiveQueryLoopStats& st : per) {
    std::lock_guard lock(st.mu);
    st.answered_ms.clear();
  }
  plan.rows_per_host = rows_per_host;
  server.ResetPeakRss();
  const double cpu0 = server.cpu_seconds();
  const std::map<int, double> threads0 = ThreadCpuSeconds(server.pid());
  const std::string metrics0 = rest.Get("/metrics").body;
  const TimePoint start = Clock::now();
  plan.started_ns = start.time_since_epoch().count();
  RestClient::Answer created =
      rest.Post("/api/v1/queries",
                Json{{"sql", "SELECT pid, name, path, uid, state FROM processes"},
                     {"targets", {{"all", true}}}}
                    .dump(),
                {"Content-Type: application/json"});
  const Json body = Json::parse(created.body, nullptr, false);
  if (created.status != 202 || !body.is_object() || !body["id"].is_string()) {
    c.error = "POST /api/v1/queries answered " + std::to_string(created.status) + ": " +
              created.body.substr(0, 300);
    return c;
  }
  c.id = body["id"].get<std::string>();
  // Done when the API says every host ended (or after 10 minutes).
  const TimePoint deadline = start + std::chrono::minutes(10);
  for (;;) {
    RestClient::Answer got = rest.Get("/api/v1/queries/" + c.id);
    const Json q = Json::parse(got.body, nullptr, false);
    if (q.is_object() && q["counts"].is_object()) {
      c.done = q["counts"].value("done", int64_t{0});
      c.errors = q["counts"].value("error", int64_t{0});
      c.stored_rows = q.value("stored_rows", int64_t{0});
      if (q.value("state", "") != "running") break;
    }
    if (Clock::now() > deadline) {
      c.error = "the live query was still running after 10 minutes";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double seconds = Seconds(Clock::now() - start).count();
  c.cores = (server.cpu_seconds() - cpu0) / seconds;
  c.peak_rss_mb = server.peak_rss_mb();
  c.store = StoreLine(threads0, ThreadCpuSeconds(server.pid()), metrics0, rest.Get("/metrics").body,
                      seconds);
  // An agent notes its answer once the server acknowledged it, a moment
  // after the API counts it: wait (briefly) until they agree.
  std::vector<double> answered;
  const TimePoint settle = Clock::now() + std::chrono::seconds(5);
  do {
    answered.clear();
    for (LiveQueryLoopStats& st : per) {
      std::lock_guard lock(st.mu);
      answered.insert(answered.end(), st.answered_ms.begin(), st.answered_ms.end());
    }
    if (static_cast<int64_t>(answered.size()) >= c.done) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (Clock::now() < settle);
  std::sort(answered.begin(), answered.end());
  c.answered = static_cast<int64_t>(answered.size());
  const size_t p99 = (hosts * 99 + 99) / 100;
  if (answered.size() >= p99) c.p99_s = answered[p99 - 1] / 1000;
  if (answered.size() >= hosts) c.all_s = answered[hosts - 1] / 1000;
  return c;
}

void RunLiveQuery(const Options& o, const std::string& root, Report& report) {
  const size_t n = static_cast<size_t>(o.lq_agents);
  report.Add("== livequery: " + Thousands(static_cast<double>(n)) +
             " agents with a parked command long-poll; one live query to all of them returning " +
             std::to_string(o.lq_rows) + " rows each, then one returning " +
             std::to_string(o.lq_big_rows) + " rows each, stored and exported; load " +
             LoadAverage());
  auto started = StartServer(
      o, root + "/livequery", n + 1000,
      "live_queries:\n  max_rows: " +
          std::to_string(std::max<int64_t>(10'000'000, static_cast<int64_t>(n) * o.lq_big_rows)) +
          "\n  max_bytes: 8GB\n");
  if (!started.ok()) {
    report.Add("  " + started.status().message());
    report.failed = true;
    return;
  }
  ServerProcess* server = started->process.get();
  const TlsTarget& target = started->target;
  std::vector<Enrolment> enrolled;
  EnrolOutcome enrol = EnrolAgents(target, server->enrol_secret(), 0, n, o.enrol_concurrency,
                                   o.client_threads, &enrolled);
  report.Add("  enrolment: " + EnrolLine(enrol));
  RestClient rest(server->base_url(), server->ca_file());
  if (enrol.enrolled != static_cast<int64_t>(n)) {
    report.failed = true;
    return;
  }
  if (Status st = rest.LogInWithToken("bench", ServerProcess::kPassword); !st.ok()) {
    report.Add("  " + st.message());
    report.failed = true;
    return;
  }
  EventLoops loops(o.client_threads);
  std::vector<LiveQueryLoopStats> per(loops.size());
  LiveQueryPlan plan;
  for (size_t i = 0; i < n; ++i) {
    const size_t loop = i % loops.size();
    loops.Spawn(loop, LiveQueryAgent(loops.NewConnection(loop, target), enrolled[i], plan,
                                     per[loop], target));
  }
  loops.Start();
  // Every agent parked: the server counts the polls it holds.
  const TimePoint park_deadline = Clock::now() + std::chrono::minutes(2);
  double parked = 0;
  while (Clock::now() < park_deadline) {
    parked = MetricValue(rest.Get("/metrics").body, "warden_agent_parked_polls");
    if (parked >= static_cast<double>(n)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  report.Add("  parked polls: " + Thousands(parked) + "; server RSS " + Fixed(server->rss_mb(), 0) +
             " MB");

  const CampaignOutcome fan = RunCampaign(*server, rest, per, plan, n, o.lq_rows);
  if (!fan.error.empty()) {
    report.Add("  " + fan.error);
    report.failed = true;
  }
  report.Add("  fan-out, " + std::to_string(o.lq_rows) +
             " rows a host: 99 % of hosts answered in " + Fixed(fan.p99_s, 2) +
             " s (target < 3 s: " + Verdict(fan.p99_s >= 0 && fan.p99_s < 3) + "), all in " +
             Fixed(fan.all_s, 2) + " s; the API says " + Thousands(static_cast<double>(fan.done)) +
             " done, " + Thousands(static_cast<double>(fan.errors)) + " error, " +
             Thousands(static_cast<double>(fan.stored_rows)) + " rows stored; server " +
             Fixed(fan.cores, 2) + " cores, peak RSS " + Fixed(fan.peak_rss_mb, 0) + " MB; load " +
             LoadAverage());
  report.Add("  store: " + fan.store);
  if (fan.done != static_cast<int64_t>(n)) report.failed = true;

  if (o.lq_big_rows > 0) {
    const int64_t expected = static_cast<int64_t>(n) * o.lq_big_rows;
    const CampaignOutcome big = RunCampaign(*server, rest, per, plan, n, o.lq_big_rows);
    if (!big.error.empty()) {
      report.Add("  " + big.error);
      report.failed = true;
    }
    const double seconds = big.all_s > 0 ? big.all_s : 0;
    report.Add("  stored result, " + std::to_string(o.lq_big_rows) +
               " rows a host: " + Thousands(static_cast<double>(big.stored_rows)) +
               " rows stored in " + Fixed(seconds, 1) +
               " s = " + Thousands(static_cast<double>(big.stored_rows) / std::max(seconds, 1e-9)) +
               " rows/s; hosts " + Thousands(static_cast<double>(big.done)) + " done, " +
               Thousands(static_cast<double>(big.errors)) + " error; server " +
               Fixed(big.cores, 2) + " cores, peak RSS " + Fixed(big.peak_rss_mb, 0) +
               " MB; load " + LoadAverage());
    report.Add("  store: " + big.store);
    if (big.stored_rows != expected) report.failed = true;
    if (!big.id.empty()) {
      ExportTiming exported =
          MeasureExport(*server, rest, "/api/v1/queries/" + big.id + "/results/export?format=csv");
      report.Add("  export CSV: " + ExportLine(exported, expected));
    }
  }
  plan.stopping = true;
  loops.StopAndJoin();
  StatusCounts answers;
  int64_t rows_sent = 0;
  for (LiveQueryLoopStats& st : per) {
    answers.Merge(st.answers);
    rows_sent += st.rows_sent;
  }
  report.Add("  agents sent " + Thousands(static_cast<double>(rows_sent)) +
             " rows; answers to rows chunks and results " + answers.Text());
}

}  // namespace

int main(int argc, char** argv) {
  auto options = ParseOptions(argc, argv);
  if (!options.ok()) {
    std::cerr << "agent_swarm_bench: " << options.status().message() << std::endl;
    return 2;
  }
  const Options& o = *options;
  signal(SIGPIPE, SIG_IGN);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  // Two connections per agent here and in the server, plus margin.
  const int most_agents =
      std::max(Selected(o, "swarm") ? *std::max_element(o.agents.begin(), o.agents.end()) : 0,
               Selected(o, "livequery") ? (o.lq_agents + 1) / 2 : 0);
  const rlim_t files = static_cast<rlim_t>(2 * most_agents) + kSpareFiles +
                       static_cast<rlim_t>(2 * o.enrol_concurrency);
  if (Status st = RaiseOpenFileLimit(files); !st.ok())
    std::cerr << "agent_swarm_bench: " << st.message() << std::endl;

  std::string root = o.workdir;
  if (root.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "warden-swarm-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::cerr << "agent_swarm_bench: mkdtemp: " << std::strerror(errno) << std::endl;
      return 1;
    }
    root = pattern;
  } else {
    std::filesystem::create_directories(root);
  }

  Report report;
  report.Add("warden server end to end: " + o.warden + ", " + std::to_string(o.client_threads) +
             " driver threads, " + std::to_string(std::thread::hardware_concurrency()) +
             " CPUs, load " + LoadAverage() + ", access log " + (o.access_log ? "on" : "off"));
  if (Selected(o, "swarm")) {
    std::vector<SwarmResult> runs;
    for (int n : o.agents)
      runs.push_back(
          RunSwarm(o, static_cast<size_t>(n), root + "/swarm-" + std::to_string(n), report));
    ReportAgentsPerCore(runs, report);
  }
  if (Selected(o, "storm")) RunStorm(o, root, report);
  if (Selected(o, "ingest")) RunIngest(o, root, report);
  if (Selected(o, "rest")) RunRest(o, root, report);
  if (Selected(o, "livequery")) RunLiveQuery(o, root, report);

  std::cout << "\nSummary:\n";
  for (const std::string& line : report.lines) std::cout << line << "\n";
  if (o.workdir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  curl_global_cleanup();
  return report.failed ? 1 : 0;
}
