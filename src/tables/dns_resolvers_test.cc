// Tests of dns_resolvers over fixture resolv.conf files, and the live host
// cross-checked against glibc's own parse (res_init and _res).
#include <gtest/gtest.h>
#include <resolv.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::SqlFixture;
using ::warden::testing::TempDir;

std::vector<std::string> Column(const QueryResult& r, const std::string& column) {
  std::vector<std::string> values;
  for (size_t i = 0; i < r.rows.size(); ++i) values.push_back(ValueToText(Cell(r, i, column)));
  return values;
}

TEST(DnsResolversTableTest, AtMostThreeNameserversThatStartTheirLine) {
  // The fixture lists five; one is indented (glibc ignores it) and the fifth
  // is past MAXNS.
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM dns_resolvers WHERE type = 'nameserver' ORDER BY id");
  EXPECT_EQ(Column(r, "address"),
            (std::vector<std::string>{"10.0.0.2", "2001:db8::53", "10.0.0.3"}));
  EXPECT_EQ(Column(r, "id"), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(Column(r, "netmask"), (std::vector<std::string>{"32", "128", "32"}));
}

TEST(DnsResolversTableTest, EverySearchDomainIsItsOwnRow) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM dns_resolvers WHERE type = 'search' ORDER BY id");
  EXPECT_EQ(Column(r, "address"), (std::vector<std::string>{"corp.example.com", "example.com"}));
  EXPECT_TRUE(IsNull(Cell(r, 0, "netmask")));
}

TEST(DnsResolversTableTest, SortlistMaskIsAPrefixLengthWithClassfulDefault) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM dns_resolvers WHERE type = 'sortlist' ORDER BY id");
  EXPECT_EQ(Column(r, "address"), (std::vector<std::string>{"130.155.160.0", "10.1.0.0"}));
  EXPECT_EQ(Column(r, "netmask"), (std::vector<std::string>{"20", "8"}));
}

TEST(DnsResolversTableTest, OptionsAreGlibcResOptionsBitsOnEveryRow) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT DISTINCT options FROM dns_resolvers");
  ASSERT_EQ(r.rows.size(), 1u);
  // RES_INIT|RES_RECURSE|RES_DEFNAMES|RES_DNSRCH, + rotate, + edns0.
  EXPECT_EQ(ValueToText(Cell(r, 0, "options")), std::to_string(705 + 0x4000 + 0x100000));
}

TEST(DnsResolversTableTest, LastOfDomainAndSearchWins) {
  TempDir root;
  root.WriteFile("etc/resolv.conf",
                 "search a.example b.example\ndomain c.example\nnameserver 192.0.2.53\n");
  SqlFixture sql(root.path());
  auto r = sql.Query("SELECT address FROM dns_resolvers WHERE type = 'search'");
  EXPECT_EQ(Column(r, "address"), (std::vector<std::string>{"c.example"}));
}

TEST(DnsResolversTableTest, WithoutSearchTheHostNamesDomainIsSearched) {
  TempDir root;
  root.WriteFile("etc/resolv.conf", "nameserver 192.0.2.53\n");
  root.WriteFile("proc/sys/kernel/hostname", "web01.corp.example\n");
  SqlFixture sql(root.path());
  auto r = sql.Query("SELECT address FROM dns_resolvers WHERE type = 'search'");
  EXPECT_EQ(Column(r, "address"), (std::vector<std::string>{"corp.example"}));
}

TEST(DnsResolversTableTest, NoResolvConfMeansNoRows) {
  TempDir root;
  SqlFixture sql(root.path());
  EXPECT_TRUE(sql.Query("SELECT * FROM dns_resolvers").rows.empty());
}

TEST(DnsResolversTableTest, JunkLinesAndBadAddressesAreSkipped) {
  TempDir root;
  root.WriteFile("etc/resolv.conf",
                 std::string("nameserver\nnameserver not-an-address\n\x01\xff\xfe junk\n") +
                     "nameserver 192.0.2.53\noptions rotatex ndots:9\nsortlist 300.1.1.1\n");
  SqlFixture sql(root.path());
  auto r = sql.Query("SELECT type, address, options FROM dns_resolvers");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "address")), "192.0.2.53");
  // glibc matches option names by prefix: "rotatex" still sets RES_ROTATE.
  EXPECT_EQ(ValueToText(Cell(r, 0, "options")), std::to_string(705 + 0x4000));
}

TEST(DnsResolversTableTest, LiveMatchesGlibcResInit) {
  if (std::getenv("RES_OPTIONS") != nullptr || std::getenv("LOCALDOMAIN") != nullptr)
    GTEST_SKIP() << "resolver environment variables change glibc's view";
  ASSERT_EQ(res_init(), 0);
  SqlFixture sql;
  auto nameservers = sql.Query("SELECT options FROM dns_resolvers WHERE type = 'nameserver'");
  EXPECT_EQ(nameservers.rows.size(), static_cast<size_t>(_res.nscount));
  auto sortlist = sql.Query("SELECT id FROM dns_resolvers WHERE type = 'sortlist'");
  EXPECT_EQ(sortlist.rows.size(), static_cast<size_t>(_res.nsort));
  size_t search = 0;
  while (search < MAXDNSRCH && _res.dnsrch[search] != nullptr) ++search;
  auto domains = sql.Query("SELECT address FROM dns_resolvers WHERE type = 'search' ORDER BY id");
  ASSERT_EQ(domains.rows.size(), search);
  for (size_t i = 0; i < search; ++i)
    EXPECT_EQ(ValueToText(Cell(domains, i, "address")), _res.dnsrch[i]);
  if (!nameservers.rows.empty()) {
    EXPECT_EQ(ValueToText(Cell(nameservers, 0, "options")),
              std::to_string(static_cast<unsigned long>(_res.options)));
  }
}

TEST(DnsResolversTableTest, LivePidWithNamespaceReadsThatProcesssView) {
  SqlFixture sql;
  auto host = sql.Query("SELECT type, address FROM dns_resolvers");
  std::string pid = std::to_string(::getpid());
  auto mine = sql.Query(
      "SELECT type, address, pid_with_namespace FROM dns_resolvers "
      "WHERE pid_with_namespace = " +
      pid);
  EXPECT_EQ(Column(mine, "address"), Column(host, "address"));
  for (const auto& value : Column(mine, "pid_with_namespace")) EXPECT_EQ(value, pid);
}

}  // namespace
}  // namespace warden
