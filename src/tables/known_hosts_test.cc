// Tests of known_hosts over the fixture homes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tables/home_trap_test_util.h"
#include "tables/query_rows_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

TEST(KnownHostsTableTest, OneRowPerHostLineOfEveryUser) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT uid, key, key_file FROM known_hosts");
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(ColumnText(r, "uid"), (std::vector<std::string>{"1000", "1000", "1000", "1001"}));
  EXPECT_EQ(TextCell(r, 0, "key"),
            "github.com ssh-ed25519 "
            "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");
  EXPECT_EQ(TextCell(r, 2, "key").rfind("@cert-authority *.example.com ssh-rsa", 0), 0u);
  EXPECT_EQ(TextCell(r, 0, "key_file"), "/home/alice/.ssh/known_hosts");
  // bob's home is written "/home/bob/" in passwd: no doubled slash.
  EXPECT_EQ(TextCell(r, 3, "key_file"), "/home/bob/.ssh/known_hosts");
}

TEST(KnownHostsTableTest, UidConstraintLimitsToThatUser) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT key FROM known_hosts WHERE uid = 1001");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(TextCell(r, 0, "key").rfind("[git.example.org]:2222 ", 0), 0u);
}

TEST(KnownHostsTableTest, CommentsBlanksAndMissingFilesGiveNoRows) {
  TempDir root;
  root.WriteFile("etc/passwd", "u:x:5:5::/home/u:/bin/sh\nv:x:6:6::/home/v:/bin/sh\n");
  root.WriteFile("home/u/.ssh/known_hosts", "# only a comment\n\n   \n");
  SqlFixture db(root.path());
  EXPECT_TRUE(db.Query("SELECT * FROM known_hosts").rows.empty());
}

TEST(KnownHostsTableTest, FileSymlinkedOutOfTheHomeGivesNoRows) {
  HomeTrapRoot root;
  root.Symlink("/etc/shadow", "home/u/.ssh");  // .ssh itself is not even a directory
  auto r = root.QueryWithoutHanging("SELECT key FROM known_hosts");
  EXPECT_TRUE(r.rows.empty());
  HomeTrapRoot second;
  second.Write("home/u/.ssh/.keep", "");
  second.Symlink("/etc/shadow", "home/u/.ssh/known_hosts");
  EXPECT_TRUE(second.QueryWithoutHanging("SELECT key FROM known_hosts").rows.empty());
}

TEST(KnownHostsTableTest, FifoIsSkippedWithoutBlocking) {
  HomeTrapRoot root;
  root.Write("home/u/.ssh/.keep", "");
  root.Fifo("home/u/.ssh/known_hosts");
  EXPECT_TRUE(root.QueryWithoutHanging("SELECT key FROM known_hosts").rows.empty());
}

}  // namespace
}  // namespace warden::testing
