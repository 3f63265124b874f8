// What the host event collector costs the host, measured the way a user
// would notice it:
//
//   1. Live (root, eBPF): a fork/exec loop (--exec-iterations, default 20000,
//      split over --workers threads each spawning /bin/true and waiting for
//      it) and a TCP connect loop to a local listener (--connect-iterations,
//      default 20000), each run without and with the collector, alternating
//      which goes first, --rounds times. The collector runs as it does in
//      `warden events watch` (eBPF, process table, the built-in rules, the
//      event journal) in a child process, so its CPU and memory are its own
//      and its in-kernel self-filter does not hide the workload. Reported: the
//      median wall-time ratio (target: <= 1.03 on the exec loop), events per
//      second the collector processed, drops (target: 0), the collector's CPU
//      as a percentage of one core and its RSS. The workload's CPU time (user
//      + system, children included) is compared too: it carries the cost of
//      the BPF programs and is much less disturbed by other load on a shared
//      machine than wall time.
//   2. Capacity: the user-space half of the collector (decode + process
//      table + rules + journal) fed recorded ring-buffer records as fast as
//      it can take them, in this process. This says what the collector
//      would cost at 20,000 execs per second (3 events each: fork, exec,
//      exit) on a machine that can produce them; small VMs cannot spawn that
//      fast, so part 1 alone cannot show it. Target: < 5% of one core.
//
// Google Benchmark's fixed-iteration model does not fit a workload that must
// alternate with and without a separate collector process, so this program
// has its own main() and prints its own table.
//
// Usage: ebpf_bench [--exec-iterations=N] [--connect-iterations=N]
//                   [--workers=N] [--rounds=N] [--capacity-events=N]
//                   [--syscall-events=hooks|dispatcher|off]  (default hooks,
//                   the collector's default; dispatcher: the sys_exit
//                   tracepoint; off: exec/fork/exit hooks only)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/strings.h"
#include "ebpf/bpf/event_abi.h"
#include "ebpf/bpf_record_decoder.h"
#include "ebpf/host_event_pipeline.h"

extern char** environ;

namespace warden {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int exec_iterations = 20000;
  int connect_iterations = 20000;
  int workers = 0;  // 0: one per CPU
  int rounds = 5;
  int capacity_events = 300000;
  SyscallEventMode syscall_events = SyscallEventMode::kHooks;
};
Options g_options;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// --- workloads --------------------------------------------------------------

double ExecLoop(int iterations, int workers) {
  std::atomic<int> next{0};
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      char arg0[] = "/bin/true";
      char* argv[] = {arg0, nullptr};
      while (next.fetch_add(1) < iterations) {
        pid_t pid;
        if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) != 0) continue;
        int status;
        waitpid(pid, &status, 0);
      }
    });
  }
  for (auto& t : threads) t.join();
  return Seconds(Clock::now() - start);
}

double ConnectLoop(int iterations) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  listen(listener, 1024);
  socklen_t len = sizeof(a);
  getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  std::thread acceptor([&] {
    for (int i = 0; i < iterations; ++i) {
      int c = accept(listener, nullptr, nullptr);
      if (c >= 0) close(c);
    }
  });
  auto start = Clock::now();
  for (int i = 0; i < iterations; ++i) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    connect(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    close(s);
  }
  acceptor.join();
  double elapsed = Seconds(Clock::now() - start);
  close(listener);
  return elapsed;
}

// --- the collector, in a child process ---------------------------------------

struct Collector {
  pid_t pid = -1;
  int status_fd = -1;  // the child writes its final status JSON here
};

std::atomic<bool> g_child_stop{false};
void ChildStop(int) { g_child_stop = true; }

Collector StartCollector(const std::string& journal) {
  int ready[2], status[2];
  if (pipe(ready) != 0 || pipe(status) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(ready[0]);
    close(status[0]);
    signal(SIGTERM, ChildStop);
    HostEventPipelineOptions o;
    o.collector.allow_fallback = false;
    o.collector.syscall_events = g_options.syscall_events;
    o.journal_path = journal;
    auto p = HostEventPipeline::Start(o);
    char ok = p.ok() ? 1 : 0;
    if (!p.ok()) std::cerr << "collector: " << p.status().message() << std::endl;
    (void)!write(ready[1], &ok, 1);
    if (!p.ok()) _exit(1);
    while (!g_child_stop) (void)(*p)->Poll(std::chrono::milliseconds(100), {}, {});
    (void)(*p)->Poll(std::chrono::milliseconds(0), {}, {});
    std::string text = (*p)->StatusJson().dump();
    (void)!write(status[1], text.data(), text.size());
    _exit(0);
  }
  close(ready[1]);
  close(status[1]);
  char ok = 0;
  if (read(ready[0], &ok, 1) != 1 || ok != 1) {
    close(ready[0]);
    waitpid(pid, nullptr, 0);
    return {};
  }
  close(ready[0]);
  return {pid, status[0]};
}

