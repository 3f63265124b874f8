// Tests of the groups table over the fixture group file, and a live
// cross-check against getent.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/strings.h"
#include "tables/query_rows_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

TEST(GroupsTableTest, ListsEachGidOnceWithItsFirstName) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT gid, groupname FROM groups");
  // "wheel" shares gid 27 with "sudo" and comes second; "badgid" and
  // "short" are malformed.
  EXPECT_EQ(ColumnText(r, "groupname"),
            (std::vector<std::string>{"root", "daemon", "adm", "sudo", "alice", "bob", "carol",
                                      "docker", "nfsnobody", "nogroup"}));
}

TEST(GroupsTableTest, GidSignedReinterpretsAsInt32) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT gid, gid_signed FROM groups WHERE groupname = 'nfsnobody'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(IntCell(r, 0, "gid"), 4294967294);
  EXPECT_EQ(IntCell(r, 0, "gid_signed"), -2);
}

TEST(GroupsTableTest, GidLookupAnswersLikeGetgrgid) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT groupname FROM groups WHERE gid = 27");
  EXPECT_EQ(ColumnText(r, "groupname"), (std::vector<std::string>{"sudo"}));
  EXPECT_TRUE(db.Query("SELECT * FROM groups WHERE gid = 12345").rows.empty());
}

TEST(GroupsTableTest, MissingGroupFileIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM groups").rows.empty());
}

TEST(GroupsTableLiveTest, MatchesGetentGroupFiles) {
  CommandResult getent = RunCommand({"getent", "-s", "files", "group"});
  ASSERT_EQ(getent.exit_code, 0) << getent.err;
  std::vector<std::string> expected;
  std::vector<std::string> seen_gids;
  for (std::string_view line : SplitString(getent.out, '\n')) {
    auto f = SplitString(line, ':');
    if (f.size() != 4) continue;
    std::string gid(f[2]);
    if (std::find(seen_gids.begin(), seen_gids.end(), gid) != seen_gids.end()) continue;
    seen_gids.push_back(gid);
    expected.push_back(std::string(f[0]) + ":" + gid);
  }
  ASSERT_FALSE(expected.empty());
  SqlFixture db;
  auto r = db.Query("SELECT groupname, gid FROM groups");
  std::vector<std::string> actual;
  for (size_t i = 0; i < r.rows.size(); ++i)
    actual.push_back(TextCell(r, i, "groupname") + ":" + std::to_string(IntCell(r, i, "gid")));
  EXPECT_EQ(actual, expected);
}

}  // namespace
}  // namespace warden::testing
