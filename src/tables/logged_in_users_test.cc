// Tests of logged_in_users over utmp files built at run time with glibc's
// struct utmp, and a live cross-check against who.
#include <gtest/gtest.h>
#include <utmp.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/strings.h"
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

// One record in glibc's own struct layout.
std::string Utmp(short type, pid_t pid, const std::string& line, const std::string& user,
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

// A utmp like a small server's: boot and runlevel records (init's, pid 1
// for the runlevel), a getty waiting, two sessions, one closed session.
std::string ServerUtmp() {
  return Utmp(BOOT_TIME, 0, "~", "reboot", "6.1.0-13-amd64", 1700000000) +
         Utmp(RUN_LVL, 1, "~", "runlevel", "6.1.0-13-amd64", 1700000001) +
         Utmp(LOGIN_PROCESS, 612, "tty1", "LOGIN", "", 1700000002) +
         Utmp(USER_PROCESS, 2001, "pts/0", "alice", "203.0.113.7", 1700000100) +
         Utmp(USER_PROCESS, 2002, "pts/1", "bob", "", 1700000200) +
         Utmp(DEAD_PROCESS, 1999, "pts/2", "", "", 1700000050);
}

TEST(LoggedInUsersTableTest, ReportsEachUtmpRecordWithOsqueryTypeNames) {
  TempDir root;
  root.WriteFile("var/run/utmp", ServerUtmp());
  SqlFixture db(root.path());
  auto r = db.Query("SELECT * FROM logged_in_users");
  // The pid-1 runlevel record is left out, as in osquery.
  EXPECT_EQ(ColumnText(r, "type"),
            (std::vector<std::string>{"boot_time", "login", "user", "user", "dead"}));
  ASSERT_EQ(r.rows.size(), 5u);
  EXPECT_EQ(TextCell(r, 2, "user"), "alice");
  EXPECT_EQ(TextCell(r, 2, "tty"), "pts/0");
  EXPECT_EQ(TextCell(r, 2, "host"), "203.0.113.7");
  EXPECT_EQ(IntCell(r, 2, "time"), 1700000100);
  EXPECT_EQ(IntCell(r, 2, "pid"), 2001);
}

TEST(LoggedInUsersTableTest, ReadsRunUtmpWhenVarRunHasNone) {
  TempDir root;
  root.WriteFile("run/utmp", Utmp(USER_PROCESS, 7, "pts/9", "carol", "", 5));
  SqlFixture db(root.path());
  auto r = db.Query("SELECT user FROM logged_in_users");
  EXPECT_EQ(ColumnText(r, "user"), (std::vector<std::string>{"carol"}));
}

TEST(LoggedInUsersTableTest, TruncatedLastRecordIsIgnored) {
  TempDir root;
  std::string bytes = Utmp(USER_PROCESS, 7, "pts/0", "alice", "", 5);
  root.WriteFile("var/run/utmp", bytes + bytes.substr(0, 200));
  SqlFixture db(root.path());
  EXPECT_EQ(db.Query("SELECT * FROM logged_in_users").rows.size(), 1u);
}

TEST(LoggedInUsersTableTest, UnknownTypeValueIsNamedUnknown) {
  TempDir root;
  root.WriteFile("var/run/utmp", Utmp(42, 7, "pts/0", "x", "", 5));
  SqlFixture db(root.path());
  auto r = db.Query("SELECT type FROM logged_in_users");
  EXPECT_EQ(ColumnText(r, "type"), (std::vector<std::string>{"unknown"}));
}

TEST(LoggedInUsersTableTest, NoUtmpFileIsZeroRows) {
  TempDir root;
  SqlFixture db(root.path());
  EXPECT_TRUE(db.Query("SELECT * FROM logged_in_users").rows.empty());
}

// who(1) lists the USER_PROCESS records of the same file.
TEST(LoggedInUsersTableLiveTest, UserSessionsMatchWho) {
  CommandResult who = RunCommand({"who"});
  ASSERT_EQ(who.exit_code, 0) << who.err;
  std::vector<std::string> expected;
  for (std::string_view line : SplitString(who.out, '\n')) {
    auto words = SplitWhitespace(line);
    if (words.size() >= 2) expected.push_back(std::string(words[0]) + " " + std::string(words[1]));
  }
  SqlFixture db;
  auto r = db.Query("SELECT user, tty FROM logged_in_users WHERE type = 'user'");
  std::vector<std::string> actual;
  for (size_t i = 0; i < r.rows.size(); ++i)
    actual.push_back(TextCell(r, i, "user") + " " + TextCell(r, i, "tty"));
  std::sort(expected.begin(), expected.end());
  std::sort(actual.begin(), actual.end());
  EXPECT_EQ(actual, expected);
}

}  // namespace
}  // namespace warden::testing
