#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunShell;
using testing::SqlFixture;

TEST(UlimitInfoTableTest, RowsUseOsqueryNamesInOsqueryOrder) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT type FROM ulimit_info");
  EXPECT_EQ(ColumnValues(r, "type"),
            (std::vector<std::string>{"as", "core", "cpu", "data", "fsize", "locks", "memlock",
                                      "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio",
                                      "sigpending", "stack"}));
}

TEST(UlimitInfoTableTest, SoftAndHardLimitsAreTextWithUnlimited) {
  SqlFixture db(SystemRoot());
  auto r = db.Query(
      "SELECT type, soft_limit, hard_limit FROM ulimit_info WHERE type IN ('nofile', 'stack')");
  ASSERT_EQ(r.rows.size(), 2u);
  size_t nofile = *FindRow(r, "type", "nofile");
  EXPECT_EQ(Text(r, nofile, "soft_limit"), "1024");
  EXPECT_EQ(Text(r, nofile, "hard_limit"), "1048576");
  size_t stack = *FindRow(r, "type", "stack");
  EXPECT_EQ(Text(r, stack, "soft_limit"), "8388608");
  EXPECT_EQ(Text(r, stack, "hard_limit"), "unlimited");
}

TEST(UlimitInfoTableLiveTest, MatchesTheShellsInheritedLimits) {
  // A child shell inherits this process's limits.
  auto shell = RunShell("ulimit -Sn; ulimit -Hn; ulimit -Sc");
  ASSERT_EQ(shell.exit_code, 0) << shell.err;
  auto lines = Lines(shell.out);
  ASSERT_EQ(lines.size(), 3u);
  SqlFixture db;
  auto r = db.Query("SELECT type, soft_limit, hard_limit FROM ulimit_info");
  size_t nofile = *FindRow(r, "type", "nofile");
  EXPECT_EQ(Text(r, nofile, "soft_limit"), lines[0]);
  EXPECT_EQ(Text(r, nofile, "hard_limit"), lines[1]);
  // ulimit -c counts 512-byte blocks.
  size_t core = *FindRow(r, "type", "core");
  std::string core_soft = Text(r, core, "soft_limit");
  EXPECT_EQ(core_soft == "unlimited" ? core_soft : std::to_string(std::stoll(core_soft) / 512),
            lines[2]);
}

}  // namespace
}  // namespace warden::system_test
