// Tests of the known_hosts parser on its own.
#include "tables/known_hosts_parser.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace warden {
namespace {

TEST(KnownHostsParserTest, EntriesAreTrimmedLinesThatAreNotComments) {
  std::string_view text =
      "# comment\n\n  github.com ssh-ed25519 AAAA  \r\n"
      "@cert-authority *.example.com ssh-rsa BBBB\n\t#indented comment\n|1|salt|hash ssh-rsa C";
  EXPECT_EQ(ParseKnownHosts(text),
            (std::vector<std::string_view>{"github.com ssh-ed25519 AAAA",
                                           "@cert-authority *.example.com ssh-rsa BBBB",
                                           "|1|salt|hash ssh-rsa C"}));
}

TEST(KnownHostsParserTest, EmptyAndBlankTextHaveNoEntries) {
  EXPECT_TRUE(ParseKnownHosts("").empty());
  EXPECT_TRUE(ParseKnownHosts("\n \t\r\n").empty());
}

}  // namespace
}  // namespace warden
