#include "core/time_format.h"

#include <gtest/gtest.h>

#include <ctime>
#include <random>

namespace warden {
namespace {

std::string CLibrary(int64_t epoch) {
  time_t t = static_cast<time_t>(epoch);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[40];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

TEST(TimeFormatTest, Rfc3339MatchesTheCLibraryAcrossCalendarEdges) {
  std::vector<int64_t> times = {
      0,          59,         86399,        86400,        951782400, 951868799, 951868800,
      4107542400, 4107628800, 253402300799, 253402300800, -1,        -86401,    1688989338};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) times.push_back(static_cast<int64_t>(rng() % 253402300800ull));
  for (int64_t t : times) EXPECT_EQ(FormatRfc3339(t), CLibrary(t)) << t;
  for (int64_t t : times) {
    if (t >= 0 && t < 253402300800) {
      EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t) << t;
    }
  }
}

}  // namespace
}  // namespace warden
