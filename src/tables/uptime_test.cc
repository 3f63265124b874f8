#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;
using testing::TempDir;

TEST(UptimeTableTest, SplitsWholeSecondsIntoDaysHoursMinutesSeconds) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM uptime");
  ASSERT_EQ(r.rows.size(), 1u);
  // /proc/uptime says 350735.47 s = 4 d 1 h 25 min 35 s.
  EXPECT_EQ(Int(r, 0, "total_seconds"), 350735);
  EXPECT_EQ(Int(r, 0, "days"), 4);
  EXPECT_EQ(Int(r, 0, "hours"), 1);
  EXPECT_EQ(Int(r, 0, "minutes"), 25);
  EXPECT_EQ(Int(r, 0, "seconds"), 35);
}

TEST(UptimeTableTest, MissingProcUptimeIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM uptime").rows.empty());
}

TEST(UptimeTableTest, MalformedProcUptimeIsAnErrorNamingTheFile) {
  TempDir root;
  root.WriteFile("proc/uptime", "not-a-number\n");
  SqlFixture db(root.path());
  EXPECT_NE(db.QueryError("SELECT * FROM uptime").find("/proc/uptime"), std::string::npos);
}

TEST(UptimeTableLiveTest, TotalSecondsLiesBetweenProcUptimeReadsAroundTheQuery) {
  auto seconds = [] {
    auto out = RunCommand({"cat", "/proc/uptime"}).out;
    return static_cast<int64_t>(std::stod(out.substr(0, out.find(' '))));
  };
  SqlFixture db;
  int64_t before = seconds();
  auto r = db.Query("SELECT total_seconds, days, hours, minutes, seconds FROM uptime");
  int64_t after = seconds();
  ASSERT_EQ(r.rows.size(), 1u);
  int64_t total = Int(r, 0, "total_seconds");
  EXPECT_GE(total, before);
  EXPECT_LE(total, after);
  EXPECT_EQ(Int(r, 0, "days") * 86400 + Int(r, 0, "hours") * 3600 + Int(r, 0, "minutes") * 60 +
                Int(r, 0, "seconds"),
            total);
}

}  // namespace
}  // namespace warden::system_test
