// Tests of etc_protocols over a fixture /etc/protocols, and the live host
// cross-checked against `getent protocols`.
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

std::map<std::string, size_t> RowsByName(const QueryResult& r) {
  std::map<std::string, size_t> rows;
  for (size_t i = 0; i < r.rows.size(); ++i) rows[ValueToText(Cell(r, i, "name"))] = i;
  return rows;
}

TEST(EtcProtocolsTableTest, OneRowPerProtocolLineWithNumberAliasAndComment) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM etc_protocols");
  auto rows = RowsByName(r);
  EXPECT_EQ(r.rows.size(), 9u);
  ASSERT_TRUE(rows.count("tcp"));
  EXPECT_EQ(ValueToText(Cell(r, rows["tcp"], "number")), "6");
  EXPECT_EQ(ValueToText(Cell(r, rows["tcp"], "alias")), "TCP");
  EXPECT_EQ(ValueToText(Cell(r, rows["tcp"], "comment")), "transmission control protocol");
  EXPECT_EQ(ValueToText(Cell(r, rows["ipv6-icmp"], "number")), "58");
}

TEST(EtcProtocolsTableTest, MissingAliasIsNullAndBadNumbersAreSkipped) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM etc_protocols");
  auto rows = RowsByName(r);
  ASSERT_TRUE(rows.count("manet"));
  EXPECT_TRUE(IsNull(Cell(r, rows["manet"], "alias")));
  EXPECT_FALSE(rows.count("broken"));
}

TEST(EtcProtocolsTableTest, LiveEveryGetentProtocolIsListed) {
  auto getent = RunCommand({"getent", "protocols"});
  if (getent.exit_code != 0) GTEST_SKIP() << "no protocols database";
  SqlFixture sql;
  auto r = sql.Query("SELECT * FROM etc_protocols");
  auto rows = RowsByName(r);
  size_t checked = 0;
  for (std::string_view line : SplitString(getent.out, '\n')) {
    auto words = SplitWhitespace(line);
    if (words.size() < 2) continue;
    auto it = rows.find(std::string(words[0]));
    ASSERT_NE(it, rows.end()) << words[0];
    EXPECT_EQ(ValueToText(Cell(r, it->second, "number")), words[1]) << words[0];
    std::string aliases;
    for (size_t i = 2; i < words.size(); ++i) aliases += (i > 2 ? " " : "") + std::string(words[i]);
    EXPECT_EQ(ValueToText(Cell(r, it->second, "alias")), aliases) << words[0];
    ++checked;
  }
  EXPECT_EQ(checked, r.rows.size());
}

}  // namespace
}  // namespace warden
