// Tests of osquery-style path pattern expansion (LIKE '%', '_', '%%', GLOB)
// over the fixture tree tests/fixtures/file/root.
#include "tables/file_targets.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::FixturePath;

std::vector<std::string> Expand(std::string_view pattern,
                                PathPatternSyntax syntax = PathPatternSyntax::kLike,
                                bool directories_only = false) {
  HostFs fs(FixturePath("file/root"));
  auto r = ExpandPathPattern(fs, "", pattern, syntax, directories_only, nullptr);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::vector<std::string>{};
}

TEST(FileTargetsTest, PercentMatchesWithinOneComponent) {
  EXPECT_EQ(Expand("/data/%.conf"),
            (std::vector<std::string>{"/data/.hidden.conf", "/data/app.conf", "/data/db.conf"}));
}

TEST(FileTargetsTest, PercentDoesNotCrossDirectories) {
  for (const std::string& path : Expand("/data/%.conf"))
    EXPECT_EQ(path.find("/sub/"), std::string::npos) << path;
}

TEST(FileTargetsTest, PercentInMiddleComponentExpandsEachLevel) {
  EXPECT_EQ(Expand("/data/%/deep.conf"), (std::vector<std::string>{"/data/sub/deep.conf"}));
}

TEST(FileTargetsTest, DoublePercentIsRecursive) {
  std::vector<std::string> all = Expand("/data/sub/%%");
  EXPECT_EQ(all, (std::vector<std::string>{"/data/sub/deep.conf", "/data/sub/inner",
                                           "/data/sub/inner/deepest.conf"}));
}

TEST(FileTargetsTest, DoublePercentOutsideLastComponentIsAnError) {
  HostFs fs(FixturePath("file/root"));
  auto r =
      ExpandPathPattern(fs, "", "/data/%%/deep.conf", PathPatternSyntax::kLike, false, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("%%"), std::string::npos);
}

TEST(FileTargetsTest, UnderscoreMatchesOneCharacter) {
  EXPECT_EQ(Expand("/data/d_.conf"), (std::vector<std::string>{"/data/db.conf"}));
}

TEST(FileTargetsTest, LiteralPatternMatchesOnlyExistingPath) {
  EXPECT_EQ(Expand("/data/hello.txt"), (std::vector<std::string>{"/data/hello.txt"}));
  EXPECT_TRUE(Expand("/data/absent.txt").empty());
}

TEST(FileTargetsTest, GlobSyntaxUsesStarAndQuestionMark) {
  EXPECT_EQ(Expand("/data/*.t?t", PathPatternSyntax::kGlob),
            (std::vector<std::string>{"/data/empty.txt", "/data/hello.txt"}));
}

TEST(FileTargetsTest, DirectoriesOnlyDropsFiles) {
  EXPECT_EQ(Expand("/data/%", PathPatternSyntax::kLike, true),
            (std::vector<std::string>{"/data/sub"}));
}

TEST(FileTargetsTest, RelativePatternMatchesNothing) { EXPECT_TRUE(Expand("data/%").empty()); }

TEST(FileTargetsTest, ParentAndFileNameFollowBoostConventions) {
  EXPECT_EQ(ParentPath("/etc/passwd"), "/etc");
  EXPECT_EQ(ParentPath("/passwd"), "/");
  EXPECT_EQ(ParentPath("/"), "");
  EXPECT_EQ(FileNameOf("/etc/passwd"), "passwd");
  EXPECT_EQ(JoinPath("/etc/", "passwd"), "/etc/passwd");
  EXPECT_EQ(JoinPath("/etc", "passwd"), "/etc/passwd");
}

}  // namespace
}  // namespace warden
