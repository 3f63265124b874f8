#include <gtest/gtest.h>
#include <unistd.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunShell;
using testing::SqlFixture;
using testing::TempDir;

TEST(OsVersionTableTest, MapsOsReleaseFieldsLikeOsquery) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM os_version");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "name"), "Ubuntu");
  EXPECT_EQ(Text(r, 0, "version"), "22.04.4 LTS (Jammy Jellyfish)");
  EXPECT_EQ(Int(r, 0, "major"), 22);
  EXPECT_EQ(Int(r, 0, "minor"), 4);  // VERSION_ID "22.04"
  EXPECT_EQ(Int(r, 0, "patch"), 0);
  EXPECT_EQ(Text(r, 0, "platform"), "ubuntu");
  EXPECT_EQ(Text(r, 0, "platform_like"), "debian");
  EXPECT_EQ(Text(r, 0, "codename"), "jammy");
  EXPECT_EQ(Text(r, 0, "arch"), "x86_64");
  EXPECT_TRUE(Null(r, 0, "build"));
}

TEST(OsVersionTableTest, HiddenNamespaceColumnsAreSelectableByName) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT pid_with_namespace, mount_namespace_id FROM os_version");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Int(r, 0, "pid_with_namespace"), 0);
  EXPECT_TRUE(Null(r, 0, "mount_namespace_id"));
  EXPECT_EQ(db.Query("SELECT * FROM os_version").columns.size(), 10u);
}

TEST(OsVersionTableTest, PidWithNamespaceReadsThatProcessRoot) {
  SqlFixture db(SystemRoot());
  auto r =
      db.Query("SELECT * , mount_namespace_id FROM os_version WHERE pid_with_namespace = 4242");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "name"), "Alpine Linux");
  EXPECT_EQ(Text(r, 0, "platform"), "alpine");
  EXPECT_EQ(Int(r, 0, "major"), 3);
  EXPECT_EQ(Int(r, 0, "minor"), 19);
  EXPECT_EQ(Int(r, 0, "patch"), 1);
  EXPECT_EQ(Text(r, 0, "mount_namespace_id"), "4026532561");
}

TEST(OsVersionTableTest, UnknownPidWithNamespaceIsZeroRows) {
  SqlFixture db(SystemRoot());
  EXPECT_TRUE(db.Query("SELECT * FROM os_version WHERE pid_with_namespace = 999999").rows.empty());
}

TEST(OsVersionTableTest, RedhatReleaseDescribesTheHostAsOsqueryDoes) {
  TempDir root;
  root.WriteFile("etc/os-release",
                 "NAME=\"Rocky Linux\"\nVERSION=\"9.3 (Blue Onyx)\"\nID=\"rocky\"\n"
                 "ID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\n");
  root.WriteFile("etc/redhat-release", "Rocky Linux release 9.3 (Blue Onyx)\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT * FROM os_version");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "name"), "Rocky Linux");
  EXPECT_EQ(Text(r, 0, "version"), "Rocky Linux release 9.3 (Blue Onyx)");
  EXPECT_EQ(Text(r, 0, "platform"), "rhel");
  EXPECT_EQ(Text(r, 0, "platform_like"), "rhel");
  EXPECT_EQ(Int(r, 0, "major"), 9);
  EXPECT_EQ(Int(r, 0, "minor"), 3);
  EXPECT_EQ(Int(r, 0, "patch"), 0);
}

TEST(OsVersionTableTest, ThreePartReleaseFillsPatch) {
  TempDir root;
  root.WriteFile("etc/redhat-release", "CentOS Linux release 7.9.2009 (Core)\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT name, major, minor, patch FROM os_version");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "name"), "CentOS Linux");
  EXPECT_EQ(Int(r, 0, "major"), 7);
  EXPECT_EQ(Int(r, 0, "minor"), 9);
  EXPECT_EQ(Int(r, 0, "patch"), 2009);
}

TEST(OsVersionTableTest, NoReleaseFilesGivesOsqueryDefaults) {
  TempDir empty;
  SqlFixture db(empty.path());
  auto r = db.Query("SELECT name, platform, major, minor, patch FROM os_version");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "name"), "Unknown");
  EXPECT_EQ(Text(r, 0, "platform"), "posix");
  EXPECT_EQ(Int(r, 0, "major"), 0);
}

TEST(OsVersionTableLiveTest, MatchesHostOsReleaseAndUname) {
  auto shell = RunShell(
      ". /etc/os-release && printf '%s\\n%s\\n%s\\n' \"$NAME\" \"$ID\" \"$VERSION_ID\" && uname "
      "-m");
  ASSERT_EQ(shell.exit_code, 0) << shell.err;
  auto lines = SplitString(shell.out, '\n');
  ASSERT_GE(lines.size(), 4u);
  SqlFixture db;
  auto r = db.Query("SELECT name, platform, major, arch FROM os_version");
  ASSERT_EQ(r.rows.size(), 1u);
  if (RunShell("test -e /etc/redhat-release").exit_code != 0) {  // else osquery reports "rhel"
    EXPECT_EQ(Text(r, 0, "name"), std::string(lines[0]));
    EXPECT_EQ(Text(r, 0, "platform"), std::string(lines[1]));
  }
  EXPECT_EQ(std::to_string(Int(r, 0, "major")),
            std::string(lines[2].substr(0, lines[2].find('.'))));
  EXPECT_EQ(Text(r, 0, "arch"), std::string(lines[3]));
}

TEST(OsVersionTableLiveTest, PidWithNamespaceOfThisProcessIsTheHostView) {
  const std::string pid = std::to_string(::getpid());
  SqlFixture db;
  auto host = db.Query("SELECT name, version FROM os_version");
  auto r = db.Query(
      "SELECT name, version, mount_namespace_id FROM os_version WHERE pid_with_namespace = " + pid);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "name"), Text(host, 0, "name"));
  EXPECT_EQ(ValueToText(At(r, 0, "version")), ValueToText(At(host, 0, "version")));
  // readlink gives "mnt:[4026531841]".
  std::string link(
      TrimWhitespace(testing::RunCommand({"readlink", "/proc/" + pid + "/ns/mnt"}).out));
  EXPECT_EQ("mnt:[" + Text(r, 0, "mount_namespace_id") + "]", link);
}

}  // namespace
}  // namespace warden::system_test
