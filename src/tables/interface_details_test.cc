// Tests of interface_details over the fixture /sys/class/net tree, and the
// live host cross-checked against /sys/class/net and `ip -o link`.
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
using ::warden::testing::RunCommand;
using ::warden::testing::SqlFixture;

std::map<std::string, size_t> RowsByInterface(const QueryResult& r) {
  std::map<std::string, size_t> rows;
  for (size_t i = 0; i < r.rows.size(); ++i) rows[ValueToText(Cell(r, i, "interface"))] = i;
  return rows;
}

int64_t Int(const QueryResult& r, size_t row, const std::string& column) {
  const Value& v = Cell(r, row, column);
  EXPECT_TRUE(std::holds_alternative<int64_t>(v)) << column << " is not an integer";
  return std::holds_alternative<int64_t>(v) ? std::get<int64_t>(v) : -999;
}

TEST(InterfaceDetailsTableTest, OneRowPerSysClassNetEntry) {
  SqlFixture sql(FixturePath("network/root"));
  auto rows = RowsByInterface(sql.Query("SELECT interface FROM interface_details"));
  std::set<std::string> names;
  for (const auto& [name, i] : rows) names.insert(name);
  EXPECT_EQ(names, (std::set<std::string>{"docker0", "enp0s31f6", "eth0", "lo", "tun0"}));
}

TEST(InterfaceDetailsTableTest, FlagsAddTheKernelsRunningAndLowerUpBits) {
  // What getifaddrs reports: lo 0x10049, a linked NIC 0x11043, a bridge
  // without carrier only its configured 0x1003.
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT interface, flags FROM interface_details");
  auto rows = RowsByInterface(r);
  EXPECT_EQ(Int(r, rows["lo"], "flags"), 0x10049);
  EXPECT_EQ(Int(r, rows["eth0"], "flags"), 0x11043);
  EXPECT_EQ(Int(r, rows["docker0"], "flags"), 0x1003);
}

TEST(InterfaceDetailsTableTest, TypeMtuAndCountersComeFromSysfs) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM interface_details WHERE interface = 'enp0s31f6'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Int(r, 0, "type"), 1);
  EXPECT_EQ(Int(r, 0, "mtu"), 1500);
  EXPECT_EQ(Int(r, 0, "ipackets"), 8839211);
  EXPECT_EQ(Int(r, 0, "opackets"), 5120377);
  EXPECT_EQ(Int(r, 0, "ibytes"), 11982763211);  // past 2^32: kept whole
  EXPECT_EQ(Int(r, 0, "obytes"), 702287344);
  EXPECT_EQ(Int(r, 0, "ierrors"), 3);
  EXPECT_EQ(Int(r, 0, "idrops"), 1842);
  EXPECT_EQ(Int(r, 0, "collisions"), 0);
  EXPECT_EQ(Int(r, 0, "metric"), 0);
  EXPECT_EQ(Int(r, 0, "last_change"), -1);
}

TEST(InterfaceDetailsTableTest, MacIsSixBytesEvenWithoutAHardwareAddress) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT interface, mac, type FROM interface_details");
  auto rows = RowsByInterface(r);
  EXPECT_EQ(ValueToText(Cell(r, rows["enp0s31f6"], "mac")), "00:11:22:33:44:55");
  EXPECT_EQ(ValueToText(Cell(r, rows["tun0"], "mac")), "00:00:00:00:00:00");
  EXPECT_EQ(Int(r, rows["tun0"], "type"), 65534);
}

TEST(InterfaceDetailsTableTest, LinkSpeedIsZeroWhenTheDriverDoesNotKnow) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT interface, link_speed FROM interface_details");
  auto rows = RowsByInterface(r);
  EXPECT_EQ(Int(r, rows["enp0s31f6"], "link_speed"), 1000);
  EXPECT_EQ(Int(r, rows["eth0"], "link_speed"), 0);  // speed reads -1
  EXPECT_EQ(Int(r, rows["lo"], "link_speed"), 0);    // no speed file
}

