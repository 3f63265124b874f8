// Tests of shell_history over the fixture homes: bash timestamps, zsh
// extended history, multi-line and metafied zsh commands.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tables/home_trap_test_util.h"
#include "tables/query_rows_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

TEST(ShellHistoryTableTest, BashTimestampCommentsDateTheNextCommand) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT time, command, history_file FROM shell_history WHERE uid = 1000");
  EXPECT_EQ(ColumnText(r, "command"),
            (std::vector<std::string>{"ls -la", "sudo systemctl restart nginx",
                                      "curl http://example.com/install.sh | sh", "echo plain"}));
  EXPECT_EQ(ColumnText(r, "time"),
            (std::vector<std::string>{"0", "1700000000", "1700000100", "0"}));
  ASSERT_FALSE(r.rows.empty());
  EXPECT_EQ(TextCell(r, 0, "history_file"), "/home/alice/.bash_history");
}

TEST(ShellHistoryTableTest, ZshExtendedHistoryGivesTimeAndWholeCommands) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT time, command FROM shell_history WHERE uid = 1001");
  EXPECT_EQ(ColumnText(r, "command"),
            (std::vector<std::string>{"git status", "for f in *; do\necho $f\ndone",
                                      "echo a\xe2\x80\x94"
                                      "b",  // em dash, un-metafied
                                      "make install"}));
  EXPECT_EQ(ColumnText(r, "time"),
            (std::vector<std::string>{"1700000200", "1700000300", "1700000400", "0"}));
}

TEST(ShellHistoryTableTest, ReadsEveryUsersHistoryFiles) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT DISTINCT uid, history_file FROM shell_history ORDER BY uid");
  EXPECT_EQ(ColumnText(r, "history_file"),
            (std::vector<std::string>{"/root2/.bash_history", "/home/alice/.bash_history",
                                      "/home/bob/.zsh_history", "/home/carol/.sh_history"}));
}

TEST(ShellHistoryTableTest, UidConstraintCoversEveryAccountWithThatUid) {
  SqlFixture db(FixturePath("user/root"));
  // root's /root has no history; toor, the second uid-0 account, does.
  auto r = db.Query("SELECT command FROM shell_history WHERE uid = 0");
  EXPECT_EQ(ColumnText(r, "command"), (std::vector<std::string>{"id", "useradd -o -u 0 toor"}));
}

TEST(ShellHistoryTableTest, OddLinesAreCommandsWithoutTime) {
  TempDir root;
  root.WriteFile("etc/passwd", "u:x:5:5::/home/u:/bin/sh\n");
  // A lone timestamp at the end, a zsh-looking line with a too-long time,
  // a comment that is not a timestamp, CRLF endings.
  root.WriteFile("home/u/.bash_history", "#12ab\r\n: 123456789012:0;x\necho ok\r\n#1700000000\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT time, command FROM shell_history");
  EXPECT_EQ(ColumnText(r, "command"),
            (std::vector<std::string>{"#12ab", ": 123456789012:0;x", "echo ok"}));
  EXPECT_EQ(ColumnText(r, "time"), (std::vector<std::string>{"0", "0", "0"}));
}

TEST(ShellHistoryTableTest, UserWithoutHistoryFilesHasNoRows) {
  SqlFixture db(FixturePath("user/root"));
  EXPECT_TRUE(db.Query("SELECT * FROM shell_history WHERE uid = 65534").rows.empty());
}

TEST(ShellHistoryTableTest, HistorySymlinkedOutOfTheHomeIsNotRead) {
  HomeTrapRoot root;
  root.Symlink("/etc/shadow", "home/u/.bash_history");
  root.Symlink("../../etc/shadow", "home/u/.zsh_history");
  root.Symlink("/etc", "home/u/.bash_sessions");
  root.Write("etc/x.history", std::string(kShadowLine) + "\n");
  auto r = root.QueryWithoutHanging("SELECT command FROM shell_history");
  EXPECT_TRUE(r.rows.empty()) << ColumnText(r, "command")[0];
}

TEST(ShellHistoryTableTest, HistorySymlinkInsideTheHomeIsRead) {
  HomeTrapRoot root;
  root.Write("home/u/dotfiles/bash_history", "echo from-dotfiles\n");
  root.Symlink("dotfiles/bash_history", "home/u/.bash_history");
  auto r = root.QueryWithoutHanging("SELECT command FROM shell_history");
  EXPECT_EQ(ColumnText(r, "command"), std::vector<std::string>{"echo from-dotfiles"});
}

TEST(ShellHistoryTableTest, FifoHistoryIsSkippedWithoutBlocking) {
  HomeTrapRoot root;
  root.Fifo("home/u/.bash_history");
  root.Write("home/u/.zsh_history", ": 1700000000:0;echo zsh\n");
  auto r = root.QueryWithoutHanging("SELECT command FROM shell_history");
  EXPECT_EQ(ColumnText(r, "command"), std::vector<std::string>{"echo zsh"});
}

}  // namespace
}  // namespace warden::testing
