#include "detectors/schedule_spec.h"

namespace warden {

namespace {

std::string FormatDuration(int64_t seconds) {
  if (seconds % 86400 == 0) return std::to_string(seconds / 86400) + "d";
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

std::string TwoDigits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

}  // namespace

std::string ScheduleSpec::Describe() const {
  if (kind == Kind::kInterval) {
    std::string s = "every " + FormatDuration(interval_seconds);
    if (splay_percent > 0) s += " (splay " + std::to_string(splay_percent) + "%)";
    return s;
  }
  std::string s = "daily at ";
  for (size_t i = 0; i < daily_minutes.size(); ++i) {
    if (i) s += ", ";
    s += TwoDigits(daily_minutes[i] / 60) + ":" + TwoDigits(daily_minutes[i] % 60);
  }
  return s + (utc ? " UTC" : " local time");
}

}  // namespace warden
