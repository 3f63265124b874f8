#include <gtest/gtest.h>

#include <ctime>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunShell;
using testing::SqlFixture;

TEST(TimeTableTest, UnixTimeIsNowAndCalendarColumnsAreItsUtcParts) {
  SqlFixture db;
  int64_t before = std::time(nullptr);
  auto r = db.Query("SELECT * FROM time");
  int64_t after = std::time(nullptr);
  ASSERT_EQ(r.rows.size(), 1u);
  int64_t now = Int(r, 0, "unix_time");
  EXPECT_GE(now, before);
  EXPECT_LE(now, after);
  // Cross-check every derived column with date(1) for the same instant.
  auto date = RunShell("LC_ALL=C date -u -d @" + std::to_string(now) +
                       " '+%A %Y %m %d %H %M %S %Y-%m-%dT%H:%M:%SZ'");
  ASSERT_EQ(date.exit_code, 0) << date.err;
  auto f = SplitWhitespace(date.out);
  ASSERT_EQ(f.size(), 8u);
  EXPECT_EQ(Text(r, 0, "weekday"), std::string(f[0]));
  EXPECT_EQ(Int(r, 0, "year"), std::stoll(std::string(f[1])));
  EXPECT_EQ(Int(r, 0, "month"), std::stoll(std::string(f[2])));
  EXPECT_EQ(Int(r, 0, "day"), std::stoll(std::string(f[3])));
  EXPECT_EQ(Int(r, 0, "hour"), std::stoll(std::string(f[4])));
  EXPECT_EQ(Int(r, 0, "minutes"), std::stoll(std::string(f[5])));
  EXPECT_EQ(Int(r, 0, "seconds"), std::stoll(std::string(f[6])));
  EXPECT_EQ(Text(r, 0, "iso_8601"), std::string(f[7]));
  EXPECT_EQ(Text(r, 0, "datetime"), std::string(f[7]));
  EXPECT_EQ(Text(r, 0, "timezone"), "UTC");
}

TEST(TimeTableTest, TimestampIsAsctimeInUtc) {
  SqlFixture db;
  auto r = db.Query("SELECT unix_time, timestamp FROM time");
  ASSERT_EQ(r.rows.size(), 1u);
  auto date = RunShell("LC_ALL=C date -u -d @" + std::to_string(Int(r, 0, "unix_time")) +
                       " '+%a %b %e %H:%M:%S %Y UTC'");
  EXPECT_EQ(Text(r, 0, "timestamp"), std::string(TrimWhitespace(date.out)));
}

TEST(TimeTableTest, LocalTimezoneIsTheProcessZone) {
  SqlFixture db;
  auto r = db.Query("SELECT local_timezone FROM time");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "local_timezone"),
            std::string(TrimWhitespace(RunShell("LC_ALL=C date +%Z").out)));
}

}  // namespace
}  // namespace warden::system_test
