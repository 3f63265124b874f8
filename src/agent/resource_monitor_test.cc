#include "agent/resource_monitor.h"

#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <vector>

#include "agent/scheduled_query.h"

namespace warden {
namespace {

int64_t MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t ProcessCpuNowMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// The monitor reports the CPU the process really used over the window. The
// share a busy loop gets depends on what else the machine runs (CI runs tests
// in parallel), so the test compares with the kernel's own process CPU clock
// instead of assuming a whole core.
TEST(ResourceMonitorTest, BusyLoopCpuMatchesTheProcessCpuClock) {
  ResourceMonitor m;
  const int64_t wall_start = MonotonicMs();
  const int64_t cpu_start = ProcessCpuNowMs();
  m.Sample(wall_start);
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  volatile uint64_t x = 0;
  while (std::chrono::steady_clock::now() < end) x = x + 1;
  const int64_t wall_end = MonotonicMs();
  const int64_t cpu_end = ProcessCpuNowMs();
  ResourceUsage busy = m.Sample(wall_end);
  const double expected =
      100.0 * static_cast<double>(cpu_end - cpu_start) / static_cast<double>(wall_end - wall_start);
  EXPECT_GT(expected, 10.0) << "the busy loop got almost no CPU at all";
  EXPECT_NEAR(busy.cpu_percent_10s, expected, 15.0);
  EXPECT_GE(busy.cpu_ms_total, cpu_end - cpu_start - 20);
}

TEST(ResourceMonitorTest, RssFollowsAllocations) {
  const int64_t before = CurrentRssBytes();
  ASSERT_GT(before, 0);
  std::vector<char> block(64 << 20, 1);
  const int64_t after = CurrentRssBytes();
  EXPECT_GT(after - before, 60 << 20);
  ResourceMonitor m;
  ResourceUsage u = m.Sample(MonotonicMs());
  EXPECT_GE(u.peak_rss_bytes, u.rss_bytes);
  EXPECT_GE(u.threads, 1);
  EXPECT_EQ(block[123], 1);
}

}  // namespace
}  // namespace warden
