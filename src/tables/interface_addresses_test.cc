// Tests of interface_addresses over the network fixture tree (IPv6 from
// /proc/net/if_inet6 only, since IPv4 comes from netlink on the live host),
// the address-origin rules, and the live host cross-checked against `ip -o addr`.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/strings.h"
#include "tables/address_origin.h"
#include "tables/network_address_text.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::RunCommand;
using ::warden::testing::SqlFixture;

std::map<std::string, size_t> RowsByAddress(const QueryResult& r) {
  std::map<std::string, size_t> rows;
  for (size_t i = 0; i < r.rows.size(); ++i) rows[ValueToText(Cell(r, i, "address"))] = i;
  return rows;
}

TEST(InterfaceAddressesTableTest, FixtureListsEveryIfInet6Address) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM interface_addresses");
  auto rows = RowsByAddress(r);
  EXPECT_EQ(rows.size(), 7u);
  ASSERT_TRUE(rows.count("::1"));
  EXPECT_EQ(ValueToText(Cell(r, rows["::1"], "interface")), "lo");
  ASSERT_TRUE(rows.count("2001:db8:1::10"));
  EXPECT_EQ(ValueToText(Cell(r, rows["2001:db8:1::10"], "interface")), "enp0s31f6");
}

TEST(InterfaceAddressesTableTest, NotLiveRootHasNoIpv4Addresses) {
  // IPv4 addresses only come from netlink, which would describe this machine,
  // not the fixture.
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT address FROM interface_addresses WHERE address LIKE '%.%'");
  EXPECT_TRUE(r.rows.empty());
}

TEST(InterfaceAddressesTableTest, LinkLocalAddressCarriesItsInterfaceScope) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT address FROM interface_addresses WHERE address LIKE 'fe80:%'");
  std::set<std::string> addresses;
  for (size_t i = 0; i < r.rows.size(); ++i) addresses.insert(ValueToText(Cell(r, i, "address")));
  EXPECT_EQ(addresses, (std::set<std::string>{"fe80::211:22ff:fe33:4455%enp0s31f6",
                                              "fe80::42:acff:fe11:1%docker0"}));
}

TEST(InterfaceAddressesTableTest, Ipv6MaskIsPrintedAsAnAddress) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT address, mask, broadcast, point_to_point FROM interface_addresses");
  auto rows = RowsByAddress(r);
  EXPECT_EQ(ValueToText(Cell(r, rows["2001:db8:1::10"], "mask")), "ffff:ffff:ffff:ffff::");
  EXPECT_EQ(ValueToText(Cell(r, rows["::1"], "mask")), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  EXPECT_TRUE(IsNull(Cell(r, rows["2001:db8:1::10"], "broadcast")));
  EXPECT_TRUE(IsNull(Cell(r, rows["2001:db8:1::10"], "point_to_point")));
}

TEST(InterfaceAddressesTableTest, TypeFollowsTheKernelsAddressFlags) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT address, type FROM interface_addresses");
  auto rows = RowsByAddress(r);
  auto type_of = [&](const std::string& address) {
    return ValueToText(Cell(r, rows.at(address), "type"));
  };
  EXPECT_EQ(type_of("::1"), "unknown");
  EXPECT_EQ(type_of("2001:db8:1::10"), "manual");                  // permanent
  EXPECT_EQ(type_of("2001:db8:1:0:211:22ff:fe33:4455"), "auto");   // SLAAC, dynamic /64
  EXPECT_EQ(type_of("2001:db8:1:0:9c4e:1a2b:3c4d:5e6f"), "auto");  // privacy address
  EXPECT_EQ(type_of("2001:db8:1::1:2a"), "dhcp");                  // dynamic /128
  EXPECT_EQ(type_of("fe80::211:22ff:fe33:4455%enp0s31f6"), "auto");
}

TEST(InterfaceAddressesTableTest, InterfaceConstraintKeepsOnlyThatInterface) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT interface FROM interface_addresses WHERE interface = 'docker0'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "interface")), "docker0");
}

