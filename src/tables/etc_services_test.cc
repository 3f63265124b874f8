// Tests of etc_services over a fixture /etc/services, and the live host
// cross-checked against `getent services`.
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

// "name/protocol" -> row.
std::map<std::string, size_t> RowsByService(const QueryResult& r) {
  std::map<std::string, size_t> rows;
  for (size_t i = 0; i < r.rows.size(); ++i)
    rows[ValueToText(Cell(r, i, "name")) + "/" + ValueToText(Cell(r, i, "protocol"))] = i;
  return rows;
}

TEST(EtcServicesTableTest, OneRowPerServiceLineAndJunkSkipped) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM etc_services");
  auto rows = RowsByService(r);
  EXPECT_EQ(r.rows.size(), 11u);
  EXPECT_TRUE(rows.count("domain/tcp"));
  EXPECT_TRUE(rows.count("domain/udp"));
  EXPECT_FALSE(rows.count("broken/tcp"));  // "notaport/tcp"
  EXPECT_EQ(ValueToText(Cell(r, rows["ssh/tcp"], "port")), "22");
  EXPECT_TRUE(std::holds_alternative<int64_t>(Cell(r, rows["ssh/tcp"], "port")));
}

TEST(EtcServicesTableTest, AliasesAreJoinedAndEmptyWhenNone) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM etc_services");
  auto rows = RowsByService(r);
  EXPECT_EQ(ValueToText(Cell(r, rows["discard/tcp"], "aliases")), "sink null");
  EXPECT_EQ(ValueToText(Cell(r, rows["kerberos/tcp"], "aliases")), "kerberos5 krb5 kerberos-sec");
  EXPECT_EQ(ValueToText(Cell(r, rows["ftp/tcp"], "aliases")), "");
}

TEST(EtcServicesTableTest, CommentLosesItsHashAndIsNullWhenAbsent) {
  SqlFixture sql(FixturePath("network/root"));
  auto r = sql.Query("SELECT * FROM etc_services");
  auto rows = RowsByService(r);
  EXPECT_EQ(ValueToText(Cell(r, rows["ssh/tcp"], "comment")), "SSH Remote Login Protocol");
  EXPECT_EQ(ValueToText(Cell(r, rows["http/tcp"], "comment")), "WorldWideWeb HTTP");
  EXPECT_EQ(ValueToText(Cell(r, rows["kerberos/tcp"], "comment")), "Kerberos v5 # see RFC 4120");
  EXPECT_TRUE(IsNull(Cell(r, rows["echo/udp"], "comment")));
}

TEST(EtcServicesTableTest, LiveEveryGetentServiceIsListed) {
  auto getent = RunCommand({"getent", "services"});
  if (getent.exit_code != 0) GTEST_SKIP() << "no services database";
  SqlFixture sql;
  auto r = sql.Query("SELECT * FROM etc_services");
  auto rows = RowsByService(r);
  size_t checked = 0;
  for (std::string_view line : SplitString(getent.out, '\n')) {
    auto words = SplitWhitespace(line);
    if (words.size() < 2) continue;
    auto port_protocol = SplitString(words[1], '/');
    ASSERT_EQ(port_protocol.size(), 2u) << line;
    std::string key = std::string(words[0]) + "/" + std::string(port_protocol[1]);
    auto it = rows.find(key);
    ASSERT_NE(it, rows.end()) << key;
    EXPECT_EQ(ValueToText(Cell(r, it->second, "port")), port_protocol[0]) << key;
    ++checked;
  }
  EXPECT_EQ(checked, r.rows.size());
}

}  // namespace
}  // namespace warden
