#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tables/home_trap_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

constexpr const char* kProfile = "/home/alice/.config/google-chrome/Default";
constexpr const char* kStoreExtension = "coijlbnghlaecklebanolnedcdgknjea";

std::vector<std::string> TextColumn(const QueryResult& r, const std::string& name) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.rows.size(); ++i) out.push_back(ValueToText(Cell(r, i, name)));
  return out;
}

TEST(ChromeExtensionsTableTest, ListsExtensionsInTheProfileAndReferencedElsewhere) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT name, path, referenced FROM chrome_extensions ORDER BY name");
  EXPECT_EQ(TextColumn(r, "name"),
            (std::vector<std::string>{"Example Helper", "My Dev Extension", "Sideloaded Thing"}));
  EXPECT_EQ(TextColumn(r, "path"),
            (std::vector<std::string>{
                std::string(kProfile) + "/Extensions/" + kStoreExtension + "/1.2.3_0",
                "/home/alice/dev/my-extension",
                std::string(kProfile) + "/Extensions/unreferencedextensionidxxxxxxxx/0.1_0"}));
  EXPECT_EQ(TextColumn(r, "referenced"), (std::vector<std::string>{"1", "1", "0"}));
}

TEST(ChromeExtensionsTableTest, ReadsProfileManifestAndSettings) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT * FROM chrome_extensions WHERE name = 'Example Helper'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "browser_type")), "chrome");
  EXPECT_EQ(Cell(r, 0, "uid"), Value(int64_t{1000}));
  EXPECT_EQ(ValueToText(Cell(r, 0, "profile")), "Alice (work)");
  EXPECT_EQ(ValueToText(Cell(r, 0, "profile_path")), kProfile);
  EXPECT_EQ(ValueToText(Cell(r, 0, "referenced_identifier")), kStoreExtension);
  EXPECT_EQ(ValueToText(Cell(r, 0, "version")), "1.2.3");
  EXPECT_EQ(ValueToText(Cell(r, 0, "description")),
            "Helps with examples.");  // __MSG_APPDESC__, any case
  EXPECT_EQ(ValueToText(Cell(r, 0, "default_locale")), "en");
  EXPECT_EQ(ValueToText(Cell(r, 0, "author")), "Example Ltd");
  EXPECT_EQ(ValueToText(Cell(r, 0, "update_url")),
            "https://clients2.google.com/service/update2/crx");
  EXPECT_EQ(Cell(r, 0, "persistent"), Value(int64_t{1}));
  EXPECT_EQ(ValueToText(Cell(r, 0, "permissions")), "storage, tabs, https://*.example.com/*");
  EXPECT_EQ(ValueToText(Cell(r, 0, "optional_permissions")), "downloads");
  EXPECT_EQ(ValueToText(Cell(r, 0, "from_webstore")), "true");
  EXPECT_EQ(ValueToText(Cell(r, 0, "state")), "1");
  EXPECT_EQ(ValueToText(Cell(r, 0, "install_time")), "13312345678901234");
  // 13312345678901234 us since 1601 = 13312345678 s - 11644473600 s.
  EXPECT_EQ(Cell(r, 0, "install_timestamp"), Value(int64_t{1667872078}));
}

TEST(ChromeExtensionsTableTest, IdentifierIsComputedFromTheManifestKeyAsChromeDoes) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT identifier, key FROM chrome_extensions WHERE name = 'Example Helper'");
  ASSERT_EQ(r.rows.size(), 1u);
  std::string key = ValueToText(Cell(r, 0, "key"));
  ASSERT_FALSE(key.empty());
  // Independently: SHA-256 of the DER key, first 32 hex digits as a-p.
  CommandResult id =
      RunShell("printf '%s' '" + key + "' | base64 -d | sha256sum | head -c 32 | tr 0-9a-f a-p");
  ASSERT_EQ(id.exit_code, 0) << id.err;
  EXPECT_EQ(ValueToText(Cell(r, 0, "identifier")), id.out);
  EXPECT_EQ(ValueToText(Cell(r, 0, "identifier")),
            kStoreExtension);  // the id Chrome filed it under
}

