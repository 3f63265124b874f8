#include "auth/secret_token.h"

#include <gtest/gtest.h>

#include <set>

namespace warden::auth {
namespace {

TEST(SecretTokenTest, TokensCarryTheirPrefixAndThirtyTwoRandomBytes) {
  for (TokenKind kind : {TokenKind::kEnrolSecret, TokenKind::kNodeKey, TokenKind::kApiToken}) {
    std::string token = GenerateToken(kind);
    std::string_view prefix = TokenPrefix(kind);
    ASSERT_EQ(token.substr(0, prefix.size()), prefix);
    EXPECT_EQ(token.size(), prefix.size() + 43);  // 32 bytes, unpadded base64url
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                                prefix.size()),
        std::string::npos)
        << token;
    auto parsed = ParseTokenKind(token);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(TokenPrefix(TokenKind::kEnrolSecret), "wdn_enr_");
  EXPECT_EQ(TokenPrefix(TokenKind::kNodeKey), "wdn_node_");
  EXPECT_EQ(TokenPrefix(TokenKind::kApiToken), "wdn_pat_");
}

TEST(SecretTokenTest, TokensDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(GenerateToken(TokenKind::kApiToken));
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_NE(GenerateOpaqueId(), GenerateOpaqueId());
  EXPECT_EQ(GenerateOpaqueId().size(), 43u);
}

TEST(SecretTokenTest, MalformedTokensHaveNoKind) {
  std::string good = GenerateToken(TokenKind::kApiToken);
  EXPECT_FALSE(ParseTokenKind(good.substr(0, good.size() - 1)));
  EXPECT_FALSE(ParseTokenKind(good + "A"));
  std::string bad_char = good;
  bad_char[10] = '+';
  EXPECT_FALSE(ParseTokenKind(bad_char));
  EXPECT_FALSE(ParseTokenKind("wdn_xyz_" + good.substr(8)));
  EXPECT_FALSE(ParseTokenKind(""));
  EXPECT_FALSE(ParseTokenKind(GenerateOpaqueId()));
}

TEST(SecretTokenTest, HashIsSha256Hex) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(TokenHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string token = GenerateToken(TokenKind::kNodeKey);
  EXPECT_EQ(TokenHash(token), TokenHash(token));
  EXPECT_NE(TokenHash(token), TokenHash(GenerateToken(TokenKind::kNodeKey)));
  EXPECT_EQ(TokenHash(token).size(), 64u);
}

TEST(SecretTokenTest, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  std::string token = GenerateToken(TokenKind::kEnrolSecret);
  EXPECT_TRUE(ConstantTimeEquals(TokenHash(token), TokenHash(std::string(token))));
}

}  // namespace
}  // namespace warden::auth
