#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::SqlFixture;
using testing::TempDir;

TEST(MemoryInfoTableTest, ReportsMeminfoFieldsInBytes) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM memory_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Int(r, 0, "memory_total"), 16318412LL * 1024);
  EXPECT_EQ(Int(r, 0, "memory_free"), 5863904LL * 1024);
  EXPECT_EQ(Int(r, 0, "memory_available"), 11280536LL * 1024);
  EXPECT_EQ(Int(r, 0, "buffers"), 412868LL * 1024);
  EXPECT_EQ(Int(r, 0, "cached"), 5108336LL * 1024);
  EXPECT_EQ(Int(r, 0, "swap_cached"), 1024LL * 1024);
  // "Active:" only, not "Active(anon):".
  EXPECT_EQ(Int(r, 0, "active"), 6412116LL * 1024);
  EXPECT_EQ(Int(r, 0, "inactive"), 3030732LL * 1024);
  EXPECT_EQ(Int(r, 0, "swap_total"), 2097148LL * 1024);
  EXPECT_EQ(Int(r, 0, "swap_free"), 2096124LL * 1024);
}

TEST(MemoryInfoTableTest, FieldMissingFromOldKernelIsNull) {
  TempDir root;
  root.WriteFile("proc/meminfo", "MemTotal:  1000 kB\nMemFree:  500 kB\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT memory_total, memory_available FROM memory_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Int(r, 0, "memory_total"), 1024000);
  EXPECT_TRUE(Null(r, 0, "memory_available"));
}

TEST(MemoryInfoTableLiveTest, TotalsMatchFreeBytes) {
  auto free_out = testing::RunCommand({"free", "-b"});
  ASSERT_EQ(free_out.exit_code, 0) << free_out.err;
  int64_t mem_total = -1, swap_total = -1;
  for (const std::string& line : Lines(free_out.out)) {
    auto f = SplitWhitespace(line);
    if (f.size() >= 2 && f[0] == "Mem:") ParseInt64(f[1], &mem_total);
    if (f.size() >= 2 && f[0] == "Swap:") ParseInt64(f[1], &swap_total);
  }
  SqlFixture db;
  auto r = db.Query("SELECT memory_total, swap_total, memory_free FROM memory_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Int(r, 0, "memory_total"), mem_total);
  EXPECT_EQ(Int(r, 0, "swap_total"), swap_total);
  EXPECT_LE(Int(r, 0, "memory_free"), mem_total);
}

}  // namespace
}  // namespace warden::system_test
