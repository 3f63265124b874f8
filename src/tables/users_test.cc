// Tests of the users table over the fixture passwd, and a live cross-check
// against getent.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "tables/query_rows_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

TEST(UsersTableTest, ListsEveryWellFormedPasswdLineInOrder) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT username FROM users");
  EXPECT_EQ(ColumnText(r, "username"),
            (std::vector<std::string>{"root", "daemon", "alice", "bob", "carol", "nfsnobody",
                                      "toor", "nobody"}));
}

TEST(UsersTableTest, ReportsPasswdFieldsAsTypedColumns) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT * FROM users WHERE username = 'alice'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(IntCell(r, 0, "uid"), 1000);
  EXPECT_EQ(IntCell(r, 0, "gid"), 1000);
  EXPECT_EQ(TextCell(r, 0, "description"), "Alice Example,,,");
  EXPECT_EQ(TextCell(r, 0, "directory"), "/home/alice");
  EXPECT_EQ(TextCell(r, 0, "shell"), "/bin/bash");
  EXPECT_EQ(TextCell(r, 0, "uuid"), "");
}

TEST(UsersTableTest, SignedColumnsReinterpretIdsAsInt32) {
  SqlFixture db(FixturePath("user/root"));
  auto r =
      db.Query("SELECT uid, gid, uid_signed, gid_signed FROM users WHERE username = 'nfsnobody'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(IntCell(r, 0, "uid"), 4294967294);
  EXPECT_EQ(IntCell(r, 0, "gid"), 4294967294);
  EXPECT_EQ(IntCell(r, 0, "uid_signed"), -2);
  EXPECT_EQ(IntCell(r, 0, "gid_signed"), -2);
}

TEST(UsersTableTest, UidLookupReturnsEveryAccountWithThatUid) {
  SqlFixture db(FixturePath("user/root"));
  // A second uid-0 account must not hide behind the first.
  auto r = db.Query("SELECT username FROM users WHERE uid = 0");
  EXPECT_EQ(ColumnText(r, "username"), (std::vector<std::string>{"root", "toor"}));
  r = db.Query("SELECT directory FROM users WHERE username = 'toor'");
  EXPECT_EQ(ColumnText(r, "directory"), (std::vector<std::string>{"/root2"}));
}

TEST(UsersTableTest, InListOfUidsReturnsEachMatch) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT username FROM users WHERE uid IN (1000, 1001, 5555) ORDER BY uid");
  EXPECT_EQ(ColumnText(r, "username"), (std::vector<std::string>{"alice", "bob"}));
}

TEST(UsersTableTest, MissingPasswdIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM users").rows.empty());
}

// getent -s files reads exactly what the table emulates (nss_files), so the
// two must agree line for line on the live host.
TEST(UsersTableLiveTest, MatchesGetentPasswdFiles) {
  CommandResult getent = RunCommand({"getent", "-s", "files", "passwd"});
  ASSERT_EQ(getent.exit_code, 0) << getent.err;
  std::vector<std::string> expected;
  for (std::string_view line : SplitString(getent.out, '\n')) {
    auto f = SplitString(line, ':');
    if (f.size() == 7) expected.push_back(std::string(f[0]) + ":" + std::string(f[2]));
  }
  ASSERT_FALSE(expected.empty());
  SqlFixture db;
  auto r = db.Query("SELECT username, uid FROM users");
  std::vector<std::string> actual;
  for (size_t i = 0; i < r.rows.size(); ++i)
    actual.push_back(TextCell(r, i, "username") + ":" + std::to_string(IntCell(r, i, "uid")));
  EXPECT_EQ(actual, expected);
}

// Every account we list is one the system's resolver knows, with that uid.
TEST(UsersTableLiveTest, EveryRowResolvesThroughGetentPasswd) {
  SqlFixture db;
  auto r = db.Query("SELECT username, uid FROM users");
  ASSERT_FALSE(r.rows.empty());
  for (size_t i = 0; i < r.rows.size(); ++i) {
    std::string name = TextCell(r, i, "username");
    CommandResult getent = RunCommand({"getent", "passwd", name});
    ASSERT_EQ(getent.exit_code, 0) << name;
    auto f = SplitString(TrimWhitespace(getent.out), ':');
    ASSERT_GE(f.size(), 3u);
    EXPECT_EQ(std::string(f[2]), std::to_string(IntCell(r, i, "uid"))) << name;
  }
}

}  // namespace
}  // namespace warden::testing
