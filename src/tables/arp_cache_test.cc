// Tests of arp_cache over a fixture /proc/net/arp, and the live host's rows
// checked against the kernel's own interface list.
#include <gtest/gtest.h>

#include <map>

#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::SqlFixture;

TEST(ArpCacheTableTest, ListsEveryEntryWithItsMacAndInterface) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM arp_cache");
  ASSERT_EQ(r.rows.size(), 4u);
  std::map<std::string, size_t> rows;
  for (size_t i = 0; i < r.rows.size(); ++i) rows[ValueToText(Cell(r, i, "address"))] = i;
  EXPECT_EQ(ValueToText(Cell(r, rows["192.168.1.1"], "mac")), "a4:91:b1:0c:2e:7f");
  EXPECT_EQ(ValueToText(Cell(r, rows["192.168.1.1"], "interface")), "enp0s31f6");
  EXPECT_EQ(ValueToText(Cell(r, rows["10.8.1.1"], "interface")), "eth0");
  EXPECT_EQ(ValueToText(Cell(r, rows["192.168.1.77"], "mac")), "00:00:00:00:00:00");
}

TEST(ArpCacheTableTest, PermanentIsOneOnlyForStaticEntries) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT address FROM arp_cache WHERE permanent = '1'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "address")), "192.168.1.50");
  EXPECT_EQ(sql.Query("SELECT address FROM arp_cache WHERE permanent = '0'").rows.size(), 3u);
}

TEST(ArpCacheTableTest, MacComparesWithoutCase) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT address FROM arp_cache WHERE mac = 'A4:91:B1:0C:2E:7F'");
  ASSERT_EQ(r.rows.size(), 1u);
}

TEST(ArpCacheTableTest, TruncatedOrJunkLinesAreSkipped) {
  testing::TempDir root;
  root.WriteFile("proc/net/arp",
                 "IP address HW type Flags HW address Mask Device\n"
                 "10.0.0.1 0x1 0x2 aa:bb:cc:dd:ee:ff * eth0\n"
                 "10.0.0.2 0x1\n"
                 "\x01\x02\xff garbage\n"
                 "10.0.0.3 0x1 zz aa:bb:cc:dd:ee:00 * eth0\n");
  SqlFixture sql(root.path());
  auto r = sql.Query("SELECT address FROM arp_cache");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "address")), "10.0.0.1");
}

TEST(ArpCacheTableTest, LiveEntriesNameExistingInterfaces) {
  SqlFixture sql;
  auto r = sql.Query(
      "SELECT a.interface, d.interface AS known FROM arp_cache a "
      "LEFT JOIN interface_details d ON a.interface = d.interface");
  for (size_t i = 0; i < r.rows.size(); ++i)
    EXPECT_FALSE(IsNull(Cell(r, i, "known"))) << ValueToText(Cell(r, i, "interface"));
}

}  // namespace
}  // namespace warden
