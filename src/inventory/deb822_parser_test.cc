#include "inventory/deb822_parser.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

TEST(Deb822ParserTest, BlankLinesSeparateParagraphs) {
  auto ps = ParseDeb822("A: 1\nB: 2\n\n\nA: 3\n   \nA: 4");
  ASSERT_EQ(ps.size(), 3u);
  EXPECT_EQ(ps[0].Get("B"), "2");
  EXPECT_EQ(ps[1].Get("A"), "3");
  EXPECT_EQ(ps[2].Get("A"), "4");
  EXPECT_EQ(ps[0].line, 1u);
  EXPECT_EQ(ps[1].line, 5u);
}

TEST(Deb822ParserTest, ContinuationLinesJoinTheirFieldAndDotIsAnEmptyLine) {
  auto ps = ParseDeb822("Description: short\n long one\n .\n Package: not-a-field\nNext: x\n");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].Get("Description"), "short\nlong one\n\nPackage: not-a-field");
  EXPECT_EQ(ps[0].FirstLine("Description"), "short");
  EXPECT_EQ(ps[0].Find("Package"), nullptr);
  EXPECT_EQ(ps[0].Get("Next"), "x");
}

TEST(Deb822ParserTest, FieldNamesCompareCaseInsensitively) {
  auto ps = ParseDeb822("URIs: http://a\n");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].Get("uris"), "http://a");
  EXPECT_EQ(ps[0].fields[0].first, "URIs");
}

TEST(Deb822ParserTest, CommentsAndJunkLinesAreSkipped) {
  auto ps = ParseDeb822(
      "# comment\nTypes: deb\n# inside\nnot a field\n continuation of junk\nSuites: a\r\n");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].Get("Types"), "deb");
  EXPECT_EQ(ps[0].Get("Suites"), "a");  // CRLF accepted
  EXPECT_EQ(ps[0].fields.size(), 2u);
}

TEST(Deb822ParserTest, TruncatedTextKeepsWhatWasRead) {
  auto ps = ParseDeb822("Package: a\nStatus: install ok inst");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].Get("Status"), "install ok inst");
}

TEST(Deb822ParserTest, EmptyAndOddInputNeverFails) {
  EXPECT_TRUE(ParseDeb822("").empty());
  EXPECT_TRUE(ParseDeb822("\n\n \n").empty());
  EXPECT_TRUE(ParseDeb822(" leading continuation\n:no name\n").empty());
  std::string huge(1 << 20, 'x');
  auto ps = ParseDeb822("Long: " + huge + "\n");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].Get("Long").size(), huge.size());
}

}  // namespace
}  // namespace warden
