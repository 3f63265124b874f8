#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;

TEST(MountsTableTest, OneRowPerProcMountsLineInOrder) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT path FROM mounts");
  EXPECT_EQ(ColumnValues(r, "path"),
            (std::vector<std::string>{"/", "/proc", "/sys", "/run", "/data", "/media/backup disk",
                                      "/mnt/home", "/proc/sys/fs/binfmt_misc"}));
}

TEST(MountsTableTest, OctalEscapesAreDecoded) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT device, type, flags FROM mounts WHERE path = '/media/backup disk'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "device"), "/dev/sdb1");
  EXPECT_EQ(Text(r, 0, "type"), "vfat");
  EXPECT_EQ(Text(r, 0, "flags"), "rw,nosuid,nodev,relatime,uid=1000,gid=1000");
}

TEST(MountsTableTest, DeviceAliasResolvesSymlinks) {
  SqlFixture db(SystemRoot());
  auto r = db.Query(
      "SELECT device, device_alias FROM mounts WHERE path IN ('/', '/data', '/proc', '/mnt/home')");
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(Text(r, *FindRow(r, "device", "/dev/mapper/vg0-data"), "device_alias"), "/dev/dm-1");
  EXPECT_EQ(Text(r, *FindRow(r, "device", "/dev/sda1"), "device_alias"), "/dev/sda1");
  EXPECT_TRUE(Null(r, *FindRow(r, "device", "proc"), "device_alias"));
  EXPECT_TRUE(Null(r, *FindRow(r, "device", "nas.example.com:/export/home"), "device_alias"));
}

TEST(MountsTableTest, FixtureTreeHasNoSizes) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT blocks, blocks_size, inodes FROM mounts WHERE path = '/'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(Null(r, 0, "blocks"));
  EXPECT_TRUE(Null(r, 0, "inodes"));
}

TEST(MountsTableLiveTest, RowCountMatchesFindmnt) {
  auto findmnt = RunCommand({"findmnt", "--list", "--noheadings", "--output", "TARGET"});
  ASSERT_EQ(findmnt.exit_code, 0) << findmnt.err;
  SqlFixture db;
  auto r = db.Query("SELECT path FROM mounts");
  EXPECT_EQ(r.rows.size(), Lines(findmnt.out).size());
  EXPECT_EQ(r.rows.size(), Lines(RunCommand({"cat", "/proc/mounts"}).out).size());
}

TEST(MountsTableLiveTest, RootSizesMatchStatFilesystem) {
  auto stat = RunCommand({"stat", "--file-system", "--format", "%S %b %c", "/"});
  ASSERT_EQ(stat.exit_code, 0) << stat.err;
  auto f = SplitWhitespace(stat.out);
  ASSERT_EQ(f.size(), 3u);
  SqlFixture db;
  auto r = db.Query("SELECT blocks_size, blocks, inodes FROM mounts WHERE path = '/'");
  ASSERT_GE(r.rows.size(), 1u);
  size_t last = r.rows.size() - 1;  // the mount on top is the one statfs sees
  EXPECT_EQ(std::to_string(Int(r, last, "blocks_size")), std::string(f[0]));
  EXPECT_EQ(std::to_string(Int(r, last, "blocks")), std::string(f[1]));
  EXPECT_EQ(std::to_string(Int(r, last, "inodes")), std::string(f[2]));
}

}  // namespace
}  // namespace warden::system_test
