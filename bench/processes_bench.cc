// Benchmarks the processes and listening_ports tables against the tools users
// would otherwise run, side by side, on a host made busy on purpose:
//
//   1. The benchmark forks --extra-processes children (default 2000) that
//      sleep in pause(), and opens --extra-sockets listening sockets (default
//      1000: three quarters TCP, one quarter UDP) on 127.0.0.1.
//   2. Each round runs, alternating which goes first,
//        warden query "SELECT * FROM processes"  vs  ps -eo
//        pid,ppid,user,stat,etime,time,rss,vsz,comm,args warden query "SELECT * FROM
//        listening_ports"  vs  ss -ltnup
//      as subprocesses with stdout to /dev/null, and reports the median wall
//      time of each and the ratio warden/tool (target: <= 1.0), and the same
//      for CPU time (user + system, all threads), which a busy machine
//      disturbs less than wall time.
//   3. It times an in-process `SELECT * FROM processes WHERE pid = N`
//      (target: < 1 ms).
//
// The children die with the benchmark whatever happens: each asks the kernel
// for SIGKILL when its parent exits (PR_SET_PDEATHSIG), and the normal exit
// path kills and reaps them. It needs fork() and a few thousand file
// descriptors; it raises RLIMIT_NOFILE/RLIMIT_NPROC itself when it can.
//
// Usage: processes_bench [--warden=PATH] [--extra-processes=N]
//                        [--extra-sockets=N] [--rounds=N] [--benchmark_...]
// Without --warden it uses $WARDEN_BIN, else the `warden` next to the
// bench/ directory holding this program (build-dir/warden).
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/host_fs.h"
#include "sql/sql_engine.h"
#include "sql/table.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string warden;
  int extra_processes = 2000;
  int extra_sockets = 1000;
  int rounds = 15;
};

// Children that do nothing but exist. Killed and reaped on destruction; the
// kernel kills them too if this process dies first.
class IdleChildren {
 public:
  explicit IdleChildren(int count) {
    pids_.reserve(static_cast<size_t>(count));
    const pid_t parent = ::getpid();
    for (int i = 0; i < count; ++i) {
      pid_t pid = ::fork();
      if (pid < 0) {
        std::fprintf(stderr, "fork failed after %d children: %s\n", i, std::strerror(errno));
        break;
      }
      if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(0);  // the parent died before prctl
        for (;;) ::pause();
      }
      pids_.push_back(pid);
    }
  }
  ~IdleChildren() {
    for (pid_t pid : pids_) ::kill(pid, SIGKILL);
    for (pid_t pid : pids_) ::waitpid(pid, nullptr, 0);
  }
  IdleChildren(const IdleChildren&) = delete;
  IdleChildren& operator=(const IdleChildren&) = delete;
  const std::vector<pid_t>& pids() const { return pids_; }

 private:
  std::vector<pid_t> pids_;
};

// Listening sockets on 127.0.0.1 (ephemeral ports), closed on destruction.
class Listeners {
 public:
  explicit Listeners(int count) {
    for (int i = 0; i < count; ++i) {
      bool udp = i % 4 == 3;
      int fd = ::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        std::fprintf(stderr, "socket failed after %d sockets: %s\n", i, std::strerror(errno));
        break;
      }
      fds_.push_back(fd);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
          (!udp && ::listen(fd, 16) != 0)) {
        std::fprintf(stderr, "bind/listen failed: %s\n", std::strerror(errno));
        break;
      }
    }
  }
  ~Listeners() {
    for (int fd : fds_) ::close(fd);
  }
  Listeners(const Listeners&) = delete;
  Listeners& operator=(const Listeners&) = delete;
  size_t size() const { return fds_.size(); }

 private:
  std::vector<int> fds_;
};

void RaiseLimits(const Options& o) {
  rlimit nofile{};
  ::getrlimit(RLIMIT_NOFILE, &nofile);
  rlim_t want = static_cast<rlim_t>(o.extra_sockets) + 256;
  if (nofile.rlim_cur < want) {
    nofile.rlim_cur = want;
    if (nofile.rlim_max < want) nofile.rlim_max = want;  // works as root
    ::setrlimit(RLIMIT_NOFILE, &nofile);
  }
  rlimit nproc{};
  ::getrlimit(RLIMIT_NPROC, &nproc);
  nproc.rlim_cur = nproc.rlim_max;
  ::setrlimit(RLIMIT_NPROC, &nproc);
}