TEST(InterfaceAddressesTableTest, MissingIfInet6MeansNoRows) {
  testing::TempDir empty_root;
  SqlFixture sql(empty_root.path());
  EXPECT_TRUE(sql.Query("SELECT * FROM interface_addresses").rows.empty());
}

TEST(InterfaceAddressesTableTest, MalformedIfInet6LinesAreSkipped) {
  testing::TempDir root;
  root.WriteFile("proc/net/if_inet6",
                 "fe80000000000000021122fffe334455 02 40 20 80 eth0\n"
                 "fe80000000000000021122fffe3344 02 40 20 80 eth0\n"    // short address
                 "fe80000000000000021122fffe334455 02 99 20 80 eth0\n"  // prefix 0x99 > 128
                 "fe80000000000000021122fffe334455 02\n"
                 "\xff\xfe\x00 junk\n");
  SqlFixture sql(root.path());
  auto r = sql.Query("SELECT address FROM interface_addresses");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "address")), "fe80::211:22ff:fe33:4455%eth0");
}

AddressFacts Facts(const char* text, int prefix, bool permanent, bool temporary = false) {
  return AddressFacts{*ParseIpAddressText(text), prefix, permanent, temporary};
}

TEST(AddressOriginTest, Ipv4WithALeaseIsDhcpAndWithoutOneIsManual) {
  EXPECT_EQ(AddressOriginType(Facts("192.168.1.20", 24, false)), "dhcp");
  EXPECT_EQ(AddressOriginType(Facts("192.168.1.20", 24, true)), "manual");
}

TEST(AddressOriginTest, LinkLocalIsAutoAndLoopbackUnknown) {
  EXPECT_EQ(AddressOriginType(Facts("169.254.10.1", 16, true)), "auto");
  EXPECT_EQ(AddressOriginType(Facts("127.0.0.1", 8, true)), "unknown");
  EXPECT_EQ(AddressOriginType(Facts("fe80::1", 64, true)), "auto");
}

// "4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\ ..." ->
// address, prefix, broadcast.
struct IpAddrLine {
  std::string address;
  int prefix = 0;
  std::string broadcast;
};

std::vector<IpAddrLine> LiveIpAddresses() {
  auto ip = RunCommand({"ip", "-o", "addr", "show"});
  std::vector<IpAddrLine> lines;
  for (std::string_view line : SplitString(ip.out, '\n')) {
    auto words = SplitWhitespace(line);
    if (words.size() < 4 || (words[2] != "inet" && words[2] != "inet6")) continue;
    IpAddrLine entry;
    auto slash = words[3].find('/');
    entry.address = std::string(words[3].substr(0, slash));
    int64_t prefix = words[2] == "inet" ? 32 : 128;
    if (slash != std::string_view::npos) ParseInt64(words[3].substr(slash + 1), &prefix);
    entry.prefix = static_cast<int>(prefix);
    for (size_t i = 4; i + 1 < words.size(); ++i)
      if (words[i] == "brd") entry.broadcast = std::string(words[i + 1]);
    lines.push_back(entry);
  }
  return lines;
}

TEST(InterfaceAddressesTableTest, LiveListsEveryAddressIpShowsWithItsMask) {
  auto expected = LiveIpAddresses();
  if (expected.empty()) GTEST_SKIP() << "`ip -o addr` lists nothing here";
  SqlFixture sql;
  auto r = sql.Query("SELECT address, mask, broadcast FROM interface_addresses");
  std::map<std::string, size_t> rows;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    std::string address = ValueToText(Cell(r, i, "address"));
    rows[address.substr(0, address.find('%'))] = i;
  }
  for (const auto& line : expected) {
    auto it = rows.find(line.address);
    ASSERT_NE(it, rows.end()) << line.address << " is in `ip addr` but not in the table";
    auto mask = ParseIpAddressText(ValueToText(Cell(r, it->second, "mask")));
    ASSERT_TRUE(mask.has_value()) << line.address;
    EXPECT_EQ(MaskToPrefix(*mask), line.prefix) << line.address;
    if (!line.broadcast.empty()) {
      EXPECT_EQ(ValueToText(Cell(r, it->second, "broadcast")), line.broadcast) << line.address;
    }
  }
}

}  // namespace
}  // namespace warden
