// Tests of systemd_units: the offline unit-file view over the fixture tree,
// the object-path escaping, and the live host (systemctl when systemd is the
// init system, zero rows otherwise).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/strings.h"
#include "tables/systemd_unit_sources.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::RunCommand;
using ::warden::testing::SqlFixture;

// id -> row index
std::map<std::string, size_t> ById(const QueryResult& r) {
  std::map<std::string, size_t> out;
  for (size_t i = 0; i < r.rows.size(); ++i) out[ValueToText(Cell(r, i, "id"))] = i;
  return out;
}

class SystemdUnitsFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    result_ = sql_.Query("SELECT * FROM systemd_units");
    by_id_ = ById(result_);
  }
  std::string Get(const std::string& id, const std::string& column) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) {
      ADD_FAILURE() << "no unit " << id;
      return "";
    }
    return ValueToText(Cell(result_, it->second, column));
  }
  SqlFixture sql_{FixturePath("file/root")};
  QueryResult result_;
  std::map<std::string, size_t> by_id_;
};

TEST_F(SystemdUnitsFixtureTest, ListsUnitFilesButNotTemplatesOrAliases) {
  std::set<std::string> ids;
  for (const auto& [id, row] : by_id_) ids.insert(id);
  EXPECT_EQ(ids,
            (std::set<std::string>{"apache2.service", "cron.service", "rpcbind.service",
                                   "rsync.service", "ssh.service", "systemd-journald.socket"}));
}

TEST_F(SystemdUnitsFixtureTest, EtcOverridesVendorUnitFile) {
  EXPECT_EQ(Get("apache2.service", "description"), "The Apache HTTP Server (local override)");
  EXPECT_EQ(Get("apache2.service", "fragment_path"), "/etc/systemd/system/apache2.service");
  EXPECT_EQ(Get("apache2.service", "user"), "www-data");
}

TEST_F(SystemdUnitsFixtureTest, UnitFileStateReflectsWantsLinksInstallAndMasks) {
  EXPECT_EQ(Get("ssh.service", "unit_file_state"), "enabled");
  EXPECT_EQ(Get("cron.service", "unit_file_state"), "enabled");
  EXPECT_EQ(Get("rsync.service", "unit_file_state"), "disabled");
  EXPECT_EQ(Get("systemd-journald.socket", "unit_file_state"), "static");
  EXPECT_EQ(Get("rpcbind.service", "unit_file_state"), "masked");
  EXPECT_EQ(Get("rpcbind.service", "load_state"), "masked");
}

TEST_F(SystemdUnitsFixtureTest, OfflineUnitsAreLoadedAndInactive) {
  EXPECT_EQ(Get("ssh.service", "load_state"), "loaded");
  EXPECT_EQ(Get("ssh.service", "active_state"), "inactive");
  EXPECT_EQ(Get("ssh.service", "sub_state"), "dead");
  EXPECT_EQ(Get("ssh.service", "job_path"), "/");
  EXPECT_EQ(Get("ssh.service", "description"), "OpenBSD Secure Shell server");
  EXPECT_EQ(Get("ssh.service", "fragment_path"), "/usr/lib/systemd/system/ssh.service");
}

TEST_F(SystemdUnitsFixtureTest, UserIsSetForServicesOnly) {
  EXPECT_EQ(Get("rsync.service", "user"), "backup");
  EXPECT_EQ(Get("ssh.service", "user"), "");  // a service without User= runs as root
  auto it = by_id_.find("systemd-journald.socket");
  ASSERT_NE(it, by_id_.end());
  EXPECT_TRUE(IsNull(Cell(result_, it->second, "user")));
}

TEST_F(SystemdUnitsFixtureTest, ObjectPathIsSystemdBusEscaped) {
  EXPECT_EQ(Get("systemd-journald.socket", "object_path"),
            "/org/freedesktop/systemd1/unit/systemd_2djournald_2esocket");
}

TEST(SystemdUnitObjectPathTest, EscapesEveryNonAlphanumericByte) {
  EXPECT_EQ(SystemdUnitObjectPath("ssh.service"), "/org/freedesktop/systemd1/unit/ssh_2eservice");
  EXPECT_EQ(SystemdUnitObjectPath("-.mount"), "/org/freedesktop/systemd1/unit/_2d_2emount");
  EXPECT_EQ(SystemdUnitObjectPath(""), "/org/freedesktop/systemd1/unit/_");
}

TEST(SystemdUnitsTest, BusClientLoadsLibsystemdAndReportsAMissingBus) {
  HostFs fs;
  if (fs.Exists("/run/dbus/system_bus_socket")) GTEST_SKIP() << "this host has a system bus";
  auto units = ListUnitsOverBus(SystemdUnitProperties{}, nullptr);
  ASSERT_FALSE(units.ok());
  EXPECT_EQ(units.status().code(), StatusCode::kUnavailable);
  // libsystemd was found and loaded; only the connection failed.
  EXPECT_NE(units.status().message().find("system bus"), std::string::npos)
      << units.status().message();
}

TEST(SystemdUnitsTest, LiveHostMatchesSystemctlOrIsEmptyWithoutSystemd) {
  SqlFixture sql;
  auto r = sql.Query("SELECT id, active_state FROM systemd_units");
  HostFs fs;
  if (!fs.IsDirectory("/run/systemd/system")) {
    // systemd is not the init system (container, sandbox): no units, no error.
    EXPECT_TRUE(r.rows.empty());
    return;
  }
  auto units =
      RunCommand({"systemctl", "list-units", "--all", "--plain", "--no-legend", "--no-pager"});
  ASSERT_EQ(units.exit_code, 0) << units.err;
  std::set<std::string> expected;
  for (std::string_view line : SplitString(units.out, '\n')) {
    auto fields = SplitWhitespace(line);
    if (!fields.empty()) expected.insert(std::string(fields[0]));
  }
  std::set<std::string> ours;
  for (size_t i = 0; i < r.rows.size(); ++i) ours.insert(ValueToText(Cell(r, i, "id")));
  // Units come and go between the two snapshots; nearly all must agree.
  size_t common = 0;
  for (const std::string& id : expected) common += ours.count(id);
  EXPECT_GE(common * 10, expected.size() * 9) << common << " of " << expected.size();
}

}  // namespace
}  // namespace warden
