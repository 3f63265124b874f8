// Tests of the last table over wtmp files built at run time with glibc's
// struct utmp.
#include <gtest/gtest.h>
#include <utmp.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "tables/query_rows_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

template <size_t N>
void CopyField(char (&field)[N], const std::string& text) {
  std::memset(field, 0, N);
  std::memcpy(field, text.data(), std::min(text.size(), N));
}

std::string Wtmp(short type, pid_t pid, const std::string& line, const std::string& user,
                 const std::string& host, int32_t sec) {
  struct utmp u;
  std::memset(&u, 0, sizeof u);
  u.ut_type = type;
  u.ut_pid = pid;
  CopyField(u.ut_line, line);
  CopyField(u.ut_user, user);
  CopyField(u.ut_host, host);
  u.ut_tv.tv_sec = sec;
  return std::string(reinterpret_cast<const char*>(&u), sizeof u);
}

// A boot, a login and its logout, a shutdown record, another login.
std::string History() {
  return Wtmp(BOOT_TIME, 0, "~", "reboot", "6.1.0", 1700000000) +
         Wtmp(USER_PROCESS, 3001, "pts/0", "alice", "198.51.100.4", 1700000100) +
         Wtmp(DEAD_PROCESS, 3001, "pts/0", "", "", 1700003700) +
         Wtmp(RUN_LVL, 0, "~", "shutdown", "6.1.0", 1700009000) +
         Wtmp(USER_PROCESS, 3002, "tty1", "root", "", 1700010000);
}

TEST(LastTableTest, ListsLoginsAndLogoutsOnlyInFileOrder) {
  TempDir root;
  root.WriteFile("var/log/wtmp", History());
  SqlFixture db(root.path());
  auto r = db.Query("SELECT * FROM last");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(ColumnText(r, "type"), (std::vector<std::string>{"7", "8", "7"}));
  EXPECT_EQ(ColumnText(r, "type_name"),
            (std::vector<std::string>{"user-process", "dead-process", "user-process"}));
  EXPECT_EQ(TextCell(r, 0, "username"), "alice");
  EXPECT_EQ(TextCell(r, 0, "tty"), "pts/0");
  EXPECT_EQ(IntCell(r, 0, "pid"), 3001);
  EXPECT_EQ(IntCell(r, 0, "time"), 1700000100);
  EXPECT_EQ(TextCell(r, 0, "host"), "198.51.100.4");
  EXPECT_EQ(IntCell(r, 1, "type"), 8);
  EXPECT_EQ(IntCell(r, 1, "time"), 1700003700);
}

TEST(LastTableTest, PartialRecordAtEndOfWtmpIsIgnored) {
  TempDir root;
  std::string bytes = History();
  root.WriteFile("var/log/wtmp", bytes + bytes.substr(384, 383));
  SqlFixture db(root.path());
  EXPECT_EQ(db.Query("SELECT * FROM last").rows.size(), 3u);
}

TEST(LastTableTest, MissingOrEmptyWtmpIsZeroRows) {
  TempDir root;
  SqlFixture db(root.path());
  EXPECT_TRUE(db.Query("SELECT * FROM last").rows.empty());
  root.WriteFile("var/log/wtmp", "");
  EXPECT_TRUE(db.Query("SELECT * FROM last").rows.empty());
}

}  // namespace
}  // namespace warden::testing
