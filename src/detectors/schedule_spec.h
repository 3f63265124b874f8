// ScheduleSpec says when a scheduled job runs: every `interval` seconds plus
// a random splay, or at fixed times of day. Detectors declare their default
// one; the agent's config may override it (and gives one to each query).
// This file only describes a schedule; computing run times is the agent's
// job_schedule.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace warden {

struct ScheduleSpec {
  enum class Kind { kInterval, kDaily };
  Kind kind = Kind::kInterval;
  int64_t interval_seconds = 3600;
  // Each run is delayed by a random 0..splay_percent% of the interval, so a
  // fleet started together does not hit the same servers at once.
  int splay_percent = 10;
  std::vector<int> daily_minutes;  // minutes after midnight, sorted, unique
  bool utc = true;                 // daily times in UTC (true) or local time
  // Run soon after the agent starts when no earlier run is on record (or the
  // last one is older than the interval / a daily slot was missed).
  bool run_at_start = true;
  // "every 5m (splay 10%)" / "daily at 03:00, 15:30 UTC"
  std::string Describe() const;
};

}  // namespace warden
