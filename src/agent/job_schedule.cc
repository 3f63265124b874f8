#include "agent/job_schedule.h"

#include <algorithm>
#include <ctime>

namespace warden {
namespace {

int64_t SplayMs(const ScheduleSpec& spec, std::mt19937_64& rng) {
  if (spec.kind != ScheduleSpec::Kind::kInterval || spec.splay_percent <= 0) return 0;
  const int64_t window = spec.interval_seconds * 1000 * spec.splay_percent / 100;
  if (window <= 0) return 0;
  return std::uniform_int_distribution<int64_t>(0, window)(rng);
}

int64_t StartJitterMs(const ScheduleSpec& spec, std::mt19937_64& rng) {
  int64_t window = kStartJitterMs;
  if (spec.kind == ScheduleSpec::Kind::kInterval)
    window = std::min(window, spec.interval_seconds * 1000 * spec.splay_percent / 100);
  if (window <= 0) return 0;
  return std::uniform_int_distribution<int64_t>(0, window)(rng);
}

// Midnight (epoch seconds) of the day containing t, in UTC or local time.
int64_t DayStart(int64_t t, bool utc) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  if (utc)
    gmtime_r(&tt, &tm);
  else
    localtime_r(&tt, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return utc ? static_cast<int64_t>(timegm(&tm)) : static_cast<int64_t>(mktime(&tm));
}

// Epoch seconds of minute-of-day m on the day that starts at day_start. Built
// with mktime for local time so daylight-saving days land on the wall clock.
int64_t AtMinute(int64_t day_start, int minute, bool utc) {
  time_t tt = static_cast<time_t>(day_start);
  struct tm tm {};
  if (utc)
    gmtime_r(&tt, &tm);
  else
    localtime_r(&tt, &tm);
  tm.tm_hour = minute / 60;
  tm.tm_min = minute % 60;
  tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return utc ? static_cast<int64_t>(timegm(&tm)) : static_cast<int64_t>(mktime(&tm));
}

}  // namespace

int64_t NextDailySlot(const ScheduleSpec& spec, int64_t after_ms) {
  if (spec.daily_minutes.empty()) return after_ms + 86400000;
  const int64_t after = after_ms / 1000;
  int64_t day = DayStart(after, spec.utc);
  for (int d = 0; d < 3; ++d) {
    for (int m : spec.daily_minutes) {
      int64_t t = AtMinute(day, m, spec.utc);
      if (t * 1000 > after_ms) return t * 1000;
    }
    day = DayStart(AtMinute(day, 0, spec.utc) + 86400 + 7200, spec.utc);  // +2h absorbs DST shifts
  }
  return after_ms + 86400000;
}

int64_t PreviousDailySlot(const ScheduleSpec& spec, int64_t at_ms) {
  if (spec.daily_minutes.empty()) return 0;
  const int64_t at = at_ms / 1000;
  int64_t day = DayStart(at, spec.utc);
  for (int d = 0; d < 3; ++d) {
    for (auto it = spec.daily_minutes.rbegin(); it != spec.daily_minutes.rend(); ++it) {
      int64_t t = AtMinute(day, *it, spec.utc);
      if (t * 1000 <= at_ms) return t * 1000;
    }
    day = DayStart(day - 7200, spec.utc);
  }
  return 0;
}

int64_t FirstDueTime(const ScheduleSpec& spec, int64_t now_ms, std::optional<int64_t> last_start_ms,
                     std::mt19937_64& rng) {
  if (spec.kind == ScheduleSpec::Kind::kDaily) {
    const bool missed = !last_start_ms || *last_start_ms < PreviousDailySlot(spec, now_ms);
    if (spec.run_at_start && missed) return now_ms + StartJitterMs(spec, rng);
    return NextDailySlot(spec, now_ms);
  }
  const int64_t interval_ms = spec.interval_seconds * 1000;
  if (last_start_ms && *last_start_ms <= now_ms && *last_start_ms + interval_ms > now_ms)
    return *last_start_ms + interval_ms + SplayMs(spec, rng);
  if (spec.run_at_start) return now_ms + StartJitterMs(spec, rng);
  return now_ms + interval_ms + SplayMs(spec, rng);
}

int64_t NextDueTime(const ScheduleSpec& spec, int64_t started_ms, std::mt19937_64& rng) {
  if (spec.kind == ScheduleSpec::Kind::kDaily) return NextDailySlot(spec, started_ms);
  return started_ms + spec.interval_seconds * 1000 + SplayMs(spec, rng);
}

}  // namespace warden
