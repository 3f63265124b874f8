// Tests of routes over fixture /proc/net/route and /proc/net/ipv6_route
// files, and the live host cross-checked against `ip route` / `ip -6 route`.
#include <gtest/gtest.h>

#include <map>

#include "core/strings.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::RunCommand;
using ::warden::testing::SqlFixture;

// "destination/netmask" -> row.
std::map<std::string, size_t> RowsByPrefix(const QueryResult& r) {
  std::map<std::string, size_t> rows;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    rows[ValueToText(Cell(r, i, "destination")) + "/" + ValueToText(Cell(r, i, "netmask"))] = i;
  }
  return rows;
}

std::string Text(const QueryResult& r, size_t row, const std::string& column) {
  return ValueToText(Cell(r, row, column));
}

TEST(RoutesTableTest, FixtureHasEveryRouteExceptTheIpv6NullEntry) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM routes");
  EXPECT_EQ(r.rows.size(), 11u);  // 5 IPv4 + 7 IPv6 lines, minus the null entry
  auto rows = RowsByPrefix(r);
  EXPECT_EQ(rows.size(), 11u);
}

TEST(RoutesTableTest, Ipv4DefaultRouteHasGatewayMetricAndFlags) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM routes");
  auto rows = RowsByPrefix(r);
  ASSERT_TRUE(rows.count("0.0.0.0/0"));
  size_t def = rows["0.0.0.0/0"];
  EXPECT_EQ(Text(r, def, "gateway"), "192.168.1.1");
  EXPECT_EQ(Text(r, def, "interface"), "enp0s31f6");
  EXPECT_EQ(Text(r, def, "metric"), "100");
  EXPECT_EQ(Text(r, def, "flags"), "3");  // RTF_UP | RTF_GATEWAY
  EXPECT_EQ(Text(r, def, "type"), "gateway");
  EXPECT_TRUE(IsNull(Cell(r, def, "source")));  // /proc/net/route has no source
}

TEST(RoutesTableTest, Ipv4NetmaskIsThePrefixLength) {
  SqlFixture sql(FixturePath("network/root"));
  auto rows = RowsByPrefix(sql.Query("SELECT destination, netmask FROM routes"));
  EXPECT_TRUE(rows.count("192.168.1.0/24"));
  EXPECT_TRUE(rows.count("10.8.0.0/16"));
  EXPECT_TRUE(rows.count("10.9.9.9/32"));
  EXPECT_TRUE(rows.count("172.16.0.0/12"));
}

TEST(RoutesTableTest, OnLinkRouteHasNoGatewayAndMtuComesFromTheFile) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM routes");
  auto rows = RowsByPrefix(r);
  EXPECT_TRUE(IsNull(Cell(r, rows["192.168.1.0/24"], "gateway")));
  EXPECT_EQ(Text(r, rows["192.168.1.0/24"], "type"), "gateway");  // osquery: every unicast route
  EXPECT_EQ(Text(r, rows["10.8.0.0/16"], "mtu"), "1460");
  EXPECT_EQ(Text(r, rows["10.9.9.9/32"], "flags"), "7");  // host route: RTF_HOST
}

TEST(RoutesTableTest, UnreachableRouteHasNoInterfaceAndTypeOther) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM routes WHERE destination = '172.16.0.0'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(IsNull(Cell(r, 0, "interface")));
  EXPECT_EQ(Text(r, 0, "type"), "other");
}

TEST(RoutesTableTest, Ipv6RoutesCarryTypeFromKernelFlags) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM routes");
  auto rows = RowsByPrefix(r);
  ASSERT_TRUE(rows.count("::/0"));
  EXPECT_EQ(Text(r, rows["::/0"], "gateway"), "fe80::211:22ff:fe33:4455");
  EXPECT_EQ(Text(r, rows["::/0"], "metric"), "1024");
  EXPECT_EQ(Text(r, rows["::/0"], "type"), "gateway");
  EXPECT_EQ(Text(r, rows["::1/128"], "type"), "local");
  EXPECT_EQ(Text(r, rows["::1/128"], "interface"), "lo");
  EXPECT_EQ(Text(r, rows["2001:db8:1::10/128"], "type"), "local");
  EXPECT_EQ(Text(r, rows["ff00::/8"], "type"), "other");
  EXPECT_EQ(Text(r, rows["2001:db8:1::/64"], "type"), "gateway");
  EXPECT_TRUE(IsNull(Cell(r, rows["2001:db8:1::/64"], "gateway")));
}

TEST(RoutesTableTest, MissingFilesMeanNoRows) {
  testing::TempDir empty_root;
  SqlFixture sql(empty_root.path());
  EXPECT_TRUE(sql.Query("SELECT * FROM routes").rows.empty());
}

