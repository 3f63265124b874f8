#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::SqlFixture;
using testing::TempDir;

TEST(LoadAverageTableTest, OneRowPerPeriodWithSixDecimals) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT period, average FROM load_average");
  EXPECT_EQ(ColumnValues(r, "period"), (std::vector<std::string>{"1m", "5m", "15m"}));
  EXPECT_EQ(ColumnValues(r, "average"),
            (std::vector<std::string>{"0.520000", "0.580000", "0.590000"}));
}

TEST(LoadAverageTableTest, PeriodConstraintSelectsOneRow) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT average FROM load_average WHERE period = '15m'");
  EXPECT_EQ(ColumnValues(r, "average"), (std::vector<std::string>{"0.590000"}));
}

TEST(LoadAverageTableTest, TruncatedFileIsAnError) {
  TempDir root;
  root.WriteFile("proc/loadavg", "0.10 0.20\n");
  SqlFixture db(root.path());
  EXPECT_NE(db.QueryError("SELECT * FROM load_average").find("/proc/loadavg"), std::string::npos);
}

TEST(LoadAverageTableLiveTest, AveragesAgreeWithProcLoadavg) {
  SqlFixture db;
  auto r = db.Query("SELECT period, average FROM load_average");
  const std::string loadavg = testing::RunCommand({"cat", "/proc/loadavg"}).out;
  auto fields = SplitWhitespace(loadavg);
  ASSERT_GE(fields.size(), 3u);
  ASSERT_EQ(r.rows.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    // The kernel recomputes the averages every 5 s: allow for one update.
    EXPECT_NEAR(std::stod(Text(r, i, "average")), std::stod(std::string(fields[i])), 0.5) << i;
  }
}

}  // namespace
}  // namespace warden::system_test
