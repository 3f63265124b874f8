// Tests of the sudoers table: rule splitting, includes, continuation lines
// and include loops.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tables/query_rows_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

std::vector<std::string> Rows(const QueryResult& r) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.rows.size(); ++i)
    out.push_back(TextCell(r, i, "source") + " | " + TextCell(r, i, "header") + " | " +
                  TextCell(r, i, "rule_details"));
  return out;
}

TEST(SudoersTableTest, SplitsRulesAndFollowsIncludesInPlace) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT * FROM sudoers");
  EXPECT_EQ(Rows(r),
            (std::vector<std::string>{
                "/etc/sudoers | Defaults | env_reset",
                "/etc/sudoers | Defaults | mail_badpass",
                "/etc/sudoers | Defaults | "
                "secure_path=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin\"",
                "/etc/sudoers | Cmnd_Alias | BACKUP = /usr/bin/rsync, /usr/bin/tar",
                "/etc/sudoers | root | ALL=(ALL:ALL) ALL",
                "/etc/sudoers | %sudo | ALL=(ALL:ALL) ALL",
                "/etc/sudoers | #include | sudoers.local",
                "/etc/sudoers.local | bob | ALL=(root) NOPASSWD: /usr/bin/systemctl restart nginx",
                "/etc/sudoers | @includedir | /etc/sudoers.d",
                // README.txt (has a '.') and old~ are ignored, as sudo does.
                "/etc/sudoers.d/alice | alice | ALL=(root) NOPASSWD: BACKUP",
            }));
}

TEST(SudoersTableTest, IncludeLoopStopsAtTheNestingLimit) {
  TempDir root;
  root.WriteFile("etc/sudoers", "root ALL=(ALL) ALL\n@include /etc/sudoers\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT count(*) AS n FROM sudoers");
  // Two rows per level, 128 levels (sudoers(5)'s limit).
  EXPECT_EQ(IntCell(r, 0, "n"), 256);
}

TEST(SudoersTableTest, IncludeWithoutTargetAndMissingIncludedFilesAreSkipped) {
  TempDir root;
  root.WriteFile("etc/sudoers",
                 "@include\n@include /etc/nope\n@includedir /etc/nodir\nx ALL=ALL\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT header FROM sudoers");
  EXPECT_EQ(ColumnText(r, "header"), (std::vector<std::string>{"@include", "@includedir", "x"}));
}

TEST(SudoersTableTest, FileEndingInsideAContinuationKeepsItsRule) {
  TempDir root;
  root.WriteFile("etc/sudoers", "alice ALL = \\\n  /bin/ls, \\");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT header, rule_details FROM sudoers");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(TextCell(r, 0, "header"), "alice");
  EXPECT_EQ(TextCell(r, 0, "rule_details"), "ALL = /bin/ls, \\");
}

TEST(SudoersTableTest, NoSudoersIsZeroRows) {
  TempDir root;
  SqlFixture db(root.path());
  EXPECT_TRUE(db.Query("SELECT * FROM sudoers").rows.empty());
}

}  // namespace
}  // namespace warden::testing