TEST(RoutesTableTest, JunkLinesAreSkippedNotFatal) {
  testing::TempDir root;
  root.WriteFile(
      "proc/net/route",
      "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n"
      "eth0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n"
      "eth0\tZZZZZZZZ\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n"
      "eth0\t0000000A\n"
      "\x01\xff\xfe\n");
  root.WriteFile("proc/net/ipv6_route",
                 "20010db8000000000000000000000000 ff 00000000000000000000000000000000 00 "
                 "00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth0\n"
                 "20010db8 40 0000\n");
  SqlFixture sql(root.path());
  auto r = sql.Query("SELECT destination, netmask FROM routes");
  ASSERT_EQ(r.rows.size(), 1u);  // only the first IPv4 line is whole
  EXPECT_EQ(Text(r, 0, "destination"), "10.0.0.0");
  EXPECT_EQ(Text(r, 0, "netmask"), "8");
}

// One `ip route` line: destination/prefix, gateway, device, source.
struct IpRoute {
  std::string prefix;
  std::string gateway;
  std::string device;
  std::string source;
};

std::vector<IpRoute> LiveIpRoutes(bool v6) {
  auto ip = RunCommand({"ip", v6 ? "-6" : "-4", "route", "show", "table", "main"});
  std::vector<IpRoute> routes;
  for (std::string_view line : SplitString(ip.out, '\n')) {
    auto words = SplitWhitespace(line);
    if (words.empty()) continue;
    std::string destination(words[0]);
    // Lines that start with a route type (unreachable, blackhole, ...) are
    // left out: the table names those by type, not by a device.
    if (destination != "default" && destination.find_first_of("0123456789abcdef:") != 0) continue;
    IpRoute route;
    if (destination == "default")
      route.prefix = v6 ? "::/0" : "0.0.0.0/0";
    else if (destination.find('/') == std::string::npos)
      route.prefix = destination + (v6 ? "/128" : "/32");
    else
      route.prefix = destination;
    for (size_t i = 1; i + 1 < words.size(); ++i) {
      if (words[i] == "via") route.gateway = std::string(words[i + 1]);
      if (words[i] == "dev") route.device = std::string(words[i + 1]);
      if (words[i] == "src") route.source = std::string(words[i + 1]);
    }
    routes.push_back(route);
  }
  return routes;
}

void ExpectIpRoutesListed(bool v6) {
  auto expected = LiveIpRoutes(v6);
  SqlFixture sql;
  auto r = sql.Query("SELECT * FROM routes");
  auto rows = RowsByPrefix(r);
  for (const auto& route : expected) {
    // ip prints IPv6 prefixes in the same canonical form as inet_ntop.
    auto it = rows.find(route.prefix);
    ASSERT_NE(it, rows.end()) << route.prefix << " is in `ip route` but not in the table";
    if (!route.gateway.empty()) {
      EXPECT_EQ(Text(r, it->second, "gateway"), route.gateway) << route.prefix;
    }
    if (!route.device.empty()) {
      EXPECT_EQ(Text(r, it->second, "interface"), route.device) << route.prefix;
    }
    if (!route.source.empty()) {
      EXPECT_EQ(Text(r, it->second, "source"), route.source) << route.prefix;
    }
  }
}

TEST(RoutesTableTest, LiveIpv4MainTableMatchesIpRoute) { ExpectIpRoutesListed(false); }

TEST(RoutesTableTest, LiveIpv6MainTableMatchesIpRoute) { ExpectIpRoutesListed(true); }

TEST(RoutesTableTest, LiveDefaultRoutePresentWhenIpShowsOne) {
  SqlFixture sql;
  for (bool v6 : {false, true}) {
    auto ip = RunCommand({"ip", v6 ? "-6" : "-4", "route", "show", "default"});
    if (TrimWhitespace(ip.out).empty()) continue;
    auto r = sql.Query(std::string("SELECT * FROM routes WHERE netmask = 0 AND destination = '") +
                       (v6 ? "::" : "0.0.0.0") + "' AND type = 'gateway'");
    EXPECT_FALSE(r.rows.empty()) << (v6 ? "IPv6" : "IPv4") << " default route missing";
  }
}

TEST(RoutesTableTest, LiveIpv4LocalTableRoutesAreTypedLocal) {
  // The local table (from netlink) holds a "local" route for each address.
  auto ip = RunCommand({"ip", "-4", "route", "show", "table", "local", "type", "local"});
  size_t expected = 0;
  for (std::string_view line : SplitString(ip.out, '\n'))
    if (!TrimWhitespace(line).empty()) ++expected;
  SqlFixture sql;
  auto r = sql.Query("SELECT * FROM routes WHERE type = 'local' AND destination LIKE '%.%'");
  EXPECT_EQ(r.rows.size(), expected);
}

}  // namespace
}  // namespace warden