TEST(ChromeExtensionsTableTest, ManifestHashIsTheSha256OfManifestJson) {
  SqlFixture db(FixturePath("package/root"));
  auto r =
      db.Query("SELECT manifest_hash, path FROM chrome_extensions WHERE name = 'Sideloaded Thing'");
  ASSERT_EQ(r.rows.size(), 1u);
  CommandResult sum =
      RunCommand({"sha256sum", FixturePath("package/root") + ValueToText(Cell(r, 0, "path")) +
                                   "/manifest.json"});
  ASSERT_EQ(sum.exit_code, 0) << sum.err;
  EXPECT_EQ(ValueToText(Cell(r, 0, "manifest_hash")), sum.out.substr(0, 64));
}

TEST(ChromeExtensionsTableTest, UnreferencedExtensionHasNoSettings) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query(
      "SELECT state, from_webstore, install_timestamp, identifier, permissions "
      "FROM chrome_extensions WHERE name = 'Sideloaded Thing'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "state")), "");
  EXPECT_EQ(ValueToText(Cell(r, 0, "from_webstore")), "");
  EXPECT_EQ(Cell(r, 0, "install_timestamp"), Value(int64_t{0}));
  EXPECT_EQ(ValueToText(Cell(r, 0, "identifier")), "");  // no key in the manifest
  EXPECT_EQ(ValueToText(Cell(r, 0, "permissions")), "");
}

TEST(ChromeExtensionsTableTest, UidConstraintReadsOnlyThatUser) {
  SqlFixture db(FixturePath("package/root"));
  EXPECT_TRUE(db.Query("SELECT * FROM chrome_extensions WHERE uid = 1001").rows.empty());
  EXPECT_EQ(db.Query("SELECT * FROM chrome_extensions WHERE uid = 1000").rows.size(), 3u);
}

TEST(ChromeExtensionsTableTest, NoProfilesIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM chrome_extensions").rows.empty());
}

TEST(ChromeExtensionsTableTest, BrokenPreferencesAndManifestsAreSkipped) {
  TempDir root;
  root.WriteFile("etc/passwd", "eve:x:1002:1002::/home/eve:/bin/sh\n");
  root.WriteFile("home/eve/.config/chromium/Default/Preferences", "{not json");
  root.WriteFile("home/eve/.config/chromium/Default/Extensions/abc/1.0/manifest.json", "[1, 2");
  root.WriteFile("home/eve/.config/chromium/Default/Extensions/def/2.0/manifest.json",
                 "{\"name\": \"Fine\", \"version\": \"2.0\", \"name2\": \"__MSG_x__\"}");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT name, browser_type, profile FROM chrome_extensions");
  EXPECT_EQ(TextColumn(r, "name"), (std::vector<std::string>{"Fine"}));
  EXPECT_EQ(TextColumn(r, "browser_type"), (std::vector<std::string>{"chromium"}));
  EXPECT_EQ(TextColumn(r, "profile"), (std::vector<std::string>{""}));
}

TEST(ChromeExtensionsTableTest, ExtensionOutsideTheHomeIsReadOnlyWhenItIsTheUsers) {
  HomeTrapRoot root;
  root.Write("home/u/.config/chromium/Default/Preferences",
             R"({"extensions": {"settings": {"aaaa": {"path": "/srv/secret-ext"}}}})");
  root.Write("srv/secret-ext/manifest.json", R"({"name": "root-only-secret"})");
  auto refused = root.QueryWithoutHanging("SELECT name FROM chrome_extensions");
  EXPECT_TRUE(refused.rows.empty()) << TextColumn(refused, "name")[0];
  if (::geteuid() != 0) return;  // handing the directory to uid 5 needs root
  for (const char* p : {"/srv/secret-ext", "/srv/secret-ext/manifest.json"})
    ASSERT_EQ(::chown((root.path() + p).c_str(), 5, 5), 0);
  auto theirs = root.QueryWithoutHanging("SELECT name FROM chrome_extensions");
  EXPECT_EQ(TextColumn(theirs, "name"), std::vector<std::string>{"root-only-secret"});
}

TEST(ChromeExtensionsTableTest, ProfileSymlinkedOutOfTheHomeIsNotRead) {
  HomeTrapRoot root;
  root.Write("srv/chrome/Default/Preferences", R"({"profile": {"name": "root"}})");
  root.Write("srv/chrome/Default/Extensions/bbbb/1.0/manifest.json",
             R"({"name": "root-only-secret"})");
  root.Write("home/u/.config/.keep", "");
  root.Symlink("/srv/chrome", "home/u/.config/chromium");
  EXPECT_TRUE(root.QueryWithoutHanging("SELECT name FROM chrome_extensions").rows.empty());
}

}  // namespace
}  // namespace warden::testing
