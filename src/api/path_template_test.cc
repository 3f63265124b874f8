#include "api/path_template.h"

#include <gtest/gtest.h>

namespace warden::api {
namespace {

std::vector<std::string> Segments(std::string_view path) { return *SplitRawPath(path); }

TEST(PathTemplateTest, MatchesLiteralsAndDecodesParameters) {
  Result<PathTemplate> t = PathTemplate::Parse("/api/v1/hosts/{host_id}/problems");
  ASSERT_TRUE(t.ok()) << t.status().message();
  std::optional<PathParams> params = t->Match(Segments("/api/v1/hosts/web%2D07/problems"));
  ASSERT_TRUE(params.has_value());
  ASSERT_EQ(params->size(), 1u);
  EXPECT_EQ((*params)[0].first, "host_id");
  EXPECT_EQ((*params)[0].second, "web-07");
  EXPECT_FALSE(t->Match(Segments("/api/v1/hosts/web-07")));
  EXPECT_FALSE(t->Match(Segments("/api/v1/hosts/web-07/ports")));
}

TEST(PathTemplateTest, EncodedSlashStaysInsideOneParameter) {
  PathTemplate t = *PathTemplate::Parse("/api/v1/hosts/{host_id}");
  std::optional<PathParams> params = t.Match(Segments("/api/v1/hosts/a%2Fb"));
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ((*params)[0].second, "a/b");
  EXPECT_FALSE(t.Match(Segments("/api/v1/hosts/a/b")));
}

TEST(PathTemplateTest, EmptyBadlyEscapedOrNulSegmentsMatchNothing) {
  PathTemplate t = *PathTemplate::Parse("/api/v1/hosts/{host_id}");
  EXPECT_FALSE(t.Match(Segments("/api/v1/hosts/")));
  EXPECT_FALSE(t.Match(Segments("/api/v1/hosts/%zz")));
  EXPECT_FALSE(t.Match(Segments("/api/v1/hosts/abc%4")));
  EXPECT_FALSE(t.Match(Segments("/api/v1/hosts/a%00b")));
  EXPECT_FALSE(SplitRawPath("api/v1/hosts").has_value());
}

TEST(PathTemplateTest, LiteralSegmentBeatsParameter) {
  PathTemplate exact = *PathTemplate::Parse("/api/v1/hosts/export");
  PathTemplate param = *PathTemplate::Parse("/api/v1/hosts/{host_id}");
  EXPECT_TRUE(exact.MoreSpecificThan(param));
  EXPECT_FALSE(param.MoreSpecificThan(exact));
  EXPECT_FALSE(exact.MoreSpecificThan(exact));
  EXPECT_TRUE(param.SameShape(*PathTemplate::Parse("/api/v1/hosts/{id}")));
  EXPECT_FALSE(param.SameShape(exact));
}

TEST(PathTemplateTest, ParseRefusesMalformedTemplates) {
  EXPECT_FALSE(PathTemplate::Parse("api/v1/hosts").ok());
  EXPECT_FALSE(PathTemplate::Parse("/api/{bad-name}").ok());
  EXPECT_FALSE(PathTemplate::Parse("/api/{id}/x/{id}").ok());
  EXPECT_FALSE(PathTemplate::Parse("/api/x{id}").ok());
  EXPECT_FALSE(PathTemplate::Parse("/api/a%20b").ok());
  Result<PathTemplate> bad = PathTemplate::Parse("/api/{}");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/api/{}"), std::string::npos);
}

TEST(PathTemplateTest, ListsParameterNamesInOrder) {
  PathTemplate t = *PathTemplate::Parse("/a/{first}/b/{second}");
  EXPECT_EQ(t.ParameterNames(), (std::vector<std::string>{"first", "second"}));
}

}  // namespace
}  // namespace warden::api
