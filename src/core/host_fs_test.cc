#include "core/host_fs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>

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

// The user-area rule of host_fs.h: what is read in a directory a user controls.
namespace warden {
namespace {

// A fixture root with /etc/shadow and a home /home/u whose user is uid 5.
class UserAreaTest : public ::testing::Test {
 protected:
  UserAreaTest() {
    dir_.WriteFile("etc/shadow", "root:$6$secret-hash:19000:0:99999:7:::\n");
    dir_.WriteFile("home/u/dotfiles/history", "echo mine\n");
  }
  std::string Real(const std::string& relative) const { return dir_.path() + "/" + relative; }
  void Symlink(const std::string& target, const std::string& relative) const {
    ASSERT_EQ(::symlink(target.c_str(), Real(relative).c_str()), 0) << relative;
  }
  static bool Root() { return ::geteuid() == 0; }

  testing::TempDir dir_;
  HostFs fs_{dir_.path()};
  UserArea home_{"/home/u", 5};
};

TEST_F(UserAreaTest, RefusesFinalSymlinkThatLeavesTheArea) {
  Symlink("/etc/shadow", "home/u/.bash_history");
  Symlink("../../etc/shadow", "home/u/.zsh_history");
  for (const char* name : {".bash_history", ".zsh_history"}) {
    auto text = fs_.ReadUserFile(home_, name, 1 << 20);
    ASSERT_FALSE(text.ok()) << name << " was read: " << *text;
    EXPECT_EQ(text.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(text.status().message().find("/home/u/" + std::string(name)), std::string::npos)
        << text.status().message();
    EXPECT_NE(text.status().message().find("outside /home/u"), std::string::npos)
        << text.status().message();
  }
}

TEST_F(UserAreaTest, RefusesDirectorySymlinkThatLeavesTheArea) {
  Symlink("/etc", "home/u/.ssh");
  Symlink("../../etc", "home/u/.config");
  EXPECT_EQ(fs_.ReadUserFile(home_, ".ssh/shadow", 1 << 20).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(fs_.ReadUserFile(home_, ".config/shadow", 1 << 20).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(fs_.ListUserDir(home_, ".ssh").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(fs_.StatUserPath(home_, ".config").status().code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(fs_.ReadUserFile(home_, "../../etc/shadow", 1 << 20).ok());
}

TEST_F(UserAreaTest, FollowsSymlinksThatStayInsideTheArea) {
  Symlink("dotfiles/history", "home/u/.bash_history");
  Symlink("/home/u/dotfiles/history", "home/u/.zsh_history");
  Symlink("dotfiles", "home/u/.ssh");
  for (const char* name : {".bash_history", ".zsh_history", ".ssh/history"}) {
    auto text = fs_.ReadUserFile(home_, name, 1 << 20);
    ASSERT_TRUE(text.ok()) << name << ": " << text.status().message();
    EXPECT_EQ(*text, "echo mine\n");
  }
  auto names = fs_.ListUserDir(home_, ".ssh");
  ASSERT_TRUE(names.ok()) << names.status().message();
  EXPECT_EQ(*names, std::vector<std::string>{"history"});
  auto st = fs_.StatUserPath(home_, ".ssh");
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_TRUE(S_ISDIR(st->st_mode));
}

TEST_F(UserAreaTest, SymlinkLoopsEndWithAnError) {
  Symlink("b", "home/u/a");
  Symlink("a", "home/u/b");
  auto text = fs_.ReadUserFile(home_, "a", 1 << 20);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(text.status().message().find("symlinks in a row"), std::string::npos)
      << text.status().message();
}

// Runs read on another thread; if it has not returned within five seconds
// (blocked opening a FIFO), opens the FIFO for writing to release it, so
// the test fails instead of hanging.
template <typename Fn>
auto ReadWithoutHanging(const std::string& fifo, Fn read) {
  auto result = std::async(std::launch::async, read);
  if (result.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    ADD_FAILURE() << "reading " << fifo << " blocked";
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  return result.get();
}

TEST_F(UserAreaTest, FifoIsRefusedWithoutWaitingForAWriter) {
  std::string fifo = Real("home/u/.bash_history");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto text =
      ReadWithoutHanging(fifo, [&] { return fs_.ReadUserFile(home_, ".bash_history", 1 << 20); });
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(text.status().message(),
            "/home/u/.bash_history: is a FIFO, not a regular file; not read");
  auto generic = ReadWithoutHanging(fifo, [&] { return fs_.ReadFile("/home/u/.bash_history"); });
  ASSERT_FALSE(generic.ok());
  EXPECT_EQ(generic.status().message(), "/home/u/.bash_history: is a FIFO; not read");
}

TEST_F(UserAreaTest, CharacterDevicesAreNotRead) {
  HostFs live;
  auto zero = live.ReadFile("/dev/zero");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().message(), "/dev/zero: is a character device; not read");
  auto in_area = live.ReadUserFile(UserArea{"/dev", 0}, "zero", 1 << 20);
  ASSERT_FALSE(in_area.ok());
  EXPECT_NE(in_area.status().message().find("character device"), std::string::npos);
}

TEST_F(UserAreaTest, FilesOverTheLimitAreRefusedNotCut) {
  dir_.WriteFile("home/u/.bash_history", std::string(11, 'x'));
  auto text = fs_.ReadUserFile(home_, ".bash_history", 10);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(text.status().message().find("10-byte limit"), std::string::npos);
  auto exact = fs_.ReadUserFile(home_, ".bash_history", 11);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->size(), 11u);
}

TEST_F(UserAreaTest, CancelledReadStops) {
  dir_.WriteFile("home/u/.bash_history", "ls\n");
  auto text = fs_.ReadUserFile(home_, ".bash_history", 1 << 20, [] { return true; });
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kTimeout);
}

TEST_F(UserAreaTest, FilesOfAnotherUserAreRefused) {
  if (!Root()) GTEST_SKIP() << "changing file owners needs root";
  std::string path = dir_.WriteFile("home/u/.bash_history", "ls\n");
  ASSERT_EQ(::chown(path.c_str(), 4242, 4242), 0);
  auto text = fs_.ReadUserFile(home_, ".bash_history", 1 << 20);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(),
            "/home/u/.bash_history: regular file belongs to uid 4242, not to uid 5; not read");
  ASSERT_EQ(::chown(path.c_str(), 5, 5), 0);
  EXPECT_TRUE(fs_.ReadUserFile(home_, ".bash_history", 1 << 20).ok());
}

TEST_F(UserAreaTest, HardLinkToARootFileIsRefused) {
  if (!Root()) GTEST_SKIP() << "the file must belong to root";
  ASSERT_EQ(::link(Real("etc/shadow").c_str(), Real("home/u/.bash_history").c_str()), 0);
  auto text = fs_.ReadUserFile(home_, ".bash_history", 1 << 20);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(text.status().message().find("2 hard links"), std::string::npos)
      << text.status().message();
  // Root's own file with one link (placed by root) is read.
  dir_.WriteFile("home/u/.ssh/authorized_keys", "ssh-ed25519 AAAA root-managed\n");
  EXPECT_TRUE(fs_.ReadUserFile(home_, ".ssh/authorized_keys", 1 << 20).ok());
  // The user's own file may have several links.
  std::string own = dir_.WriteFile("home/u/own", "x\n");
  ASSERT_EQ(::chown(own.c_str(), 5, 5), 0);
  ASSERT_EQ(::link(own.c_str(), Real("home/u/own-link").c_str()), 0);
  EXPECT_TRUE(fs_.ReadUserFile(home_, "own-link", 1 << 20).ok());
}

TEST_F(UserAreaTest, SymlinkOfAnotherUserIsNotFollowed) {
  if (!Root()) GTEST_SKIP() << "changing a symlink's owner needs root";
  Symlink("dotfiles/history", "home/u/.bash_history");
  ASSERT_EQ(::lchown(Real("home/u/.bash_history").c_str(), 4242, 4242), 0);
  auto text = fs_.ReadUserFile(home_, ".bash_history", 1 << 20);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("symlink belongs to uid 4242"), std::string::npos)
      << text.status().message();
}

TEST_F(UserAreaTest, DirectoryNamedByTheUserMustBeTheirs) {
  if (!Root()) GTEST_SKIP() << "changing file owners needs root";
  dir_.WriteFile("opt/ext/manifest.json", "{}");
  UserArea named{"/opt/ext", 5, /*dir_named_by_user=*/true};
  auto refused = fs_.ReadUserFile(named, "manifest.json", 1 << 20);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("directory belongs to uid 0"), std::string::npos)
      << refused.status().message();
  ASSERT_EQ(::chown(Real("opt/ext").c_str(), 5, 5), 0);
  // The directory is the user's now, but root's file in it is still refused.
  EXPECT_EQ(fs_.ReadUserFile(named, "manifest.json", 1 << 20).status().code(),
            StatusCode::kPermissionDenied);
  ASSERT_EQ(::chown(Real("opt/ext/manifest.json").c_str(), 5, 5), 0);
  EXPECT_TRUE(fs_.ReadUserFile(named, "manifest.json", 1 << 20).ok());
}

}  // namespace
}  // namespace warden
