// Tests of the shadow table over the fixture shadow file, and a live
// cross-check against passwd -S -a (root only).
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "core/strings.h"
#include "tables/query_rows_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

TEST(ShadowTableTest, ClassifiesPasswordsWithoutRevealingThem) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT username, password_status, hash_alg FROM shadow");
  std::map<std::string, std::pair<std::string, std::string>> got;
  for (size_t i = 0; i < r.rows.size(); ++i)
    got[TextCell(r, i, "username")] = {TextCell(r, i, "password_status"),
                                       ValueToText(Cell(r, i, "hash_alg"))};
  std::map<std::string, std::pair<std::string, std::string>> want{
      {"root", {"locked", ""}}, {"daemon", {"locked", ""}},   {"alice", {"active", "6"}},
      {"bob", {"active", "y"}}, {"carol", {"not_set", ""}},   {"dave", {"empty", ""}},
      {"eve", {"locked", ""}},  {"oldstyle", {"active", "1"}}};
  EXPECT_EQ(got, want);
  for (const auto& column : r.columns) EXPECT_NE(column, "password");
}

TEST(ShadowTableTest, HashAlgorithmIsNullWhenThereIsNoCryptId) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT hash_alg FROM shadow WHERE username = 'eve'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(NullCell(r, 0, "hash_alg"));  // "!$6$...": a locked hash
}

TEST(ShadowTableTest, AgingFieldsAreNumbersAndUnsetOnesMinusOne) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT * FROM shadow WHERE username = 'alice'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(IntCell(r, 0, "last_change"), 19500);
  EXPECT_EQ(IntCell(r, 0, "min"), 1);
  EXPECT_EQ(IntCell(r, 0, "max"), 90);
  EXPECT_EQ(IntCell(r, 0, "warning"), 14);
  EXPECT_EQ(IntCell(r, 0, "inactive"), 30);
  EXPECT_EQ(IntCell(r, 0, "expire"), 20000);
  EXPECT_EQ(IntCell(r, 0, "flag"), -1);
  r = db.Query("SELECT * FROM shadow WHERE username = 'bob'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(IntCell(r, 0, "last_change"), 19600);
  for (const char* c : {"min", "max", "warning", "inactive", "expire", "flag"})
    EXPECT_EQ(IntCell(r, 0, c), -1) << c;
}

TEST(ShadowTableTest, TwoFieldLegacyLineHasEveryAgingFieldUnset) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT last_change, expire FROM shadow WHERE username = 'oldstyle'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(IntCell(r, 0, "last_change"), -1);
  EXPECT_EQ(IntCell(r, 0, "expire"), -1);
}

TEST(ShadowTableTest, MalformedLinesAreSkipped) {
  SqlFixture db(FixturePath("user/root"));
  // frank has a non-numeric last_change; "truncated" has three fields.
  auto r = db.Query("SELECT * FROM shadow WHERE username IN ('frank', 'truncated')");
  EXPECT_TRUE(r.rows.empty());
}

TEST(ShadowTableTest, UnreadableOrMissingShadowIsZeroRows) {
  TempDir root;
  SqlFixture db(root.path());
  EXPECT_TRUE(db.Query("SELECT * FROM shadow").rows.empty());
}

// passwd(1) -S reads /etc/shadow itself and prints, per account, L (locked),
// NP (no password) or P (usable password) and the last change as a date.
TEST(ShadowTableLiveTest, StatusAndLastChangeMatchPasswdStatus) {
  if (geteuid() != 0) GTEST_SKIP() << "/etc/shadow is readable by root only";
  CommandResult passwd = RunCommand({"passwd", "-S", "-a"});
  ASSERT_EQ(passwd.exit_code, 0) << passwd.err;
  std::map<std::string, std::pair<std::string, std::string>> expected;
  for (std::string_view line : SplitString(passwd.out, '\n')) {
    auto w = SplitWhitespace(line);
    if (w.size() >= 3) expected[std::string(w[0])] = {std::string(w[1]), std::string(w[2])};
  }
  ASSERT_FALSE(expected.empty());
  SqlFixture db;
  auto r = db.Query(
      "SELECT username, password_status, "
      "CASE WHEN last_change > 0 THEN date(last_change * 86400, 'unixepoch') ELSE '' END AS day "
      "FROM shadow");
  ASSERT_EQ(r.rows.size(), expected.size());
  const std::map<std::string, std::string> letter{
      {"active", "P"}, {"empty", "NP"}, {"locked", "L"}, {"not_set", "L"}};
  for (size_t i = 0; i < r.rows.size(); ++i) {
    std::string name = TextCell(r, i, "username");
    ASSERT_TRUE(expected.count(name)) << name;
    EXPECT_EQ(letter.at(TextCell(r, i, "password_status")), expected[name].first) << name;
    std::string day = TextCell(r, i, "day");
    if (!day.empty()) {
      EXPECT_EQ(day, expected[name].second) << name;
    }
  }
}

}  // namespace
}  // namespace warden::testing
