// When a scheduled job (a detector rule, a scheduled query, the status
// heartbeat) runs next. Pure functions of the schedule, the clock and the
// job's last recorded start, so every rule about splay, catch-up after a
// restart and daily times is tested without waiting. Times are epoch
// milliseconds. The random splay comes from a caller-owned generator.
// This file does not run anything; the agent's main loop does.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "agent/agent_config.h"

namespace warden {

// Jitter, at most this much, before the first run after start-up, so the
// first runs of several jobs do not all start in the same millisecond.
inline constexpr int64_t kStartJitterMs = 2000;

// The first due time after the agent starts at now_ms. `last_start_ms` is the
// job's last recorded start (kept in the state store across restarts):
//   interval: a job that ran less than an interval ago waits for the rest of
//   it (plus splay); one that never ran, or is overdue, runs within
//   kStartJitterMs when run_at_start, else after one interval.
//   daily: the next time of day, or within kStartJitterMs when run_at_start
//   and the last run is older than the most recent time of day (a missed run).
int64_t FirstDueTime(const ScheduleSpec& spec, int64_t now_ms, std::optional<int64_t> last_start_ms,
                     std::mt19937_64& rng);

// The due time after a run that started at started_ms (interval: started +
// interval + random splay; daily: the next time of day after started_ms).
int64_t NextDueTime(const ScheduleSpec& spec, int64_t started_ms, std::mt19937_64& rng);

// The first time-of-day slot strictly after after_ms (UTC or local time).
int64_t NextDailySlot(const ScheduleSpec& spec, int64_t after_ms);
// The latest slot at or before at_ms.
int64_t PreviousDailySlot(const ScheduleSpec& spec, int64_t at_ms);

}  // namespace warden
