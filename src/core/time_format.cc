#include "core/time_format.h"

#include <chrono>
#include <ctime>

#include "core/strings.h"

namespace warden {

int64_t NowEpochSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t NowEpochMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatRfc3339(int64_t epoch_seconds) {
  // Years 1970-9999 by arithmetic (every finding prints two of these; the
  // C library's gmtime and strftime cost more than the rest of a line),
  // others through the C library.
  constexpr int64_t kYear10000 = 253402300800;
  if (epoch_seconds >= 0 && epoch_seconds < kYear10000) {
    const int64_t days = epoch_seconds / 86400;
    const int64_t secs = epoch_seconds % 86400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    const int64_t z = days + 719468;
    const int64_t era = z / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    char buf[21] = "0000-00-00T00:00:00Z";
    auto put = [&](int at, int64_t value, int width) {
      for (int i = width - 1; i >= 0; --i, value /= 10)
        buf[at + i] = static_cast<char>('0' + value % 10);
    };
    put(0, year, 4);
    put(5, month, 2);
    put(8, day, 2);
    put(11, secs / 3600, 2);
    put(14, secs / 60 % 60, 2);
    put(17, secs % 60, 2);
    return std::string(buf, 20);
  }
  time_t t = static_cast<time_t>(epoch_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<int64_t> ParseRfc3339(std::string_view s) {
  // Fixed positions: YYYY-MM-DDTHH:MM:SS
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  int64_t y, mo, d, h, mi, se;
  if (!ParseInt64(s.substr(0, 4), &y) || !ParseInt64(s.substr(5, 2), &mo) ||
      !ParseInt64(s.substr(8, 2), &d) || !ParseInt64(s.substr(11, 2), &h) ||
      !ParseInt64(s.substr(14, 2), &mi) || !ParseInt64(s.substr(17, 2), &se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::string_view rest = s.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    rest.remove_prefix(i);
  }
  int64_t offset = 0;
  if (rest == "Z" || rest == "z" || rest.empty()) {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int64_t oh, om;
    if (!ParseInt64(rest.substr(1, 2), &oh) || !ParseInt64(rest.substr(4, 2), &om))
      return std::nullopt;
    offset = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  struct tm tm {};
  tm.tm_year = static_cast<int>(y - 1900);
  tm.tm_mon = static_cast<int>(mo - 1);
  tm.tm_mday = static_cast<int>(d);
  tm.tm_hour = static_cast<int>(h);
  tm.tm_min = static_cast<int>(mi);
  tm.tm_sec = static_cast<int>(se);
  return static_cast<int64_t>(timegm(&tm)) - offset;
}

}  // namespace warden
