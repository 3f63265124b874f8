#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "tables/home_trap_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

std::vector<std::string> TextColumn(const QueryResult& r, const std::string& name) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.rows.size(); ++i) out.push_back(ValueToText(Cell(r, i, name)));
  return out;
}

TEST(PythonPackagesTableTest, FindsDistInfoEggInfoDirectoriesAndEggInfoFiles) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT name, version, directory, path FROM python_packages");
  EXPECT_EQ(TextColumn(r, "name"),
            (std::vector<std::string>{"boto3", "python-apt", "requests", "six", "httpie"}));
  EXPECT_EQ(TextColumn(r, "path"),
            (std::vector<std::string>{
                "/usr/local/lib/python3.11/dist-packages/boto3-1.34.0.dist-info",
                "/usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info",
                "/usr/lib/python3/dist-packages/requests-2.28.1.dist-info",
                "/usr/lib/python3/dist-packages/six-1.16.0.egg-info",
                "/home/alice/.local/lib/python3.11/site-packages/httpie-3.2.2.dist-info"}));
  EXPECT_EQ(ValueToText(Cell(r, 2, "directory")), "/usr/lib/python3/dist-packages");
}

TEST(PythonPackagesTableTest, ReadsOnlyTheMetadataHeaders) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT * FROM python_packages WHERE name = 'requests'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "version")), "2.28.1");
  EXPECT_EQ(ValueToText(Cell(r, 0, "summary")), "Python HTTP for Humans.");
  EXPECT_EQ(ValueToText(Cell(r, 0, "author")), "Kenneth Reitz");
  // Not the "License:" line of the long description after the blank line.
  EXPECT_EQ(ValueToText(Cell(r, 0, "license")), "Apache 2.0");
  EXPECT_EQ(Cell(r, 0, "uid"), Value(int64_t{0}));  // a system site, as osquery says
}

TEST(PythonPackagesTableTest, LicenseExpressionStandsInForLicense) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT license FROM python_packages WHERE name = 'boto3'");
  EXPECT_EQ(TextColumn(r, "license"), (std::vector<std::string>{"Apache-2.0"}));
}

TEST(PythonPackagesTableTest, UserSitePackagesCarryTheOwnersUid) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT name, uid FROM python_packages WHERE uid = 1000");
  EXPECT_EQ(TextColumn(r, "name"), (std::vector<std::string>{"httpie"}));
  EXPECT_EQ(Cell(r, 0, "uid"), Value(int64_t{1000}));
  EXPECT_TRUE(db.Query("SELECT * FROM python_packages WHERE uid = 1001").rows.empty());
}

TEST(PythonPackagesTableTest, DirectoryConstraintScansOnlyThatDirectory) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query(
      "SELECT name FROM python_packages WHERE directory = "
      "'/usr/local/lib/python3.11/dist-packages'");
  EXPECT_EQ(TextColumn(r, "name"), (std::vector<std::string>{"boto3"}));
}

TEST(PythonPackagesTableTest, NoPythonIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM python_packages").rows.empty());
}

// Live: the distributions Python's own importlib.metadata finds in the
// system dist-packages directory, with the same names and versions.
TEST(PythonPackagesLiveTest, MatchesImportlibMetadata) {
  const std::string site = "/usr/lib/python3/dist-packages";
  CommandResult py = RunCommand({"/usr/bin/python3", "-c",
                                 "import importlib.metadata as m\n"
                                 "for d in m.distributions(path=['" +
                                     site +
                                     "']):\n"
                                     "    print(d.metadata['Name'], d.version, d._path)\n"});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  std::multiset<std::string> expected;
  for (std::string_view line : SplitString(py.out, '\n'))
    if (!line.empty()) expected.emplace(line);
  SqlFixture db;
  auto got =
      TextColumn(db.Query("SELECT name || ' ' || version || ' ' || path AS k FROM python_packages "
                          "WHERE directory = '" +
                          site + "'"),
                 "k");
  EXPECT_EQ(std::multiset<std::string>(got.begin(), got.end()), expected);
}

TEST(PythonPackagesTableTest, UserSiteSymlinkedOutOfTheHomeIsNotRead) {
  HomeTrapRoot root;
  root.Write("root/.local/lib/python3.11/site-packages/secret-1.0.dist-info/METADATA",
             "Name: root-only-secret\nVersion: 1.0\n");
  root.Symlink("/root/.local", "home/u/.local");
  EXPECT_TRUE(
      root.QueryWithoutHanging("SELECT name FROM python_packages WHERE uid = 5").rows.empty());
}

}  // namespace
}  // namespace warden::testing
