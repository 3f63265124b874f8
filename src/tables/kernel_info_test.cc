#include <gtest/gtest.h>

#include <set>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;
using testing::TempDir;

TEST(KernelInfoTableTest, SplitsCmdlineIntoPathDeviceAndArguments) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM kernel_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "version"), "5.15.0-105-generic");
  EXPECT_EQ(Text(r, 0, "path"), "/boot/vmlinuz-5.15.0-105-generic");
  EXPECT_EQ(Text(r, 0, "device"), "/dev/mapper/vg0-root");
  EXPECT_EQ(Text(r, 0, "arguments"), "ro quiet splash vt.handoff=7");
}

TEST(KernelInfoTableTest, CmdlineWithoutBootImageLeavesPathNull) {
  TempDir root;
  root.WriteFile("proc/cmdline", "console=ttyS0 quiet\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT * FROM kernel_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(Null(r, 0, "path"));
  EXPECT_TRUE(Null(r, 0, "device"));
  EXPECT_TRUE(Null(r, 0, "version"));  // no /proc/version
  EXPECT_EQ(Text(r, 0, "arguments"), "console=ttyS0 quiet");
}

TEST(KernelInfoTableTest, NoProcFilesIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM kernel_info").rows.empty());
}

TEST(KernelInfoTableLiveTest, VersionIsUnameReleaseAndCmdlineIsReassembled) {
  auto uname = RunCommand({"uname", "-r"});
  ASSERT_EQ(uname.exit_code, 0);
  SqlFixture db;
  auto r = db.Query("SELECT * FROM kernel_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "version"), std::string(TrimWhitespace(uname.out)));
  std::multiset<std::string> expected;
  const std::string cmdline = RunCommand({"cat", "/proc/cmdline"}).out;
  for (auto word : SplitWhitespace(cmdline)) expected.emplace(word);
  std::multiset<std::string> got;
  const std::string arguments = Text(r, 0, "arguments");
  for (auto word : SplitWhitespace(arguments)) got.emplace(word);
  if (!Null(r, 0, "path")) got.insert("BOOT_IMAGE=" + Text(r, 0, "path"));
  if (!Null(r, 0, "device")) got.insert("root=" + Text(r, 0, "device"));
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace warden::system_test
