// ResourceMonitor is how the agent measures itself: CPU time used (user +
// system, all threads, from /proc/self/stat) turned into a percentage of one
// core over the last 10 s and the last minute, and resident memory (current
// and peak, /proc/self/status). The agent samples it on its main loop every
// few seconds; the limits (limits: in the config) are enforced by the agent,
// not here. Reads /proc directly: this is the agent's own process, not host
// state, so it does not go through HostFs. Sample from one thread; last()
// may be read from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>

namespace warden {

struct ResourceUsage {
  double cpu_percent_10s = 0;  // of one core
  double cpu_percent_1m = 0;
  int64_t cpu_ms_total = 0;  // since the process started
  int64_t rss_bytes = 0;
  int64_t peak_rss_bytes = 0;
  int64_t threads = 0;
};

class ResourceMonitor {
 public:
  ResourceMonitor();
  // Takes a sample at monotonic time now_ms and returns the current figures.
  ResourceUsage Sample(int64_t now_ms);
  ResourceUsage last() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }

 private:
  struct Point {
    int64_t at_ms;
    int64_t cpu_ms;
  };
  std::deque<Point> points_;
  mutable std::mutex mu_;
  ResourceUsage last_;
};

// CPU time (user + system) of this process in milliseconds.
int64_t ProcessCpuMs();

}  // namespace warden
