// Tests of user_groups over the fixture passwd/group, and a live cross-check
// against id -G.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "tables/query_rows_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

std::vector<std::string> GidsOf(SqlFixture& db, int64_t uid) {
  auto r = db.Query("SELECT gid FROM user_groups WHERE uid = " + std::to_string(uid));
  return ColumnText(r, "gid");
}

TEST(UserGroupsTableTest, PrimaryGroupFirstThenSupplementaryMemberships) {
  SqlFixture db(FixturePath("user/root"));
  // alice: primary 1000; member of adm (4), sudo (27) and docker (999).
  EXPECT_EQ(GidsOf(db, 1000), (std::vector<std::string>{"1000", "4", "27", "999"}));
  // bob: sudo and docker; "wheel" (also gid 27) lists carol only.
  EXPECT_EQ(GidsOf(db, 1001), (std::vector<std::string>{"1001", "27", "999"}));
  EXPECT_EQ(GidsOf(db, 1002), (std::vector<std::string>{"1002", "27"}));
}

TEST(UserGroupsTableTest, DuplicateUidIsListedOnceForItsFirstAccount) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT count(*) AS n FROM user_groups WHERE uid = 0");
  EXPECT_EQ(IntCell(r, 0, "n"), 1);
  r = db.Query("SELECT uid FROM user_groups");
  std::vector<std::string> uids = ColumnText(r, "uid");
  EXPECT_EQ(std::count(uids.begin(), uids.end(), "0"), 1);
}

TEST(UserGroupsTableTest, JoinsWithUsersAndGroupsByName) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query(
      "SELECT g.groupname FROM users u JOIN user_groups ug USING (uid) "
      "JOIN groups g ON g.gid = ug.gid WHERE u.username = 'bob' ORDER BY g.groupname");
  EXPECT_EQ(ColumnText(r, "groupname"), (std::vector<std::string>{"bob", "docker", "sudo"}));
}

// `id -G USER` asks getgrouplist(3), the call osquery's table is built on.
TEST(UserGroupsTableLiveTest, MatchesIdGroupsForEveryUser) {
  SqlFixture db;
  auto users = db.Query("SELECT uid, username FROM users");
  ASSERT_FALSE(users.rows.empty());
  std::set<int64_t> seen_uids;
  for (size_t i = 0; i < users.rows.size(); ++i) {
    // A second account with a taken uid is not listed (see above).
    if (!seen_uids.insert(IntCell(users, i, "uid")).second) continue;
    std::string name = TextCell(users, i, "username");
    CommandResult id = RunCommand({"id", "-G", name});
    ASSERT_EQ(id.exit_code, 0) << name << ": " << id.err;
    std::set<std::string> expected;
    for (std::string_view g : SplitWhitespace(id.out)) expected.emplace(g);
    auto gids = GidsOf(db, IntCell(users, i, "uid"));
    std::set<std::string> actual(gids.begin(), gids.end());
    EXPECT_EQ(actual, expected) << name;
  }
}

}  // namespace
}  // namespace warden::testing
