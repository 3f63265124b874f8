// The osquery-compatible SQL functions and version collations.
#include <gtest/gtest.h>

#include "sql/sql_engine.h"

namespace warden {
namespace {

class SqlFunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = SqlEngine::Open(&registry_, &fs_);
    ASSERT_TRUE(e.ok());
    engine_ = std::move(e).value();
  }
  Value One(const std::string& sql) {
    auto r = engine_->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
    if (!r.ok() || r->rows.empty()) return {};
    return r->rows[0][0];
  }
  std::string Text(const std::string& sql) { return ValueToText(One(sql)); }

  TableRegistry registry_;
  HostFs fs_;
  std::unique_ptr<SqlEngine> engine_;
};

TEST_F(SqlFunctionsTest, RegexMatchReturnsTheRequestedGroup) {
  EXPECT_EQ(Text("SELECT regex_match('user=alice id=7', 'user=(\\w+) id=(\\d+)', 2)"), "7");
  EXPECT_EQ(Text("SELECT regex_match('user=alice', 'user=(\\w+)', 0)"), "user=alice");
  EXPECT_TRUE(IsNull(One("SELECT regex_match('abc', 'x', 0)")));
  EXPECT_TRUE(IsNull(One("SELECT regex_match('abc', '(a)', 5)")));
}

TEST_F(SqlFunctionsTest, RegexMatchSupportsLookahead) {
  EXPECT_EQ(Text("SELECT regex_match('s3.amazonaws.com', '^(?!ec2).*$', 0)"), "s3.amazonaws.com");
  EXPECT_TRUE(IsNull(One("SELECT regex_match('ec2.amazonaws.com', '^(?!ec2).*$', 0)")));
}

TEST_F(SqlFunctionsTest, InvalidRegexIsAClearError) {
  auto r = engine_->Query("SELECT regex_match('a', '(unclosed', 0)");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid regex"), std::string::npos) << r.status().message();
}

TEST_F(SqlFunctionsTest, CatastrophicRegexFailsInsteadOfHanging) {
  auto r = engine_->Query("SELECT regex_match(printf('%.40c', 'a') || '!', '^(a+)+$', 0)");
  // Either PCRE2 hits its match limit (an error) or JIT finds no match fast;
  // what matters is that it returns.
  if (r.ok()) {
    EXPECT_TRUE(IsNull(r->rows[0][0]));
  } else {
    EXPECT_NE(r.status().message().find("regex"), std::string::npos);
  }
}

TEST_F(SqlFunctionsTest, RegexSplitPicksAPiece) {
  EXPECT_EQ(Text("SELECT regex_split('a1b22c333d', '[0-9]+', 2)"), "c");
  EXPECT_EQ(Text("SELECT regex_split('a1b22c333d', '[0-9]+', 3)"), "d");
}

TEST_F(SqlFunctionsTest, SplitDropsEmptyPiecesLikeOsquery) {
  EXPECT_EQ(Text("SELECT split('a,,b:c', ',:', 1)"), "b");
  EXPECT_EQ(Text("SELECT split('a,,b:c', ',:', 2)"), "c");
  EXPECT_TRUE(IsNull(One("SELECT split('a', ',', 3)")));
}

TEST_F(SqlFunctionsTest, ConcatHelpers) {
  EXPECT_EQ(Text("SELECT concat('a', 1, NULL, 'b')"), "a1b");
  EXPECT_EQ(Text("SELECT concat_ws('-', 'a', NULL, 'b', 3)"), "a-b-3");
}

TEST_F(SqlFunctionsTest, DigestsMatchKnownVectors) {
  // FIPS 180-2 / RFC 1321 test vectors for "abc".
  EXPECT_EQ(Text("SELECT sha256('abc')"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Text("SELECT sha1('abc')"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Text("SELECT md5('abc')"), "900150983cd24fb0d6963f7d28e17f72");
}

TEST_F(SqlFunctionsTest, Base64RoundTrips) {
  EXPECT_EQ(Text("SELECT to_base64('warden!')"), "d2FyZGVuIQ==");
  EXPECT_EQ(Text("SELECT from_base64('d2FyZGVuIQ==')"), "warden!");
  EXPECT_EQ(Text("SELECT from_base64(to_base64('ab'))"), "ab");
  EXPECT_EQ(Text("SELECT conditional_to_base64('plain')"), "plain");
  EXPECT_EQ(Text("SELECT conditional_to_base64(char(1, 2))"), "AQI=");
}

TEST_F(SqlFunctionsTest, InCidrBlock) {
  EXPECT_EQ(Text("SELECT in_cidr_block('10.0.0.0/8', '10.20.30.40')"), "1");
  EXPECT_EQ(Text("SELECT in_cidr_block('10.0.0.0/8', '11.0.0.1')"), "0");
  EXPECT_EQ(Text("SELECT in_cidr_block('fe80::/10', 'fe80::1')"), "1");
  EXPECT_EQ(Text("SELECT in_cidr_block('192.168.1.0/33', '192.168.1.1')"), "");
}

TEST_F(SqlFunctionsTest, VersionCollationsOrderLikePackageManagers) {
  EXPECT_EQ(Text("SELECT group_concat(v, ' ') FROM (SELECT v FROM (SELECT '1.0' v UNION ALL SELECT "
                 "'1.0~rc1' UNION ALL SELECT '1.0-1' UNION ALL SELECT '1:0.1') ORDER BY v COLLATE "
                 "version_dpkg)"),
            "1.0~rc1 1.0 1.0-1 1:0.1");
  EXPECT_EQ(Text("SELECT '1.10' > '1.9' COLLATE version"), "1");
  EXPECT_EQ(Text("SELECT '1.10' > '1.9'"), "0");  // plain text order differs: the collation matters
  EXPECT_EQ(Text("SELECT version_compare('2.0-1.el9', '2.0-1.el9_1', 'rpm')"), "-1");
  EXPECT_EQ(Text("SELECT version_compare('1.0^git1', '1.0', 'rpm')"), "1");
}

TEST_F(SqlFunctionsTest, VersionCompareRejectsUnknownScheme) {
  EXPECT_FALSE(engine_->Query("SELECT version_compare('1', '2', 'nope')").ok());
}

}  // namespace
}  // namespace warden
