// Tests of apparmor_profiles over a fixture securityfs tree, and the live
// host cross-checked against securityfs' own profile list.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/strings.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::SqlFixture;

TEST(ApparmorProfilesTableTest, ListsProfilesAndHatsWithTheirAttributes) {
  SqlFixture sql(FixturePath("file/root"));
  auto r = sql.Query("SELECT * FROM apparmor_profiles");
  std::map<std::string, size_t> by_path;
  for (size_t i = 0; i < r.rows.size(); ++i) by_path[ValueToText(Cell(r, i, "path"))] = i;
  ASSERT_EQ(by_path.size(), 3u);
  ASSERT_TRUE(by_path.count("/usr/sbin/cupsd"));
  ASSERT_TRUE(by_path.count("/usr/sbin/cupsd//third_party"));
  ASSERT_TRUE(by_path.count("man_filter"));
  size_t cupsd = by_path["/usr/sbin/cupsd"];
  EXPECT_EQ(ValueToText(Cell(r, cupsd, "mode")), "enforce");
  EXPECT_EQ(ValueToText(Cell(r, cupsd, "attach")), "/usr/sbin/cupsd");
  EXPECT_EQ(ValueToText(Cell(r, cupsd, "sha1")), "0b5a0e1c1c7a0f3e3a8a4f0e2b6f0a7d9c1e2f30");
  EXPECT_TRUE(IsNull(Cell(r, cupsd, "sha256")));
  size_t man = by_path["man_filter"];
  EXPECT_EQ(ValueToText(Cell(r, man, "mode")), "complain");
  EXPECT_EQ(ValueToText(Cell(r, man, "sha256")).size(), 64u);
  EXPECT_EQ(ValueToText(Cell(r, by_path["/usr/sbin/cupsd//third_party"], "name")), "third_party");
}

TEST(ApparmorProfilesTableTest, NoSecurityfsMeansNoRows) {
  testing::TempDir empty_root;
  SqlFixture sql(empty_root.path());
  EXPECT_TRUE(sql.Query("SELECT * FROM apparmor_profiles").rows.empty());
}

TEST(ApparmorProfilesTableTest, LiveTopLevelProfilesMatchSecurityfs) {
  // The kernel's own summary: /sys/kernel/security/apparmor/profiles lists
  // "name (mode)" for every profile, hats included.
  HostFs fs;
  auto listing = fs.ReadFile("/sys/kernel/security/apparmor/profiles");
  SqlFixture sql;
  auto r = sql.Query("SELECT path FROM apparmor_profiles");
  if (!listing.ok()) {
    EXPECT_TRUE(r.rows.empty());
    return;
  }
  std::set<std::string> expected;
  for (std::string_view line : SplitString(*listing, '\n')) {
    size_t paren = line.rfind(" (");
    if (paren != std::string_view::npos) expected.insert(std::string(line.substr(0, paren)));
  }
  std::set<std::string> ours;
  for (size_t i = 0; i < r.rows.size(); ++i) ours.insert(ValueToText(Cell(r, i, "path")));
  EXPECT_EQ(ours, expected);
}

}  // namespace
}  // namespace warden
