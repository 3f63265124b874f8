#include "agent/resource_monitor.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "agent/scheduled_query.h"

namespace warden {

int64_t ProcessCpuMs() {
  FILE* f = std::fopen("/proc/self/stat", "re");
  if (!f) return 0;
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  // Fields after the command name (which may contain spaces) start after ')'.
  const char* p = std::strrchr(buf, ')');
  if (!p) return 0;
  unsigned long long utime = 0, stime = 0;
  // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) !=
      2)
    return 0;
  const long ticks = sysconf(_SC_CLK_TCK);
  return static_cast<int64_t>((utime + stime) * 1000 /
                              static_cast<unsigned long long>(ticks > 0 ? ticks : 100));
}

namespace {

void ReadStatus(ResourceUsage* u) {
  FILE* f = std::fopen("/proc/self/status", "re");
  if (!f) return;
  char line[256];
  while (std::fgets(line, sizeof line, f)) {
    long long v = 0;
    if (std::sscanf(line, "VmHWM: %lld kB", &v) == 1)
      u->peak_rss_bytes = v * 1024;
    else if (std::sscanf(line, "Threads: %lld", &v) == 1)
      u->threads = v;
  }
  std::fclose(f);
}

double Percent(int64_t cpu_ms, int64_t wall_ms) {
  return wall_ms > 0 ? 100.0 * static_cast<double>(cpu_ms) / static_cast<double>(wall_ms) : 0.0;
}

}  // namespace

ResourceMonitor::ResourceMonitor() = default;

ResourceUsage ResourceMonitor::Sample(int64_t now_ms) {
  const int64_t cpu = ProcessCpuMs();
  points_.push_back({now_ms, cpu});
  while (points_.size() > 2 && points_.front().at_ms < now_ms - 60000) points_.pop_front();
  ResourceUsage u;
  u.cpu_ms_total = cpu;
  u.rss_bytes = CurrentRssBytes();
  ReadStatus(&u);
  const Point& oldest = points_.front();
  u.cpu_percent_1m = Percent(cpu - oldest.cpu_ms, now_ms - oldest.at_ms);
  const Point* p10 = &points_.front();
  for (const Point& p : points_)
    if (p.at_ms <= now_ms - 10000) p10 = &p;
  u.cpu_percent_10s = Percent(cpu - p10->cpu_ms, now_ms - p10->at_ms);
  std::lock_guard<std::mutex> lock(mu_);
  last_ = u;
  return u;
}

}  // namespace warden
