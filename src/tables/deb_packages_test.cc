// deb_packages over the fixture dpkg database (tests/fixtures/package/root)
// and, for the acceptance check, over the live host against dpkg-query.
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

// The acceptance test of the package tables: deb_packages has exactly one
// row per line of `dpkg-query -W`, i.e. every package in the dpkg database
// whose state is not "not-installed" (config-files packages included).
TEST(DebPackagesLiveTest, CountEqualsDpkgQueryLines) {
  CommandResult q = RunCommand({"dpkg-query", "-W"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  int64_t lines = 0;
  for (std::string_view line : SplitString(q.out, '\n'))
    if (!line.empty()) ++lines;
  ASSERT_GT(lines, 0);
  SqlFixture db;
  auto r = db.Query("SELECT count(*) AS n FROM deb_packages");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(Cell(r, 0, "n")), lines);
}

TEST(DebPackagesLiveTest, NamesArchesAndVersionsMatchDpkgQuery) {
  CommandResult q = RunCommand({"dpkg-query", "-W", "-f=${Package} ${Architecture} ${Version}\\n"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  std::multiset<std::string> expected;
  for (std::string_view line : SplitString(q.out, '\n'))
    if (!line.empty()) expected.emplace(line);
  SqlFixture db;
  auto r = db.Query("SELECT name || ' ' || arch || ' ' || version AS k FROM deb_packages");
  auto got = TextColumn(r, "k");
  EXPECT_EQ(std::multiset<std::string>(got.begin(), got.end()), expected);
}

TEST(DebPackagesTableTest, MapsTheDpkgFieldsToOsqueryColumns) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT * FROM deb_packages WHERE name = 'bsdutils'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "version")), "1:2.38.1-5+deb12u3");
  EXPECT_EQ(ValueToText(Cell(r, 0, "source")), "util-linux (2.38.1-5)");
  EXPECT_EQ(Cell(r, 0, "size"), Value(int64_t{335}));  // typed, KiB
  EXPECT_EQ(ValueToText(Cell(r, 0, "arch")), "amd64");
  EXPECT_EQ(ValueToText(Cell(r, 0, "revision")), "5+deb12u3");
  EXPECT_EQ(ValueToText(Cell(r, 0, "status")), "install ok installed");
  EXPECT_EQ(ValueToText(Cell(r, 0, "maintainer")),
            "util-linux packagers <util-linux@packages.debian.org>");
  EXPECT_EQ(ValueToText(Cell(r, 0, "section")), "utils");
  EXPECT_EQ(ValueToText(Cell(r, 0, "priority")), "required");
  EXPECT_EQ(ValueToText(Cell(r, 0, "admindir")), "/var/lib/dpkg");
}

TEST(DebPackagesTableTest, SourceIsEmptyWhenThePackageIsItsOwnSource) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT source FROM deb_packages WHERE name = 'tzdata'");
  EXPECT_EQ(TextColumn(r, "source"), (std::vector<std::string>{""}));
}

TEST(DebPackagesTableTest, EveryArchitectureOfAMultiArchPackageIsARow) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT arch FROM deb_packages WHERE name = 'libssl3' ORDER BY arch");
  EXPECT_EQ(TextColumn(r, "arch"), (std::vector<std::string>{"amd64", "i386"}));
}

TEST(DebPackagesTableTest, RemovedPackagesWithConfigFilesAreRowsAndPurgedOnesAreNot) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT status FROM deb_packages WHERE name = 'nano'");
  EXPECT_EQ(TextColumn(r, "status"), (std::vector<std::string>{"deinstall ok config-files"}));
  EXPECT_TRUE(db.Query("SELECT * FROM deb_packages WHERE name = 'telnet'").rows.empty());
  auto count = db.Query("SELECT count(*) AS n FROM deb_packages");
  EXPECT_EQ(Cell(count, 0, "n"), Value(int64_t{9}));
}

TEST(DebPackagesTableTest, VersionColumnComparesAsDpkgVersions) {
  SqlFixture db(FixturePath("package/root"));
  // Only packages with an epoch are above "1:0"; as text, "3.0.15..." would be too.
  auto r = db.Query("SELECT name FROM deb_packages WHERE version > '1:0' ORDER BY name");
  EXPECT_EQ(TextColumn(r, "name"), (std::vector<std::string>{"bsdutils", "vim-tiny"}));
  // "~" sorts before anything: 3.0.15-1~deb12u1 < 3.0.15-1.
  auto tilde = db.Query(
      "SELECT count(*) AS n FROM deb_packages WHERE name = 'openssl' AND version < '3.0.15-1'");
  EXPECT_EQ(Cell(tilde, 0, "n"), Value(int64_t{1}));
}

TEST(DebPackagesTableTest, AdmindirConstraintReadsAnotherDatabase) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query(
      "SELECT name, version, admindir FROM deb_packages WHERE admindir = '/srv/dpkg-journal' ORDER "
      "BY name");
  EXPECT_EQ(TextColumn(r, "name"), (std::vector<std::string>{"curl", "jq"}));
  EXPECT_EQ(TextColumn(r, "version"), (std::vector<std::string>{"7.88.1-10+deb12u8", "1.6-2.1"}));
  EXPECT_EQ(TextColumn(r, "admindir"),
            (std::vector<std::string>{"/srv/dpkg-journal", "/srv/dpkg-journal"}));
}

TEST(DebPackagesTableTest, NoDpkgDatabaseIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM deb_packages").rows.empty());
}

TEST(DebPackagesTableTest, UnreadableStatusFileIsAQueryError) {
  TempDir root;
  root.WriteFile("var/lib/dpkg/status/not-a-file", "");
  SqlFixture db(root.path());
  EXPECT_NE(db.QueryError("SELECT * FROM deb_packages").find("/var/lib/dpkg/status"),
            std::string::npos);
}

}  // namespace
}  // namespace warden::testing
