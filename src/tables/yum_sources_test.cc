#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

std::vector<std::string> TextColumn(const QueryResult& r, const std::string& name) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.rows.size(); ++i) out.push_back(ValueToText(Cell(r, i, name)));
  return out;
}

TEST(YumSourcesTableTest, ListsReposOfYumConfThenRepoFilesInNameOrder) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT name, source FROM yum_sources");
  EXPECT_EQ(TextColumn(r, "name"),
            (std::vector<std::string>{"Local overrides", "AlmaLinux $releasever - BaseOS",
                                      "AlmaLinux $releasever - BaseOS - Debug",
                                      "Extra Packages for Enterprise Linux 9 - $basearch"}));
  EXPECT_EQ(TextColumn(r, "source"),
            (std::vector<std::string>{"/etc/yum.conf", "/etc/yum.repos.d/almalinux-baseos.repo",
                                      "/etc/yum.repos.d/almalinux-baseos.repo",
                                      "/etc/yum.repos.d/epel.repo"}));
}

TEST(YumSourcesTableTest, KeepsValuesAsWrittenAndNullForMissingKeys) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT * FROM yum_sources WHERE name LIKE '%BaseOS'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "mirrorlist")),
            "https://mirrors.almalinux.org/mirrorlist/$releasever/baseos");
  EXPECT_TRUE(IsNull(Cell(r, 0, "baseurl")));  // commented out in the file
  EXPECT_TRUE(IsNull(Cell(r, 0, "metalink")));
  EXPECT_EQ(ValueToText(Cell(r, 0, "enabled")), "1");
  EXPECT_EQ(ValueToText(Cell(r, 0, "gpgcheck")), "1");
  EXPECT_EQ(ValueToText(Cell(r, 0, "gpgkey")), "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-AlmaLinux-9");
}

TEST(YumSourcesTableTest, ContinuationLinesJoinTheValue) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query(
      "SELECT gpgkey, metalink FROM yum_sources WHERE source = '/etc/yum.repos.d/epel.repo'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(
      ValueToText(Cell(r, 0, "gpgkey")),
      "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-9 https://example.org/keys/EPEL-9-backup.asc");
  EXPECT_EQ(ValueToText(Cell(r, 0, "metalink")),
            "https://mirrors.fedoraproject.org/"
            "metalink?repo=epel-9&arch=$basearch&infra=$infra&content=$contentdir");
}

TEST(YumSourcesTableTest, ReposdirFromYumConfIsFollowed) {
  TempDir root;
  root.WriteFile("etc/yum.conf", "[main]\nreposdir=/srv/repos\n");
  root.WriteFile("srv/repos/custom.repo", "[custom]\nname=Custom\nbaseurl=http://x/\n");
  root.WriteFile("etc/yum.repos.d/ignored.repo", "[ignored]\nname=Ignored\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT name, source FROM yum_sources");
  EXPECT_EQ(TextColumn(r, "name"), (std::vector<std::string>{"Custom"}));
  EXPECT_EQ(TextColumn(r, "source"), (std::vector<std::string>{"/srv/repos/custom.repo"}));
}

TEST(YumSourcesTableTest, NoYumConfigurationIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM yum_sources").rows.empty());
}

}  // namespace
}  // namespace warden::testing
