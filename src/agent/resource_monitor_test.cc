#include "agent/resource_monitor.h"

#include <gtest/gtest.h>

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

TEST(ResourceMonitorTest, BusyLoopShowsAsCpuAndIdleDoesNot) {
  ResourceMonitor m;
  m.Sample(MonotonicMs());
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  volatile uint64_t x = 0;
  while (std::chrono::steady_clock::now() < end) x = x + 1;
  ResourceUsage busy = m.Sample(MonotonicMs());
  EXPECT_GT(busy.cpu_percent_10s, 50.0) << "a busy loop is close to one core";
  EXPECT_GT(busy.cpu_ms_total, 200);
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
