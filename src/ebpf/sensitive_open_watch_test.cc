// fanotify marks on a temporary directory's files: opens are reported with
// the opener's pid, files created or replaced after start are picked up when
// the marks are renewed, and other files are not reported. Needs root.
#include "ebpf/sensitive_open_watch.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "testing/test_util.h"

namespace warden {
namespace {

class SensitiveOpenWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "fanotify needs root";
  }

  static void Touch(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0) << path;
    close(fd);
  }

  std::vector<std::string> DrainPaths(SensitiveOpenWatch& watch) {
    std::vector<std::string> paths;
    BootClock clock;
    watch.Drain(clock, [&](HostEvent& e) {
      EXPECT_EQ(e.kind, HostEventKind::kOpen);
      EXPECT_EQ(e.pid, getpid());
      EXPECT_EQ(e.uid, static_cast<int64_t>(getuid()));  // read from /proc: the opener is alive
      paths.push_back(std::move(e.path));
    });
    return paths;
  }
};

TEST_F(SensitiveOpenWatchTest, ReportsOpensOfMarkedFilesAndRenewsMarksForReplacedAndNewOnes) {
  testing::TempDir dir;
  std::string secret = dir.WriteFile("secret", "x");
  std::string other = dir.WriteFile("other", "y");
  SensitiveOpenWatch watch;
  // Renew on every drain, so the test need not wait the default 5 s.
  ASSERT_TRUE(watch.Open({dir.path() + "/secret"}, 0, std::chrono::milliseconds(0)).ok());
  EXPECT_EQ(watch.watched(), (std::vector<std::string>{secret}));

  Touch(secret);
  Touch(other);
  EXPECT_EQ(DrainPaths(watch), (std::vector<std::string>{secret}));

  // Replaced the way passwd does it: a new inode renamed over the old one.
  std::string fresh = dir.WriteFile("secret.new", "z");
  ASSERT_EQ(std::rename(fresh.c_str(), secret.c_str()), 0);
  std::string later = dir.WriteFile("secret-backup", "w");
  EXPECT_TRUE(DrainPaths(watch).empty());  // renews the marks
  Touch(secret);
  Touch(later);
  std::vector<std::string> seen = DrainPaths(watch);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{secret, later}));
  EXPECT_EQ(watch.overflows(), 0u);
}

TEST_F(SensitiveOpenWatchTest, OpensOfTheIgnoredProcessAreCountedNotReported) {
  testing::TempDir dir;
  std::string secret = dir.WriteFile("secret", "x");
  SensitiveOpenWatch watch;
  ASSERT_TRUE(watch.Open({secret}, getpid()).ok());
  Touch(secret);
  EXPECT_TRUE(DrainPaths(watch).empty());
  EXPECT_EQ(watch.own_filtered(), 1u);
}

}  // namespace
}  // namespace warden
