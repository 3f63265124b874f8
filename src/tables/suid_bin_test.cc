// Tests of suid_bin over trees built at run time (git keeps no setuid bits),
// and a live cross-check against find -perm /6000.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "tables/query_rows_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

// Git does not keep setuid bits, so the tree is built at run time.
class SuidBinTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uid_ = std::to_string(getuid());
    gid_ = std::to_string(getgid());
    root_.WriteFile("etc/passwd", "owner:x:" + uid_ + ":" + gid_ + "::/:/bin/sh\n");
    root_.WriteFile("etc/group", "owners:x:" + gid_ + ":\n");
    Make("usr/bin/su", 04755);
    Make("usr/bin/wall", 02755);
    Make("usr/bin/both", 06755);
    Make("usr/bin/plain", 0755);
    Make("usr/lib/openssh/ssh-keysign", 04711);                      // nested one level down
    Make("usr/share/not-searched", 04755);                           // outside the searched roots
    ::mkdir((root_.path() + "/usr/bin/setuid-dir").c_str(), 04755);  // a directory, not a binary
  }
  void Make(const std::string& rel, mode_t mode) {
    std::string path = root_.WriteFile(rel, "#!/bin/sh\n");
    ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
  }
  TempDir root_;
  std::string uid_, gid_;
};

TEST_F(SuidBinTableTest, ListsSetuidAndSetgidFilesWithOsqueryPermissionLetters) {
  SqlFixture db(root_.path());
  auto r = db.Query("SELECT path, username, groupname, permissions FROM suid_bin ORDER BY path");
  EXPECT_EQ(ColumnText(r, "path"),
            (std::vector<std::string>{"/usr/bin/both", "/usr/bin/su", "/usr/bin/wall",
                                      "/usr/lib/openssh/ssh-keysign"}));
  EXPECT_EQ(ColumnText(r, "permissions"), (std::vector<std::string>{"SG", "S", "G", "S"}));
  for (size_t i = 0; i < r.rows.size(); ++i) {
    EXPECT_EQ(TextCell(r, i, "username"), "owner");
    EXPECT_EQ(TextCell(r, i, "groupname"), "owners");
  }
}

TEST_F(SuidBinTableTest, OwnersWithoutNamesAreShownAsNumbers) {
  ::unlink((root_.path() + "/etc/passwd").c_str());
  ::unlink((root_.path() + "/etc/group").c_str());
  SqlFixture db(root_.path());
  auto r = db.Query("SELECT DISTINCT username, groupname FROM suid_bin");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(TextCell(r, 0, "username"), uid_);
  EXPECT_EQ(TextCell(r, 0, "groupname"), gid_);
}

TEST_F(SuidBinTableTest, SymlinkedRootIsWalkedUnderItsOwnName) {
  // Merged /usr: /bin -> usr/bin. osquery lists both /bin/su and /usr/bin/su.
  ASSERT_EQ(::symlink("usr/bin", (root_.path() + "/bin").c_str()), 0);
  SqlFixture db(root_.path());
  auto r = db.Query("SELECT path FROM suid_bin WHERE path LIKE '/bin/%' ORDER BY path");
  EXPECT_EQ(ColumnText(r, "path"), (std::vector<std::string>{"/bin/both", "/bin/su", "/bin/wall"}));
}

TEST_F(SuidBinTableTest, LinksToFilesAreFollowedButLinkedDirectoriesAreNot) {
  // An absolute link resolves inside the fixture root, not on the host.
  ::mkdir((root_.path() + "/usr/sbin").c_str(), 0755);
  ASSERT_EQ(::symlink("/usr/bin/su", (root_.path() + "/usr/sbin/su-link").c_str()), 0);
  ASSERT_EQ(::symlink("/usr/bin", (root_.path() + "/usr/sbin/bin-dir-link").c_str()), 0);
  ASSERT_EQ(::symlink("loop", (root_.path() + "/usr/sbin/loop").c_str()), 0);
  ASSERT_EQ(::symlink("/nonexistent", (root_.path() + "/usr/sbin/dangling").c_str()), 0);
  SqlFixture db(root_.path());
  auto r = db.Query("SELECT path, permissions FROM suid_bin WHERE path LIKE '/usr/sbin/%'");
  EXPECT_EQ(ColumnText(r, "path"), (std::vector<std::string>{"/usr/sbin/su-link"}));
  EXPECT_EQ(ColumnText(r, "permissions"), (std::vector<std::string>{"S"}));
}

TEST(SuidBinTableEmptyTest, NoBinaryDirectoriesIsZeroRows) {
  TempDir root;
  SqlFixture db(root.path());
  EXPECT_TRUE(db.Query("SELECT * FROM suid_bin").rows.empty());
}

// find(1) over the same directories; /tmp is left out because other tests
// create and delete files there while this runs.
TEST(SuidBinTableLiveTest, MatchesFindPermSetuidSetgid) {
  CommandResult find = RunShell(
      "find /usr/bin /usr/sbin /usr/local/bin /usr/local/sbin /usr/libexec /usr/lib "
      "/usr/local/lib -type f -perm /6000 2>/dev/null");
  std::set<std::string> expected;
  for (std::string_view line : SplitString(find.out, '\n'))
    if (!line.empty()) expected.emplace(line);
  SqlFixture db;
  auto r = db.Query("SELECT path FROM suid_bin WHERE path LIKE '/usr/%'");
  std::set<std::string> actual;
  for (const std::string& p : ColumnText(r, "path")) actual.insert(p);
  // find -type f does not follow symlinks; drop links the table followed.
  std::set<std::string> regular;
  for (const std::string& p : actual) {
    struct stat st;
    if (::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) regular.insert(p);
  }
  EXPECT_EQ(regular, expected);
}

}  // namespace
}  // namespace warden::testing
