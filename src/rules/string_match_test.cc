#include "rules/string_match.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

TEST(GlobPatternTest, ShapesAndMatching) {
  EXPECT_EQ(GlobPattern::Parse("abc", false).shape(), GlobPattern::Shape::kExact);
  EXPECT_EQ(GlobPattern::Parse("abc*", false).shape(), GlobPattern::Shape::kPrefix);
  EXPECT_EQ(GlobPattern::Parse("*abc", false).shape(), GlobPattern::Shape::kSuffix);
  EXPECT_EQ(GlobPattern::Parse("*abc*", false).shape(), GlobPattern::Shape::kContains);
  EXPECT_EQ(GlobPattern::Parse("a*b", false).shape(), GlobPattern::Shape::kGeneral);
  EXPECT_TRUE(GlobPattern::Parse("Create*", false).Matches("CreateUser"));
  EXPECT_FALSE(GlobPattern::Parse("Create*", false).Matches("xCreateUser"));
  EXPECT_TRUE(GlobPattern::Parse("*User", true).Matches("createuser"));
}

TEST(GlobPatternTest, GeneralPatternsBacktrack) {
  GlobPattern g = GlobPattern::Parse("arn:aws*:iam::*:user/*/canary", false);
  EXPECT_TRUE(g.Matches("arn:aws:iam::123:user/path/to/canary"));
  EXPECT_FALSE(g.Matches("arn:aws:iam::123:user/canary"));
  EXPECT_TRUE(GlobPattern::Parse("a?c", false).Matches("abc"));
  EXPECT_FALSE(GlobPattern::Parse("a?c", false).Matches("ac"));
  EXPECT_TRUE(GlobPattern::Parse("*a*b*c*", false).Matches("xxaxxbxxcxx"));
  EXPECT_FALSE(GlobPattern::Parse("*a*b*c*", false).Matches("xxaxxcxxbxx"));
}

TEST(GlobPatternTest, EscapesMakeWildcardsLiteral) {
  GlobPattern g = GlobPattern::Parse("a\\*b", false);
  EXPECT_FALSE(g.has_wildcards());
  EXPECT_TRUE(g.Matches("a*b"));
  EXPECT_FALSE(g.Matches("axb"));
  // A backslash before another character stays literal (Sigma rule).
  EXPECT_TRUE(GlobPattern::Parse("C:\\Windows", false).Matches("C:\\Windows"));
}

TEST(GlobPatternTest, LiteralIgnoresWildcardCharacters) {
  EXPECT_TRUE(GlobPattern::Literal("a*b", false).Matches("a*b"));
  EXPECT_FALSE(GlobPattern::Literal("a*b", false).Matches("axxb"));
}

TEST(CidrRangeTest, Ipv4AndIpv6Membership) {
  auto r = CidrRange::Parse("10.0.0.0/8");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Contains("10.248.16.43"));
  EXPECT_FALSE(r->Contains("11.0.0.1"));
  EXPECT_FALSE(r->Contains("AWS Internal"));
  EXPECT_FALSE(r->Contains("ec2.amazonaws.com"));
  auto world = CidrRange::Parse("0.0.0.0/0");
  EXPECT_TRUE(world->Contains("203.0.113.7"));
  EXPECT_FALSE(world->Contains("::1"));
  auto v6 = CidrRange::Parse("2001:db8::/32");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->Contains("2001:db8:1::5"));
  EXPECT_FALSE(v6->Contains("2001:db9::5"));
  auto odd = CidrRange::Parse("192.168.1.128/25");
  EXPECT_TRUE(odd->Contains("192.168.1.200"));
  EXPECT_FALSE(odd->Contains("192.168.1.100"));
}

TEST(CidrRangeTest, InvalidRangesAreErrors) {
  EXPECT_FALSE(CidrRange::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(CidrRange::Parse("not-an-ip/8").ok());
  EXPECT_FALSE(CidrRange::Parse("10.0.0.0/x").ok());
  EXPECT_TRUE(CidrRange::Parse("10.1.2.3").ok());
}

TEST(CaseInsensitiveTest, AsciiFolding) {
  EXPECT_TRUE(EqualsIgnoreCase("ConsoleLogin", "consolelogin"));
  EXPECT_TRUE(ContainsIgnoreCase("arn:aws:iam::1:ROOT", "root"));
  EXPECT_TRUE(StartsWithIgnoreCase("AKIAXYZ", "akia"));
  EXPECT_TRUE(EndsWithIgnoreCase("x/Canary", "/canary"));
  EXPECT_FALSE(EndsWithIgnoreCase("y", "/canary"));
}

TEST(StringMatchTest, CaseInsensitiveSearchAmongManyCandidatesOfBothCases) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += (i % 2) ? "aMaZo" : "AmAzO";
  EXPECT_FALSE(ContainsIgnoreCase(text, "amazon"));
  EXPECT_TRUE(ContainsIgnoreCase(text + "n", "amazon")) << "the last candidate";
  EXPECT_TRUE(ContainsIgnoreCase("xx" + text, "zOaM"));
  EXPECT_TRUE(ContainsIgnoreCase("ab", "AB"));
  EXPECT_FALSE(ContainsIgnoreCase("a", "ab"));
  EXPECT_TRUE(ContainsIgnoreCase("123-456", "-4"));
}

}  // namespace
}  // namespace warden
