#include "core/host_fs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "testing/test_util.h"

namespace warden {
namespace {

TEST(HostFsTest, PathsAreMappedUnderTheRoot) {
  testing::TempDir dir;
  dir.WriteFile("etc/hostname", "fixture-host\n");
  HostFs fs(dir.path());
  auto text = fs.ReadFile("/etc/hostname");
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, "fixture-host\n");
  EXPECT_TRUE(fs.IsDirectory("/etc"));
  EXPECT_FALSE(fs.Exists("/etc/passwd"));
}

TEST(HostFsTest, MissingFileErrorNamesTheHostPath) {
  testing::TempDir dir;
  HostFs fs(dir.path());
  auto text = fs.ReadFile("/etc/nothing");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(text.status().message(), "/etc/nothing: No such file or directory");
}

TEST(HostFsTest, ReadsProcFilesThatReportSizeZero) {
  HostFs fs;
  auto text = fs.ReadFile("/proc/self/status");
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("Pid:"), std::string::npos);
}

TEST(HostFsTest, ReadFileStopsAtTheLimit) {
  testing::TempDir dir;
  dir.WriteFile("big", std::string(100000, 'x'));
  HostFs fs(dir.path());
  auto text = fs.ReadFile("/big", 1000);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->size(), 1000u);
}

TEST(HostFsTest, ForEachLineStopsWhenAsked) {
  testing::TempDir dir;
  dir.WriteFile("lines", "a\nb\nc");
  HostFs fs(dir.path());
  std::vector<std::string> seen;
  ASSERT_TRUE(fs.ForEachLine("/lines", [&](std::string_view l) {
                  seen.emplace_back(l);
                  return l != "b";
                }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
}

TEST(StringsTest, SplittingAndParsing) {
  EXPECT_EQ(SplitString("a::b", ':').size(), 3u);
  EXPECT_EQ(SplitWhitespace("  a \t b\n").size(), 2u);
  EXPECT_EQ(TrimWhitespace("  x y  "), "x y");
  int64_t v = 0;
  EXPECT_TRUE(ParseInt64(" 42 ", &v));
  EXPECT_EQ(v, 42);
  EXPECT_FALSE(ParseInt64("42x", &v));
  EXPECT_FALSE(ParseInt64("", &v));
  uint64_t h = 0;
  EXPECT_TRUE(ParseUint64("ff", &h, 16));
  EXPECT_EQ(h, 255u);
  double d = 0;
  EXPECT_TRUE(ParseDouble("1.5", &d));
  EXPECT_DOUBLE_EQ(d, 1.5);
}

}  // namespace
}  // namespace warden

namespace warden {
namespace {

TEST(HostFsTest, AbsoluteSymlinksResolveInsideTheRoot) {
  testing::TempDir dir;
  dir.WriteFile("etc/real-passwd", "fixture:x:0:0::/root:/bin/sh\n");
  ASSERT_EQ(::symlink("/etc/real-passwd", (dir.path() + "/etc/passwd").c_str()), 0);
  ASSERT_EQ(::symlink("/etc", (dir.path() + "/etc-link").c_str()), 0);
  ASSERT_EQ(::symlink("../../../../../../../etc/hostname", (dir.path() + "/escape").c_str()), 0);
  HostFs fs(dir.path());
  auto text = fs.ReadFile("/etc/passwd");
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, "fixture:x:0:0::/root:/bin/sh\n");  // not the live host's /etc/passwd
  auto listing = fs.ListDir("/etc-link");
  ASSERT_TRUE(listing.ok()) << listing.status().message();
  EXPECT_EQ(listing->size(), 2u);
  EXPECT_FALSE(
      fs.ReadFile("/escape").ok());  // ../ stops at the root: the fixture has no etc/hostname
  auto link = fs.ReadLink("/etc/passwd");
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(*link, "/etc/real-passwd");
  EXPECT_TRUE(S_ISLNK(fs.Lstat("/etc/passwd")->st_mode));
  EXPECT_TRUE(S_ISREG(fs.Stat("/etc/passwd")->st_mode));
}

}  // namespace
}  // namespace warden

namespace warden {
namespace {

TEST(HostFsTest, ReadProcFileReadsWholeFilesLargerThanOneBuffer) {
  testing::TempDir dir;
  std::string big(100000, 'y');
  dir.WriteFile("proc/1/cmdline", big);
  HostFs fs(dir.path());
  auto text = fs.ReadProcFile("/proc/1/cmdline");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->size(), big.size());
  auto live = HostFs().ReadProcFile("/proc/self/status");
  ASSERT_TRUE(live.ok());
  EXPECT_NE(live->find("VmRSS"), std::string::npos);
}

TEST(HostFsTest, ListDirMatchesTheDirectory) {
  testing::TempDir dir;
  for (int i = 0; i < 500; ++i) dir.WriteFile("d/file-with-a-long-name-" + std::to_string(i), "");
  HostFs fs(dir.path());
  auto names = fs.ListDir("/d");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->size(), 500u);
  EXPECT_EQ(std::count(names->begin(), names->end(), "file-with-a-long-name-499"), 1);
  EXPECT_FALSE(fs.ListDir("/d/file-with-a-long-name-1").ok());  // not a directory
}

}  // namespace
}  // namespace warden
