// Tests of etc_hosts over a fixture /etc/hosts, and the live host
// cross-checked against `getent hosts`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "core/strings.h"
#include "tables/home_trap_test_util.h"
#include "tables/network_address_text.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::HomeTrapRoot;
using ::warden::testing::RunCommand;
using ::warden::testing::SqlFixture;

TEST(EtcHostsTableTest, OneRowPerAddressLineWithNamesJoined) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM etc_hosts");
  std::map<std::string, std::string> names;
  for (size_t i = 0; i < r.rows.size(); ++i)
    names[ValueToText(Cell(r, i, "address"))] = ValueToText(Cell(r, i, "hostnames"));
  EXPECT_EQ(names.size(), 7u);
  EXPECT_EQ(names["127.0.1.1"], "web01.corp.example.com web01");
  EXPECT_EQ(names["::1"], "localhost ip6-localhost ip6-loopback");
  EXPECT_EQ(names["10.0.0.30"], "");  // an address without names
  EXPECT_FALSE(names.count("#10.0.0.99"));
  EXPECT_FALSE(names.count("10.0.0.99"));
}

TEST(EtcHostsTableTest, CommentsEndTheLineAnywhere) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT address, hostnames FROM etc_hosts WHERE address LIKE '10.0.0.2%'");
  std::map<std::string, std::string> names;
  for (size_t i = 0; i < r.rows.size(); ++i)
    names[ValueToText(Cell(r, i, "address"))] = ValueToText(Cell(r, i, "hostnames"));
  EXPECT_EQ(names["10.0.0.20"], "db01.corp.example.com db01");
  EXPECT_EQ(names["10.0.0.21"], "cache01");
}

TEST(EtcHostsTableTest, AnswersToItsHostsAlias) {
  SqlFixture sql(FixturePath("network/root"));
  EXPECT_EQ(sql.Query("SELECT * FROM hosts").rows.size(),
            sql.Query("SELECT * FROM etc_hosts").rows.size());
}

TEST(EtcHostsTableTest, PidWithNamespaceIsZeroForTheHostsOwnFile) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT DISTINCT pid_with_namespace FROM etc_hosts");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "pid_with_namespace")), "0");
}

TEST(EtcHostsTableTest, PidWithNamespaceZeroMeansTheHost) {
  SqlFixture sql(FixturePath("network/root"));
  EXPECT_EQ(sql.Query("SELECT * FROM etc_hosts WHERE pid_with_namespace = 0").rows.size(),
            sql.Query("SELECT * FROM etc_hosts").rows.size());
}

TEST(EtcHostsTableTest, LivePidWithNamespaceReadsThatProcesssView) {
  SqlFixture sql;
  std::string pid = std::to_string(::getpid());
  auto host = sql.Query("SELECT address, hostnames FROM etc_hosts");
  auto mine =
      sql.Query("SELECT address, hostnames FROM etc_hosts WHERE pid_with_namespace = " + pid);
  EXPECT_EQ(mine.rows, host.rows);
}

TEST(EtcHostsTableTest, LiveEveryNameResolvesToItsAddressWithGetent) {
  // getent hosts NAME answers from /etc/hosts first (nsswitch "files"); the
  // first line mentioning a name is the one it returns.
  SqlFixture sql;
  auto r = sql.Query("SELECT address, hostnames FROM etc_hosts");
  std::map<std::string, std::string> first_address;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const std::string hostnames = ValueToText(Cell(r, i, "hostnames"));
    for (auto name : SplitWhitespace(hostnames))
      first_address.emplace(std::string(name), ValueToText(Cell(r, i, "address")));
  }
  for (const auto& [name, address] : first_address) {
    auto getent = RunCommand({"getent", "-s", "files", "hosts", name});
    auto words = SplitWhitespace(getent.out);
    if (words.empty()) continue;  // IPv4/IPv6 family filtering may hide it
    auto expected = ParseIpAddressText(address);
    auto actual = ParseIpAddressText(words[0]);
    if (expected && actual && expected->is_v6 == actual->is_v6) {
      EXPECT_EQ(IpAddressText(*actual), IpAddressText(*expected)) << name;
    }
  }
}

TEST(EtcHostsTableTest, SymlinkInAProcessRootResolvesInsideThatRoot) {
  // A user's own mount namespace may make /etc/hosts a symlink to
  // "/etc/shadow": it must mean that namespace's file, not the host's.
  HomeTrapRoot root;
  root.Write("proc/77/root/etc/.keep", "");
  root.Symlink("/etc/shadow", "proc/77/root/etc/hosts");
  auto r = root.QueryWithoutHanging("SELECT address FROM etc_hosts WHERE pid_with_namespace = 77");
  EXPECT_TRUE(r.rows.empty()) << ValueToText(Cell(r, 0, "address"));
}

}  // namespace
}  // namespace warden
