#include "agent/job_schedule.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

ScheduleSpec Every(int64_t seconds, int splay) {
  ScheduleSpec s;
  s.interval_seconds = seconds;
  s.splay_percent = splay;
  return s;
}

TEST(JobScheduleTest, NextRunIsIntervalPlusSplayWithinBounds) {
  std::mt19937_64 rng(1);
  ScheduleSpec s = Every(100, 10);
  int64_t min = INT64_MAX, max = 0;
  for (int i = 0; i < 500; ++i) {
    int64_t next = NextDueTime(s, 1'000'000, rng);
    min = std::min(min, next);
    max = std::max(max, next);
  }
  EXPECT_GE(min, 1'000'000 + 100'000);
  EXPECT_LE(max, 1'000'000 + 110'000);
  EXPECT_GT(max - min, 5'000) << "splay should spread runs";
}

TEST(JobScheduleTest, NoSplayMeansExactInterval) {
  std::mt19937_64 rng(1);
  EXPECT_EQ(NextDueTime(Every(60, 0), 5000, rng), 65000);
}

TEST(JobScheduleTest, NeverRunJobRunsSoonAfterStart) {
  std::mt19937_64 rng(2);
  int64_t due = FirstDueTime(Every(6 * 3600, 10), 1'000'000, std::nullopt, rng);
  EXPECT_GE(due, 1'000'000);
  EXPECT_LE(due, 1'000'000 + kStartJitterMs);
}

TEST(JobScheduleTest, RecentRunIsNotRepeatedAfterRestart) {
  std::mt19937_64 rng(3);
  // Ran 1h ago with a 6h interval: next run 5h from now (plus splay).
  const int64_t now = 100'000'000;
  int64_t due = FirstDueTime(Every(6 * 3600, 0), now, now - 3600'000, rng);
  EXPECT_EQ(due, now + 5 * 3600'000);
}

TEST(JobScheduleTest, OverdueJobRunsAtStart) {
  std::mt19937_64 rng(3);
  const int64_t now = 100'000'000;
  int64_t due = FirstDueTime(Every(60, 0), now, now - 3600'000, rng);
  EXPECT_EQ(due, now);
}

TEST(JobScheduleTest, RunAtStartOffWaitsOneInterval) {
  std::mt19937_64 rng(3);
  ScheduleSpec s = Every(60, 0);
  s.run_at_start = false;
  EXPECT_EQ(FirstDueTime(s, 1000, std::nullopt, rng), 61000);
}

TEST(JobScheduleTest, DailySlotsInUtc) {
  ScheduleSpec s;
  s.kind = ScheduleSpec::Kind::kDaily;
  s.daily_minutes = {3 * 60, 15 * 60 + 30};
  // 2024-01-10T12:00:00Z = 1704888000
  EXPECT_EQ(NextDailySlot(s, 1704888000'000),
            (1704888000 + 3 * 3600 + 1800) * 1000ll);  // 15:30 same day
  EXPECT_EQ(NextDailySlot(s, (1704888000 + 4 * 3600) * 1000ll),
            (1704888000 + 15 * 3600) * 1000ll);  // 03:00 next day
  EXPECT_EQ(PreviousDailySlot(s, 1704888000'000),
            (1704888000 - 9 * 3600) * 1000ll);  // 03:00 same day
}

TEST(JobScheduleTest, DailyJobCatchesUpMissedRunOnlyWhenAsked) {
  std::mt19937_64 rng(4);
  ScheduleSpec s;
  s.kind = ScheduleSpec::Kind::kDaily;
  s.daily_minutes = {3 * 60};
  const int64_t now = 1704888000'000;  // 12:00Z, today's 03:00 slot passed
  const int64_t yesterday = now - 86400'000;
  s.run_at_start = false;
  EXPECT_EQ(FirstDueTime(s, now, yesterday, rng), (1704888000 + 15 * 3600) * 1000ll);
  s.run_at_start = true;
  EXPECT_LE(FirstDueTime(s, now, yesterday, rng), now + kStartJitterMs);
  // Already ran after today's slot: wait for tomorrow's.
  EXPECT_EQ(FirstDueTime(s, now, now - 3600'000, rng), (1704888000 + 15 * 3600) * 1000ll);
}

TEST(JobScheduleTest, DescribeSaysWhen) {
  EXPECT_EQ(Every(300, 10).Describe(), "every 5m (splay 10%)");
  ScheduleSpec d;
  d.kind = ScheduleSpec::Kind::kDaily;
  d.daily_minutes = {3 * 60 + 5};
  EXPECT_EQ(d.Describe(), "daily at 03:05 UTC");
}

}  // namespace
}  // namespace warden
