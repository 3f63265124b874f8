#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

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

std::set<std::string> Keys(const QueryResult& r) {
  std::set<std::string> out;
  for (const std::string& k : TextColumn(r, "k")) out.insert(k);
  return out;
}

TEST(NpmPackagesTableTest, FindsGlobalPackagesScopedPackagesAndNestedDependencies) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query(
      "SELECT coalesce(name, '?') || ' ' || coalesce(version, '?') || ' ' || depth || ' ' || "
      "directory "
      "AS k FROM npm_packages");
  EXPECT_EQ(Keys(r), (std::set<std::string>{"? ? 0 /usr/lib", "npm 9.2.0 0 /usr/lib",
                                            "@npmcli/arborist 6.2.9 1 /usr/lib",
                                            "abbrev 2.0.0 1 /usr/lib", "semver 7.5.1 2 /usr/lib",
                                            "typescript 5.4.5 0 /home/alice/.npm-global/lib"}));
}

TEST(NpmPackagesTableTest, ReadsPackageJsonFields) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT * FROM npm_packages WHERE name = 'npm'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "description")), "a package manager for JavaScript");
  EXPECT_EQ(ValueToText(Cell(r, 0, "author")), "GitHub Inc.");
  EXPECT_EQ(ValueToText(Cell(r, 0, "license")), "Artistic-2.0");
  EXPECT_EQ(ValueToText(Cell(r, 0, "homepage")), "https://docs.npmjs.com/");
  EXPECT_EQ(ValueToText(Cell(r, 0, "path")), "/usr/lib/node_modules/npm/package.json");
  EXPECT_EQ(Cell(r, 0, "depth"), Value(int64_t{0}));
}

TEST(NpmPackagesTableTest, AuthorObjectAndDeprecatedLicenseObject) {
  SqlFixture db(FixturePath("package/root"));
  auto abbrev = db.Query("SELECT author FROM npm_packages WHERE name = 'abbrev'");
  EXPECT_EQ(TextColumn(abbrev, "author"), (std::vector<std::string>{"GitHub Inc."}));
  auto arborist = db.Query("SELECT license FROM npm_packages WHERE name = '@npmcli/arborist'");
  EXPECT_EQ(TextColumn(arborist, "license"),
            (std::vector<std::string>{"https://opensource.org/licenses/ISC"}));
}

TEST(NpmPackagesTableTest, MaxDepthLimitsNesting) {
  SqlFixture db(FixturePath("package/root"));
  auto top = db.Query("SELECT coalesce(name, '?') AS k FROM npm_packages WHERE max_depth = 0");
  EXPECT_EQ(Keys(top), (std::set<std::string>{"?", "npm", "typescript"}));
  auto one = db.Query("SELECT name AS k FROM npm_packages WHERE max_depth = 1 AND depth = 1");
  EXPECT_EQ(Keys(one), (std::set<std::string>{"@npmcli/arborist", "abbrev"}));
}

TEST(NpmPackagesTableTest, DirectoryConstraintSearchesThatDirectory) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query(
      "SELECT name AS k FROM npm_packages WHERE directory = '/home/alice/.npm-global/lib'");
  EXPECT_EQ(Keys(r), (std::set<std::string>{"typescript"}));
}

TEST(NpmPackagesTableTest, NoNodeModulesIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM npm_packages").rows.empty());
}

// Live: the top-level global packages npm itself reports.
TEST(NpmPackagesLiveTest, TopLevelGlobalPackagesMatchNpmLs) {
  CommandResult root = RunCommand({"npm", "root", "-g"});
  ASSERT_EQ(root.exit_code, 0) << root.err;
  std::string modules = root.out.substr(0, root.out.find('\n'));
  std::string directory = modules.substr(0, modules.rfind('/'));
  CommandResult ls = RunCommand({"npm", "ls", "-g", "--depth=0", "--json"});
  auto doc = nlohmann::json::parse(ls.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << ls.out;
  std::set<std::string> expected;
  for (auto it = doc["dependencies"].begin(); it != doc["dependencies"].end(); ++it)
    expected.insert(it.key() + " " + it.value().value("version", ""));
  SqlFixture db;
  auto r = db.Query("SELECT name || ' ' || version AS k FROM npm_packages WHERE directory = '" +
                    directory + "' AND max_depth = 0");
  EXPECT_EQ(Keys(r), expected);
}

TEST(NpmPackagesTableTest, HomeDirectoriesSymlinkedOutOfTheHomeAreNotRead) {
  HomeTrapRoot root;
  root.Write("srv/.npm-global/lib/node_modules/secret/package.json",
             R"({"name": "root-only-secret", "version": "1.0.0"})");
  root.Symlink("/srv/.npm-global", "home/u/.npm-global");
  root.Write("srv/proj/node_modules/other/package.json", R"({"name": "root-only-other"})");
  root.Write("home/u/.nvm/versions/node/v20/lib/node_modules/.keep", "");
  root.Symlink("/srv/proj/node_modules/other",
               "home/u/.nvm/versions/node/v20/lib/node_modules/other");
  auto r = root.QueryWithoutHanging("SELECT name, path FROM npm_packages");
  for (const std::string& name : TextColumn(r, "name"))
    EXPECT_EQ(name.find("root-only"), std::string::npos) << name;
}

}  // namespace
}  // namespace warden::testing