struct CommandTime {
  double wall_ms = -1;  // negative: the command could not run or failed
  double cpu_ms = -1;   // user + system time of the command (all its threads)
};

// Runs argv with stdout and stderr on /dev/null and measures it.
CommandTime TimeCommand(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto start = Clock::now();
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  CommandTime t;
  if (rc != 0) return t;
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  double wall = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return t;
  auto ms = [](const timeval& tv) { return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0; };
  t.wall_ms = wall;
  t.cpu_ms = ms(usage.ru_utime) + ms(usage.ru_stime);
  return t;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Comparison {
  std::string name;
  std::string tool;
  std::vector<double> warden_ms, tool_ms;          // wall time
  std::vector<double> warden_cpu_ms, tool_cpu_ms;  // user + system time
};
std::vector<Comparison> g_comparisons;
std::vector<double> g_by_pid_us;
Options g_options;

// One round = both commands once, the order alternating between rounds so
// neither always runs with the other's warm caches.
void BM_SideBySide(benchmark::State& state, std::vector<std::string> warden_argv,
                   std::vector<std::string> tool_argv, size_t slot) {
  Comparison& c = g_comparisons[slot];
  bool warden_first = true;
  for (auto _ : state) {
    CommandTime w, t;
    if (warden_first) {
      w = TimeCommand(warden_argv);
      t = TimeCommand(tool_argv);
    } else {
      t = TimeCommand(tool_argv);
      w = TimeCommand(warden_argv);
    }
    warden_first = !warden_first;
    if (w.wall_ms < 0 || t.wall_ms < 0) {
      std::string error = (w.wall_ms < 0 ? std::string("warden") : c.tool) + " failed to run";
      state.SkipWithError(error.c_str());
      break;
    }
    c.warden_ms.push_back(w.wall_ms);
    c.tool_ms.push_back(t.wall_ms);
    c.warden_cpu_ms.push_back(w.cpu_ms);
    c.tool_cpu_ms.push_back(t.cpu_ms);
  }
  if (c.warden_ms.empty()) return;
  state.counters["warden_ms"] = Median(c.warden_ms);
  state.counters[c.tool + "_ms"] = Median(c.tool_ms);
  state.counters["ratio"] = Median(c.warden_ms) / Median(c.tool_ms);
  state.counters["cpu_ratio"] = Median(c.warden_cpu_ms) / Median(c.tool_cpu_ms);
}

void BM_ProcessesWherePid(benchmark::State& state, pid_t pid) {
  warden::TableRegistry registry;
  warden::RegisterBuiltinTables(registry);
  warden::HostFs fs("/");
  auto engine = warden::SqlEngine::Open(&registry, &fs);
  if (!engine.ok()) {
    state.SkipWithError(engine.status().message().c_str());
    return;
  }
  const std::string sql = "SELECT * FROM processes WHERE pid = " + std::to_string(pid);
  for (auto _ : state) {
    auto start = Clock::now();
    auto r = (*engine)->Query(sql);
    g_by_pid_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!r.ok() || r->rows.size() != 1) {
      state.SkipWithError("the query did not return the process");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
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

// Takes our flags out of argv (Google Benchmark rejects unknown ones).
Options ParseOptions(int* argc, char** argv) {
  Options o;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      size_t n = std::strlen(flag);
      return a.compare(0, n, flag) == 0 ? argv[i] + n : nullptr;
    };
    if (const char* v = value("--warden=")) {
      o.warden = v;
    } else if (const char* p = value("--extra-processes=")) {
      o.extra_processes = std::atoi(p);
    } else if (const char* s = value("--extra-sockets=")) {
      o.extra_sockets = std::atoi(s);
    } else if (const char* r = value("--rounds=")) {
      o.rounds = std::max(1, std::atoi(r));
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  if (o.warden.empty()) o.warden = FindWarden(argv[0]);
  return o;
}

// The first field of /proc/loadavg: wall times mean little on a busy machine.
std::string LoadAverage() {
  char buf[64] = {};
  FILE* f = std::fopen("/proc/loadavg", "r");
  if (f == nullptr) return "?";
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string text(buf, n);
  return text.substr(0, text.find(' '));
}

void PrintSummary() {
  std::printf("\nSide by side (medians over the rounds; load average %s):\n",
              LoadAverage().c_str());
  for (const auto& c : g_comparisons) {
    if (c.warden_ms.empty()) continue;
    double w = Median(c.warden_ms), t = Median(c.tool_ms);
    double wc = Median(c.warden_cpu_ms), tc = Median(c.tool_cpu_ms);
    std::printf("  %-16s wall: warden %6.1f ms, %-2s %6.1f ms, ratio %.2f (target <= 1.0) %s\n",
                c.name.c_str(), w, c.tool.c_str(), t, w / t, w / t <= 1.0 ? "ok" : "MISSED");
    std::printf("  %-16s cpu:  warden %6.1f ms, %-2s %6.1f ms, ratio %.2f\n", "", wc,
                c.tool.c_str(), tc, wc / tc);
  }
  if (!g_by_pid_us.empty()) {
    double us = Median(g_by_pid_us);
    std::printf("  processes WHERE pid = N, in-process: %.0f us (target < 1000 us) %s\n", us,
                us < 1000 ? "ok" : "MISSED");
  }
}

}  // namespace

int main(int argc, char** argv) {
  g_options = ParseOptions(&argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  if (g_options.warden.empty() || ::access(g_options.warden.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "warden binary not found: pass --warden=PATH or set WARDEN_BIN\n");
    return 2;
  }
  RaiseLimits(g_options);

  // Children first, so they do not inherit the listening sockets.
  IdleChildren children(g_options.extra_processes);
  Listeners listeners(g_options.extra_sockets);
  std::printf("warden: %s\nextra processes: %zu, extra listening sockets: %zu\n",
              g_options.warden.c_str(), children.pids().size(), listeners.size());

  g_comparisons.resize(3);
  g_comparisons[0].name = "processes";
  g_comparisons[0].tool = "ps";
  g_comparisons[1].name = "listening_ports";
  g_comparisons[1].tool = "ss";
  g_comparisons[2].name = "processes, ps's columns";
  g_comparisons[2].tool = "ps";
  benchmark::RegisterBenchmark(
      "processes/warden_vs_ps", BM_SideBySide,
      std::vector<std::string>{g_options.warden, "query", "SELECT * FROM processes"},
      std::vector<std::string>{"ps", "-eo", "pid,ppid,user,stat,etime,time,rss,vsz,comm,args"},
      size_t{0})
      ->Iterations(g_options.rounds)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(
      "listening_ports/warden_vs_ss", BM_SideBySide,
      std::vector<std::string>{g_options.warden, "query", "SELECT * FROM listening_ports"},
      std::vector<std::string>{"ss", "-ltnup"}, size_t{1})
      ->Iterations(g_options.rounds)
      ->Unit(benchmark::kMillisecond);
  // The same data ps prints (pid, ppid, user, state, start, cpu time, rss,
  // vsz, name, arguments), asked of Warden: what a user replacing ps runs.
  benchmark::RegisterBenchmark(
      "processes_ps_columns/warden_vs_ps", BM_SideBySide,
      std::vector<std::string>{
          g_options.warden, "query",
          "SELECT pid, parent, uid, state, start_time, user_time, system_time, "
          "resident_size, total_size, name, cmdline FROM processes"},
      std::vector<std::string>{"ps", "-eo", "pid,ppid,user,stat,etime,time,rss,vsz,comm,args"},
      size_t{2})
      ->Iterations(g_options.rounds)
      ->Unit(benchmark::kMillisecond);
  pid_t probe = children.pids().empty() ? ::getpid() : children.pids().back();
  benchmark::RegisterBenchmark("processes/where_pid_in_process", BM_ProcessesWherePid, probe)
      ->Unit(benchmark::kMicrosecond);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  PrintSummary();
  return 0;
}
