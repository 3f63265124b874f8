// Tests of selinux_settings over a fixture selinuxfs, and the live host.
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

// "scope|key" -> value
std::multimap<std::string, std::string> Settings(SqlFixture& sql) {
  auto r = sql.Query("SELECT scope, key, value FROM selinux_settings");
  std::multimap<std::string, std::string> out;
  for (size_t i = 0; i < r.rows.size(); ++i)
    out.emplace(ValueToText(Cell(r, i, "scope")) + "|" + ValueToText(Cell(r, i, "key")),
                ValueToText(Cell(r, i, "value")));
  return out;
}

std::string One(const std::multimap<std::string, std::string>& s, const std::string& key) {
  auto it = s.find(key);
  return it == s.end() ? "<missing>" : it->second;
}

TEST(SelinuxSettingsTableTest, RootKeysHaveEmptyScopeAndRawValues) {
  SqlFixture sql(FixturePath("file/root"));
  auto s = Settings(sql);
  EXPECT_EQ(One(s, "|enforce"), "1");
  EXPECT_EQ(One(s, "|policyvers"), "33");
  EXPECT_EQ(One(s, "|deny_unknown"), "0");
}

TEST(SelinuxSettingsTableTest, BooleansAreOnOrOffByCurrentValue) {
  SqlFixture sql(FixturePath("file/root"));
  auto s = Settings(sql);
  EXPECT_EQ(One(s, "booleans|httpd_can_network_connect"), "on");
  EXPECT_EQ(One(s, "booleans|ssh_sysadm_login"), "off");
  EXPECT_EQ(One(s, "booleans|deny_ptrace"), "off");  // "0 1": pending change not yet committed
}

TEST(SelinuxSettingsTableTest, CapabilitiesAndInitialContexts) {
  SqlFixture sql(FixturePath("file/root"));
  auto s = Settings(sql);
  EXPECT_EQ(One(s, "policy_capabilities|network_peer_controls"), "1");
  EXPECT_EQ(One(s, "initial_contexts|kernel"), "system_u:system_r:kernel_t:s0");
}

TEST(SelinuxSettingsTableTest, ClassPermissionsAreOneRowEach) {
  SqlFixture sql(FixturePath("file/root"));
  auto s = Settings(sql);
  auto [begin, end] = s.equal_range("class|file/perms");
  std::set<std::string> perms;
  for (auto it = begin; it != end; ++it) perms.insert(it->second);
  EXPECT_EQ(perms, (std::set<std::string>{"read", "write"}));
  EXPECT_EQ(s.count("class|file"), 0u);  // the index file is not a setting
}

TEST(SelinuxSettingsTableTest, NoSelinuxfsMeansNoRows) {
  testing::TempDir empty_root;
  SqlFixture sql(empty_root.path());
  EXPECT_TRUE(sql.Query("SELECT * FROM selinux_settings").rows.empty());
}

TEST(SelinuxSettingsTableTest, LiveEnforceMatchesSelinuxfs) {
  HostFs fs;
  SqlFixture sql;
  auto r = sql.Query("SELECT value FROM selinux_settings WHERE scope = '' AND key = 'enforce'");
  auto enforce = fs.ReadFile("/sys/fs/selinux/enforce");
  if (!enforce.ok()) {
    EXPECT_TRUE(r.rows.empty());
    return;
  }
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "value")), std::string(TrimWhitespace(*enforce)));
}

}  // namespace
}  // namespace warden