TEST(InterfaceDetailsTableTest, PciSlotIsTheBusAddressBehindTheInterface) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT interface, pci_slot FROM interface_details");
  auto rows = RowsByInterface(r);
  EXPECT_EQ(ValueToText(Cell(r, rows["enp0s31f6"], "pci_slot")), "0000:00:1f.6");
  EXPECT_EQ(ValueToText(Cell(r, rows["eth0"], "pci_slot")), "0000:00:03.0");  // through virtio2
  EXPECT_TRUE(IsNull(Cell(r, rows["lo"], "pci_slot")));
}

TEST(InterfaceDetailsTableTest, ConstraintWithAPathIsNotFollowed) {
  SqlFixture sql(FixturePath("network/root"));
  EXPECT_TRUE(
      sql.Query("SELECT * FROM interface_details WHERE interface = '../../../etc'").rows.empty());
}

TEST(InterfaceDetailsTableTest, JunkAttributesGiveNullsNotFailures) {
  testing::TempDir root;
  root.WriteFile("sys/class/net/weird0/flags", "0x1003\n");
  root.WriteFile("sys/class/net/weird0/address", "zz:zz\n");
  root.WriteFile("sys/class/net/weird0/mtu", "\xff\xfe\n");
  root.WriteFile("sys/class/net/weird0/statistics/rx_bytes", "lots\n");
  root.WriteFile("sys/class/net/notanif/uevent", "INTERFACE=notanif\n");  // no flags: skipped
  SqlFixture sql(root.path());
  auto r = sql.Query("SELECT * FROM interface_details");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "mac")), "00:00:00:00:00:00");
  EXPECT_EQ(Int(r, 0, "flags"), 0x1003);  // no operstate: not running
  EXPECT_TRUE(IsNull(Cell(r, 0, "ibytes")));
  EXPECT_TRUE(IsNull(Cell(r, 0, "pci_slot")));
}

TEST(InterfaceDetailsTableTest, LiveNamesMatchSysClassNet) {
  auto ls = RunCommand({"ls", "/sys/class/net"});
  std::set<std::string> expected;
  for (auto name : SplitWhitespace(ls.out)) expected.emplace(name);
  SqlFixture sql;
  auto r = sql.Query("SELECT interface FROM interface_details");
  std::set<std::string> actual;
  for (size_t i = 0; i < r.rows.size(); ++i) actual.insert(ValueToText(Cell(r, i, "interface")));
  EXPECT_EQ(actual, expected);
}

TEST(InterfaceDetailsTableTest, LiveMtuAndMacMatchIpLink) {
  // "4: eth0: <BROADCAST,...> mtu 1400 qdisc ... link/ether 02:fc:00:00:00:01 brd ..."
  auto ip = RunCommand({"ip", "-o", "link", "show"});
  if (ip.exit_code != 0) GTEST_SKIP() << "no ip command";
  SqlFixture sql;
  auto r = sql.Query("SELECT interface, mtu, mac FROM interface_details");
  auto rows = RowsByInterface(r);
  size_t checked = 0;
  for (std::string_view line : SplitString(ip.out, '\n')) {
    auto words = SplitWhitespace(line);
    if (words.size() < 3) continue;
    std::string name(words[1].substr(0, words[1].find_first_of(":@")));
    auto it = rows.find(name);
    ASSERT_NE(it, rows.end()) << name << " is in `ip link` but not in the table";
    for (size_t i = 2; i + 1 < words.size(); ++i) {
      if (words[i] == "mtu") {
        int64_t mtu = 0;
        ASSERT_TRUE(ParseInt64(words[i + 1], &mtu));
        EXPECT_EQ(Int(r, it->second, "mtu"), mtu) << name;
      }
      if (words[i] == "link/ether") {
        EXPECT_EQ(ValueToText(Cell(r, it->second, "mac")), words[i + 1]) << name;
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 0u);
}

}  // namespace
}  // namespace warden
