#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

std::vector<std::string> TextColumn(const QueryResult& r, const std::string& name) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.rows.size(); ++i) out.push_back(ValueToText(Cell(r, i, name)));
  return out;
}

TEST(DebPackageFilesTableTest, ListsTheFilesOfAPackageInOrder) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT path, admindir FROM deb_package_files WHERE package = 'openssl'");
  EXPECT_EQ(TextColumn(r, "path"),
            (std::vector<std::string>{"/.", "/etc", "/etc/ssl", "/etc/ssl/openssl.cnf", "/usr",
                                      "/usr/bin", "/usr/bin/c_rehash", "/usr/bin/openssl"}));
  EXPECT_EQ(ValueToText(Cell(r, 0, "admindir")), "/var/lib/dpkg");
}

TEST(DebPackageFilesTableTest, MultiArchPackagesContributeEachArchitecturesList) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query(
      "SELECT path FROM deb_package_files WHERE package = 'libssl3' AND path LIKE '%libssl.so.3'");
  auto paths = TextColumn(r, "path");
  EXPECT_EQ(std::set<std::string>(paths.begin(), paths.end()),
            (std::set<std::string>{"/usr/lib/x86_64-linux-gnu/libssl.so.3",
                                   "/usr/lib/i386-linux-gnu/libssl.so.3"}));
}

TEST(DebPackageFilesTableTest, FindsTheOwnerOfAPath) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT package FROM deb_package_files WHERE path = '/usr/share/zoneinfo/UTC'");
  EXPECT_EQ(TextColumn(r, "package"), (std::vector<std::string>{"tzdata"}));
}

TEST(DebPackageFilesTableTest, PackagesWithoutAListHaveNoRows) {
  SqlFixture db(FixturePath("package/root"));
  EXPECT_TRUE(db.Query("SELECT * FROM deb_package_files WHERE package = 'nano'").rows.empty());
  EXPECT_TRUE(
      db.Query("SELECT * FROM deb_package_files WHERE package = 'no-such-package'").rows.empty());
}

TEST(DebPackageFilesLiveTest, MatchesDpkgQueryList) {
  CommandResult q = RunCommand({"dpkg-query", "-L", "bash"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  std::multiset<std::string> expected;
  for (std::string_view line : SplitString(q.out, '\n'))
    if (StartsWith(line, "/")) expected.emplace(line);  // not diversion notes
  SqlFixture db;
  auto paths =
      TextColumn(db.Query("SELECT path FROM deb_package_files WHERE package = 'bash'"), "path");
  EXPECT_EQ(std::multiset<std::string>(paths.begin(), paths.end()), expected);
}

}  // namespace
}  // namespace warden::testing