nlohmann::json StopCollector(Collector& c) {
  kill(c.pid, SIGTERM);
  std::string text;
  char buf[65536];
  ssize_t n;
  while ((n = read(c.status_fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(c.status_fd);
  waitpid(c.pid, nullptr, 0);
  return nlohmann::json::parse(text, nullptr, false);
}

// utime + stime of a process, seconds.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return 0;
  auto f = SplitWhitespace(std::string_view(text).substr(close_paren + 2));
  int64_t utime = 0, stime = 0;
  if (f.size() < 13) return 0;
  ParseInt64(f[11], &utime);
  ParseInt64(f[12], &stime);
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int64_t ProcessRssKb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (StartsWith(line, field)) {
      int64_t kb = 0;
      auto f = SplitWhitespace(line);
      if (f.size() >= 2) ParseInt64(f[1], &kb);
      return kb;
    }
  return 0;
}

// CPU (user + system) this process and its reaped children have used: the
// workload's own cost, which includes the BPF programs run on its behalf and
// is far less disturbed than wall time by other load on the machine.
double WorkloadCpuSeconds() {
  double total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u{};
    getrusage(who, &u);
    total += static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
             static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  }
  return total;
}

struct LiveResult {
  std::vector<double> without, with;
  std::vector<double> cpu_without, cpu_with;
  std::vector<double> cpu_percent, events_per_second;
  uint64_t events = 0, drops = 0;
  int64_t rss_kb = 0, hwm_kb = 0, anon_kb = 0;
};

template <typename Workload>
bool RunLive(const char* name, int rounds, const std::string& journal, Workload workload,
             LiveResult* r) {
  for (int round = 0; round < rounds; ++round) {
    bool collector_first = round % 2 == 1;
    for (int leg = 0; leg < 2; ++leg) {
      bool with = (leg == 0) == collector_first;
      if (!with) {
        double cpu0 = WorkloadCpuSeconds();
        r->without.push_back(workload());
        r->cpu_without.push_back(WorkloadCpuSeconds() - cpu0);
        continue;
      }
      Collector c = StartCollector(journal);
      if (c.pid <= 0) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // start-up snapshot done
      double cpu_before = ProcessCpuSeconds(c.pid);
      double workload_cpu0 = WorkloadCpuSeconds();
      double wall = workload();
      r->cpu_with.push_back(WorkloadCpuSeconds() - workload_cpu0);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // last drain
      double cpu = ProcessCpuSeconds(c.pid) - cpu_before;
      r->rss_kb = std::max(r->rss_kb, ProcessRssKb(c.pid, "VmRSS:"));
      r->hwm_kb = std::max(r->hwm_kb, ProcessRssKb(c.pid, "VmHWM:"));
      r->anon_kb = std::max(r->anon_kb, ProcessRssKb(c.pid, "RssAnon:"));
      nlohmann::json status = StopCollector(c);
      uint64_t events = status.is_object() ? status.value("events_processed", uint64_t{0}) : 0;
      r->events += events;
      r->drops += status.is_object() ? status.value("drops_total", uint64_t{0}) : 0;
      r->with.push_back(wall);
      r->cpu_percent.push_back(100.0 * cpu / (wall + 0.6));
      r->events_per_second.push_back(static_cast<double>(events) / (wall + 0.6));
    }
    std::cerr << name << " round " << round + 1 << "/" << rounds << " done" << std::endl;
  }
  return true;
}

// The median over rounds of with[i] / without[i]: each round's two legs run
// back to back, so a ratio within a round is not moved by the machine
// speeding up or slowing down between rounds, as a ratio of medians is.
double MedianPairedRatio(const std::vector<double>& with, const std::vector<double>& without) {
  std::vector<double> ratios;
  for (size_t i = 0; i < with.size() && i < without.size(); ++i)
    if (without[i] > 0) ratios.push_back(with[i] / without[i]);
  return ratios.empty() ? 1.0 : Median(ratios);
}

void PrintLive(const char* name, int iterations, const LiveResult& r) {
  double base = Median(r.without), with = Median(r.with);
  double wall_ratio = MedianPairedRatio(r.with, r.without);
  double cpu_ratio = MedianPairedRatio(r.cpu_with, r.cpu_without);
  std::printf(
      "%-10s %6d  %7.3f s  %7.3f s  %+7.2f%%  %+7.2f%%  %7.0f/s  %8.0f  %5llu  %6.2f%%  %6lld / "
      "%lld KiB\n",
      name, iterations, base, with, 100.0 * (wall_ratio - 1), 100.0 * (cpu_ratio - 1),
      iterations / base, Median(r.events_per_second), static_cast<unsigned long long>(r.drops),
      Median(r.cpu_percent), static_cast<long long>(r.rss_kb), static_cast<long long>(r.anon_kb));
}

// --- capacity: the user-space pipeline on recorded records ------------------

// Replays raw ring-buffer records through the real decoder.
class ReplaySource : public HostEventSource {
 public:
  ReplaySource(std::vector<std::vector<uint8_t>> records, size_t total)
      : records_(std::move(records)), total_(total) {}
  Result<size_t> Poll(std::chrono::milliseconds,
                      const std::function<void(HostEvent&)>& deliver) override {
    size_t n = 0;
    HostEvent e;
    for (; n < 4096 && delivered_ < total_; ++n, ++delivered_) {
      const auto& r = records_[delivered_ % records_.size()];
      if (!DecodeBpfRecord(r.data(), r.size(), clock_, &e)) continue;
      e.pid += static_cast<int64_t>(delivered_ / records_.size()) * 3;  // fresh pids, as real churn
      e.tid = e.pid;
      deliver(e);
    }
    return n;
  }
  CollectorStatus Status() const override { return {}; }
  bool done() const { return delivered_ >= total_; }

 private:
  std::vector<std::vector<uint8_t>> records_;
  size_t total_;
  size_t delivered_ = 0;
  BootClock clock_;
};

std::vector<uint8_t> ForkRecord(uint32_t pid, uint32_t ppid) {
  wd_fork_event f{};
  f.h.kind = WD_EVENT_FORK;
  f.h.size = sizeof(f);
  f.h.pid = f.h.tid = pid;
  f.h.ppid = ppid;
  memcpy(f.h.comm, "bash", 4);
  std::vector<uint8_t> out(sizeof(f));
  memcpy(out.data(), &f, sizeof(f));
  return out;
}

std::vector<uint8_t> ExecRecord(uint32_t pid, uint32_t ppid) {
  std::vector<uint8_t> out(offsetof(wd_exec_event, data));
  wd_exec_event e{};
  e.h.kind = WD_EVENT_EXEC;
  e.h.pid = e.h.tid = pid;
  e.h.ppid = ppid;
  memcpy(e.h.comm, "true", 4);
  std::string exe("true\0bin\0usr\0", 13), file("/bin/true\0", 10), cwd("work\0", 5),
      argv("/bin/true\0--version\0", 20);
  e.exe_bytes = static_cast<uint16_t>(exe.size());
  e.filename_bytes = static_cast<uint16_t>(file.size());
  e.cwd_bytes = static_cast<uint16_t>(cwd.size());
  e.argv_bytes = static_cast<uint16_t>(argv.size());
  e.stdio[0] = e.stdio[1] = e.stdio[2] = WD_FD_CHAR;
  std::string data = exe + file + cwd + argv;
  e.h.size = static_cast<uint32_t>(out.size() + data.size());
  memcpy(out.data(), &e, out.size());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> ExitRecord(uint32_t pid, uint32_t ppid) {
  wd_exit_event x{};
  x.h.kind = WD_EVENT_EXIT;
  x.h.size = sizeof(x);
  x.h.pid = x.h.tid = pid;
  x.h.ppid = ppid;
  std::vector<uint8_t> out(sizeof(x));
  memcpy(out.data(), &x, sizeof(x));
  return out;
}

void Capacity(int events, const std::string& journal) {
  const uint32_t shell = static_cast<uint32_t>(getpid());
  std::vector<std::vector<uint8_t>> records = {
      ForkRecord(5000000, shell), ExecRecord(5000000, shell), ExitRecord(5000000, shell)};
  ReplaySource* replay = nullptr;
  HostEventPipelineOptions o;
  o.journal_path = journal;
  o.snapshot = true;
  o.source_factory = [&]() -> Result<std::unique_ptr<HostEventSource>> {
    auto s = std::make_unique<ReplaySource>(records, static_cast<size_t>(events));
    replay = s.get();
    return std::unique_ptr<HostEventSource>(std::move(s));
  };
  auto p = HostEventPipeline::Start(o);
  if (!p.ok()) {
    std::printf("capacity: %s\n", p.status().message().c_str());
    return;
  }
  timespec t0{}, t1{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  while (!replay->done()) (void)(*p)->Poll(std::chrono::milliseconds(0), {}, {});
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
  double cpu = static_cast<double>(t1.tv_sec - t0.tv_sec) +
               static_cast<double>(t1.tv_nsec - t0.tv_nsec) / 1e9;
  double per_event_us = cpu * 1e6 / events;
  double per_exec_cycle_us = per_event_us * 3;
  std::printf(
      "\nCapacity of the user-space pipeline (decode + process table + %zu rules + journal):\n",
      (*p)->rules() ? (*p)->rules()->rule_count() : size_t{0});
  std::printf(
      "  %d events (fork/exec/exit cycles) in %.3f s CPU: %.2f us/event, %.0f events/s per core\n",
      events, cpu, per_event_us, events / cpu);
  std::printf("  at 20,000 execs/s (60,000 events/s): %.2f%% of one core (target < 5%%)\n",
              per_exec_cycle_us * 20000 / 1e4);
  std::printf("  process table after churn: %zu entries (capacity %zu), %llu evictions\n",
              (*p)->process_table().size(), (*p)->process_table().capacity(),
              static_cast<unsigned long long>((*p)->process_table().evictions()));
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name, int* out) {
      std::string prefix = std::string("--") + name + "=";
      if (a.rfind(prefix, 0) == 0) *out = std::atoi(a.c_str() + prefix.size());
    };
    value("exec-iterations", &o.exec_iterations);
    value("connect-iterations", &o.connect_iterations);
    value("workers", &o.workers);
    value("rounds", &o.rounds);
    value("capacity-events", &o.capacity_events);
    if (a.rfind("--syscall-events=", 0) == 0) {
      auto mode = ParseSyscallEventMode(a.substr(17));
      if (!mode) {
        std::cerr << "ebpf_bench: --syscall-events takes hooks, dispatcher or off" << std::endl;
        return 2;
      }
      o.syscall_events = *mode;
    }
  }
  g_options = o;
  if (o.workers <= 0)
    o.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  char dir_template[] = "/tmp/warden-ebpf-bench-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  std::string journal = dir + "/events.journal";

  std::printf(
      "eBPF collector benchmark: %d rounds, alternating without/with the collector, %d exec "
      "workers\n",
      o.rounds, o.workers);
  if (geteuid() == 0) {
    LiveResult exec, conn;
    bool ok =
        RunLive(
            "exec", o.rounds, journal, [&] { return ExecLoop(o.exec_iterations, o.workers); },
            &exec) &&
        RunLive(
            "connect", o.rounds, journal, [&] { return ConnectLoop(o.connect_iterations); }, &conn);
    if (ok) {
      std::printf("\n%-10s %6s  %9s  %9s  %8s  %8s  %9s  %8s  %5s  %7s  %s\n", "workload", "iters",
                  "without", "with", "wall +", "cpu +", "rate", "events/s", "drops", "coll.cpu",
                  "collector RSS / anon");
      PrintLive("fork/exec", o.exec_iterations, exec);
      PrintLive("connect", o.connect_iterations, conn);
      std::printf(
          "(medians; wall + and cpu + are the workload's extra wall time and extra CPU time (user "
          "+ system,\n"
          " its children included) with the collector, the median of each round's with/without "
          "ratio; rate = iterations/s without it; events/s and\n"
          " coll.cpu are the collector's over the run plus its 0.6 s of start-up and drain, "
          "coll.cpu in\n"
          " %% of one core;\n"
          " RSS includes the shared, file-backed pages of the binary, ring buffer and journal,\n"
          " anon is the collector's private memory)\n");
    } else {
      std::printf("live part skipped: the eBPF collector could not start (see above)\n");
    }
  } else {
    std::printf("live part skipped: needs root\n");
  }
  Capacity(o.capacity_events, dir + "/capacity.journal");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}

}  // namespace
}  // namespace warden

int main(int argc, char** argv) { return warden::Main(argc, argv); }
