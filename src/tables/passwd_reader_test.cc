// Tests of the /etc/passwd and /etc/group parsers: fields, malformed lines,
// id ranges and getgrouplist-style membership.
#include "tables/passwd_reader.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

TEST(PasswdReaderTest, ParsesAllSevenFields) {
  auto users = ParsePasswd("alice:x:1000:1001:Alice,,,:/home/alice:/bin/bash\n");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].name, "alice");
  EXPECT_EQ(users[0].uid, 1000u);
  EXPECT_EQ(users[0].gid, 1001u);
  EXPECT_EQ(users[0].gecos, "Alice,,,");
  EXPECT_EQ(users[0].home, "/home/alice");
  EXPECT_EQ(users[0].shell, "/bin/bash");
}

TEST(PasswdReaderTest, SkipsMalformedCommentAndNisLines) {
  auto users = ParsePasswd(
      "# comment\n\n+@nis\n-bob\nshort:x:1\nbadid:x:12a:0::/:/bin/sh\n"
      "noname::x:0:0::/:/bin/sh\n:x:5:5::/:/bin/sh\nok:x:5:5::/:/bin/sh");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].name, "ok");  // last line without a newline still counts
}

TEST(PasswdReaderTest, KeepsUidsAbove2To31AndRejectsAbove32Bits) {
  auto users = ParsePasswd("a:x:4294967294:4294967295::/:/bin/sh\nb:x:4294967296:0::/:/bin/sh\n");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].uid, 4294967294u);
  EXPECT_EQ(users[0].gid, 4294967295u);
}

TEST(PasswdReaderTest, AcceptsCrlfAndLeadingBlanks) {
  auto users = ParsePasswd("  alice:x:1:2::/home/a:/bin/sh\r\n");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].name, "alice");
  EXPECT_EQ(users[0].shell, "/bin/sh");
}

TEST(PasswdReaderTest, BinaryJunkYieldsNoEntries) {
  std::string junk(4096, '\0');
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 131) % 256);
  EXPECT_TRUE(ParsePasswd(junk).empty());
  EXPECT_TRUE(ParseGroup(junk).empty());
}

TEST(GroupReaderTest, ParsesMembersTrimmingBlanks) {
  auto groups = ParseGroup("docker:x:999:bob, alice,,\nempty:x:5:\n");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].gid, 999u);
  EXPECT_EQ(groups[0].members, (std::vector<std::string>{"bob", "alice"}));
  EXPECT_TRUE(groups[1].members.empty());
}

TEST(GroupReaderTest, GroupIdsOfUserListsPrimaryFirstThenMembershipsOnce) {
  auto groups =
      ParseGroup("adm:x:4:alice\nalice:x:1000:alice\nsudo:x:27:bob,alice\ndup:x:27:alice\n");
  PasswdEntry alice;
  alice.name = "alice";
  alice.gid = 1000;
  // The primary group is not repeated although alice is listed in it, and
  // gid 27 appears once although two lines name it.
  EXPECT_EQ(GroupIdsOfUser(alice, groups), (std::vector<uint32_t>{1000, 4, 27}));
}

TEST(PasswdReaderTest, FindByUidReturnsTheFirstOfDuplicates) {
  auto users = ParsePasswd("root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root2:/bin/sh\n");
  ASSERT_NE(FindUserByUid(users, 0), nullptr);
  EXPECT_EQ(FindUserByUid(users, 0)->name, "root");
  EXPECT_EQ(FindUserByName(users, "toor")->home, "/root2");
  EXPECT_EQ(FindUserByUid(users, 7), nullptr);
}

TEST(PasswdReaderTest, MissingFilesReadAsNoAccounts) {
  HostFs fs("/nonexistent-warden-root");
  EXPECT_TRUE(ReadPasswd(fs).empty());
  EXPECT_TRUE(ReadGroup(fs).empty());
}

}  // namespace
}  // namespace warden
