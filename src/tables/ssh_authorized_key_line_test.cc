// Tests of the authorized_keys parser on its own: whole files, and lines that
// are not keys.
#include "tables/ssh_authorized_key_line.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

TEST(AuthorizedKeysParserTest, WholeFileKeepsKeysInOrderAndSkipsTheRest) {
  auto keys = ParseAuthorizedKeys(
      "# comment\n"
      "ssh-ed25519 AAAA first\n"
      "\n"
      "1024 35 12345 protocol1\n"
      "no-pty,command=\"echo a b\" ssh-rsa BBBB second key\r\n"
      "ssh-rsa\n");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].algorithm, "ssh-ed25519");
  EXPECT_EQ(keys[0].key, "AAAA");
  EXPECT_EQ(keys[0].comment, "first");
  EXPECT_FALSE(keys[0].options.has_value());
  EXPECT_EQ(keys[1].options, "no-pty,command=\"echo a b\"");
  EXPECT_EQ(keys[1].algorithm, "ssh-rsa");
  EXPECT_EQ(keys[1].key, "BBBB");
}

TEST(AuthorizedKeysParserTest, UnterminatedQuoteInOptionsIsNotAKey) {
  EXPECT_FALSE(ParseAuthorizedKeyLine("command=\"unterminated ssh-rsa AAAA").has_value());
  EXPECT_TRUE(ParseAuthorizedKeys(std::string("\0\xff", 2)).empty());
}

}  // namespace
}  // namespace warden
