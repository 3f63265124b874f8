// Tests of interface_ipv6 over the fixture /proc/sys/net/ipv6/conf tree, and
// the live host cross-checked against the sysctl files themselves.
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

std::string Text(const QueryResult& r, size_t row, const std::string& column) {
  return ValueToText(Cell(r, row, column));
}

TEST(InterfaceIpv6TableTest, OneRowPerConfDirectoryExceptAllAndDefault) {
  SqlFixture sql(FixturePath("network/root"));
  auto rows = RowsByInterface(sql.Query("SELECT interface FROM interface_ipv6"));
  std::set<std::string> names;
  for (const auto& [name, i] : rows) names.insert(name);
  EXPECT_EQ(names, (std::set<std::string>{"docker0", "enp0s31f6", "eth0", "lo"}));
}

TEST(InterfaceIpv6TableTest, HopLimitAndForwardingAreTheInterfacesOwn) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM interface_ipv6");
  auto rows = RowsByInterface(r);
  EXPECT_EQ(Text(r, rows["eth0"], "hop_limit"), "128");
  EXPECT_EQ(Text(r, rows["eth0"], "forwarding_enabled"), "1");
  EXPECT_EQ(Text(r, rows["enp0s31f6"], "hop_limit"), "64");
  EXPECT_EQ(Text(r, rows["enp0s31f6"], "forwarding_enabled"), "0");
}

TEST(InterfaceIpv6TableTest, RedirectsNeedBothSettingsOnlyWhenForwarding) {
  // conf/all accepts redirects. enp0s31f6 refuses them but does not forward
  // (either setting suffices); docker0 forwards and refuses (both needed).
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT interface, redirect_accept FROM interface_ipv6");
  auto rows = RowsByInterface(r);
  EXPECT_EQ(Text(r, rows["enp0s31f6"], "redirect_accept"), "1");
  EXPECT_EQ(Text(r, rows["docker0"], "redirect_accept"), "0");
  EXPECT_EQ(Text(r, rows["eth0"], "redirect_accept"), "1");
}

TEST(InterfaceIpv6TableTest, RouterAdvertisementsAreIgnoredWhenForwardingUnlessAcceptRaIsTwo) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT interface, rtadv_accept FROM interface_ipv6");
  auto rows = RowsByInterface(r);
  EXPECT_EQ(Text(r, rows["enp0s31f6"], "rtadv_accept"), "1");  // accept_ra 1, not forwarding
  EXPECT_EQ(Text(r, rows["docker0"], "rtadv_accept"), "0");    // accept_ra 1, forwarding
  EXPECT_EQ(Text(r, rows["eth0"], "rtadv_accept"), "1");       // accept_ra 2, forwarding
}

TEST(InterfaceIpv6TableTest, LiveMatchesTheSysctlFiles) {
  auto ls = RunCommand({"ls", "/proc/sys/net/ipv6/conf"});
  std::set<std::string> expected;
  for (auto name : SplitWhitespace(ls.out))
    if (name != "all" && name != "default") expected.emplace(name);
  SqlFixture sql;
  auto r = sql.Query("SELECT interface, hop_limit, forwarding_enabled FROM interface_ipv6");
  auto rows = RowsByInterface(r);
  std::set<std::string> actual;
  for (const auto& [name, i] : rows) actual.insert(name);
  EXPECT_EQ(actual, expected);
  for (const auto& [name, i] : rows) {
    auto hop = RunCommand({"cat", "/proc/sys/net/ipv6/conf/" + name + "/hop_limit"});
    EXPECT_EQ(Text(r, i, "hop_limit"), std::string(TrimWhitespace(hop.out))) << name;
    auto fwd = RunCommand({"cat", "/proc/sys/net/ipv6/conf/" + name + "/forwarding"});
    EXPECT_EQ(Text(r, i, "forwarding_enabled"), std::string(TrimWhitespace(fwd.out))) << name;
  }
}

}  // namespace
}  // namespace warden
