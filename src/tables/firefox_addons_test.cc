#include <gtest/gtest.h>

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

TEST(FirefoxAddonsTableTest, ReadsAddonsOfEveryProfile) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT identifier, uid FROM firefox_addons");
  EXPECT_EQ(TextColumn(r, "identifier"),
            (std::vector<std::string>{"uBlock0@raymondhill.net", "default-theme@mozilla.org"}));
  EXPECT_EQ(Cell(r, 0, "uid"), Value(int64_t{1000}));
}

TEST(FirefoxAddonsTableTest, MapsFieldsLikeOsquery) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT * FROM firefox_addons WHERE identifier = 'uBlock0@raymondhill.net'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "name")), "uBlock Origin");
  EXPECT_EQ(ValueToText(Cell(r, 0, "creator")), "Raymond Hill");
  EXPECT_EQ(ValueToText(Cell(r, 0, "type")), "extension");
  EXPECT_EQ(ValueToText(Cell(r, 0, "version")), "1.57.2");
  EXPECT_EQ(ValueToText(Cell(r, 0, "description")), "Finally, an efficient blocker.");
  EXPECT_EQ(ValueToText(Cell(r, 0, "source_url")),
            "https://addons.mozilla.org/firefox/downloads/file/4290466/ublock_origin-1.57.2.xpi");
  EXPECT_EQ(Cell(r, 0, "visible"), Value(int64_t{1}));
  EXPECT_EQ(Cell(r, 0, "active"), Value(int64_t{1}));
  EXPECT_EQ(Cell(r, 0, "disabled"), Value(int64_t{0}));
  EXPECT_EQ(Cell(r, 0, "autoupdate"), Value(int64_t{1}));
  EXPECT_EQ(ValueToText(Cell(r, 0, "location")), "app-profile");
}

TEST(FirefoxAddonsTableTest, UserDisabledAddonIsDisabled) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT disabled, active, path FROM firefox_addons WHERE type = 'theme'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "disabled"), Value(int64_t{1}));
  EXPECT_EQ(Cell(r, 0, "active"), Value(int64_t{0}));
  EXPECT_TRUE(IsNull(Cell(r, 0, "path")));  // JSON null stays NULL
}

TEST(FirefoxAddonsTableTest, UidConstraintReadsOnlyThatUser) {
  SqlFixture db(FixturePath("package/root"));
  EXPECT_TRUE(db.Query("SELECT * FROM firefox_addons WHERE uid = 1001").rows.empty());
  EXPECT_EQ(db.Query("SELECT * FROM firefox_addons WHERE uid = 1000").rows.size(), 2u);
}

TEST(FirefoxAddonsTableTest, NoProfilesIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM firefox_addons").rows.empty());
}

TEST(FirefoxAddonsTableTest, CorruptExtensionsJsonIsSkipped) {
  TempDir root;
  root.WriteFile("etc/passwd", "eve:x:1002:1002::/home/eve:/bin/sh\n");
  root.WriteFile("home/eve/.mozilla/firefox/p1/extensions.json", "{\"addons\": [ {\"id\": ");
  root.WriteFile("home/eve/.mozilla/firefox/p2/extensions.json",
                 "{\"addons\": {\"not\": \"an array\"}}");
  SqlFixture db(root.path());
  EXPECT_TRUE(db.Query("SELECT * FROM firefox_addons").rows.empty());
}

TEST(FirefoxAddonsTableTest, ProfilesSymlinkedOutOfTheHomeAreNotRead) {
  HomeTrapRoot root;
  root.Write("srv/.mozilla/firefox/x.default/extensions.json",
             R"({"addons": [{"id": "secret@root", "defaultLocale": {"name": "root-only"}}]})");
  root.Symlink("/srv/.mozilla", "home/u/.mozilla");
  root.Write("home/u/snap/firefox/common/.mozilla/firefox/y.default/.keep", "");
  root.Symlink("/srv/.mozilla/firefox/x.default/extensions.json",
               "home/u/snap/firefox/common/.mozilla/firefox/y.default/extensions.json");
  EXPECT_TRUE(root.QueryWithoutHanging("SELECT name FROM firefox_addons").rows.empty());
}

}  // namespace
}  // namespace warden::testing
