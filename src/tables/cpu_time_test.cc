#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::SqlFixture;
using testing::TempDir;

TEST(CpuTimeTableTest, OneRowPerCoreWithoutTheTotalLine) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM cpu_time");
  EXPECT_EQ(ColumnValues(r, "core"), (std::vector<std::string>{"0", "1", "2", "3"}));
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(Int(r, 0, "user"), 451236);
  EXPECT_EQ(Int(r, 0, "nice"), 304);
  EXPECT_EQ(Int(r, 0, "system"), 128911);
  EXPECT_EQ(Int(r, 0, "idle"), 8781622);
  EXPECT_EQ(Int(r, 0, "iowait"), 11204);
  EXPECT_EQ(Int(r, 0, "softirq"), 6120);
  EXPECT_EQ(Int(r, 3, "steal"), 17);
  EXPECT_EQ(Int(r, 3, "guest"), 3);
  EXPECT_EQ(Int(r, 3, "guest_nice"), 1);
}

TEST(CpuTimeTableTest, FieldsOldKernelsLackAreZero) {
  TempDir root;
  root.WriteFile("proc/stat", "cpu  8 8 8 8 8 8 8\ncpu0 1 2 3 4 5 6 7\ncpu1 1 2\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT * FROM cpu_time");
  ASSERT_EQ(r.rows.size(), 1u);  // "cpu1 1 2" is too short to be a row
  EXPECT_EQ(Int(r, 0, "softirq"), 7);
  EXPECT_EQ(Int(r, 0, "steal"), 0);
  EXPECT_EQ(Int(r, 0, "guest_nice"), 0);
}

TEST(CpuTimeTableLiveTest, OneRowPerProcessorOfNprocAll) {
  auto nproc = testing::RunCommand({"nproc", "--all"});
  ASSERT_EQ(nproc.exit_code, 0);
  SqlFixture db;
  auto r = db.Query("SELECT core, user, idle FROM cpu_time");
  EXPECT_EQ(static_cast<int64_t>(r.rows.size()), std::stoll(nproc.out));
  for (size_t i = 0; i < r.rows.size(); ++i) {
    EXPECT_GT(Int(r, i, "user") + Int(r, i, "idle"), 0);
  }
}

}  // namespace
}  // namespace warden::system_test
