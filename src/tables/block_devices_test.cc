#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;

TEST(BlockDevicesTableTest, DisksAreFollowedByTheirPartitions) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT name, parent FROM block_devices");
  EXPECT_EQ(ColumnValues(r, "name"),
            (std::vector<std::string>{"/dev/dm-0", "/dev/dm-1", "/dev/loop0", "/dev/sda",
                                      "/dev/sda1", "/dev/sda2", "/dev/sdb", "/dev/sdb1"}));
  EXPECT_EQ(ColumnValues(r, "parent"),
            (std::vector<std::string>{"/dev/sda2", "/dev/dm-0", "", "", "/dev/sda", "/dev/sda", "",
                                      "/dev/sdb"}));
}

TEST(BlockDevicesTableTest, DiskIdentityAndGeometry) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM block_devices WHERE name = '/dev/sda'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "vendor"), "ATA");
  EXPECT_EQ(Text(r, 0, "model"), "Samsung SSD 870");
  EXPECT_EQ(Text(r, 0, "serial"), "S5Y1NX0T123456A");  // from the udev database
  EXPECT_EQ(Int(r, 0, "size"), 1000215216);
  EXPECT_EQ(Int(r, 0, "block_size"), 512);
}

TEST(BlockDevicesTableTest, FilesystemIdentityFromSuperblocks) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT name, type, uuid, label FROM block_devices");
  size_t sda1 = *FindRow(r, "name", "/dev/sda1");
  EXPECT_EQ(Text(r, sda1, "type"), "ext4");
  EXPECT_EQ(Text(r, sda1, "uuid"), "8d3e51b4-a2f6-4c1e-9b7a-0c5d6e2f1a3b");
  EXPECT_EQ(Text(r, sda1, "label"), "rootfs");
  size_t sda2 = *FindRow(r, "name", "/dev/sda2");
  EXPECT_EQ(Text(r, sda2, "type"), "crypto_LUKS");
  EXPECT_EQ(Text(r, sda2, "uuid"), "6a1f5c3e-2b4d-4e8f-9a0b-1c2d3e4f5a6b");
  size_t dm0 = *FindRow(r, "name", "/dev/dm-0");
  EXPECT_EQ(Text(r, dm0, "type"), "LVM2_member");
  EXPECT_EQ(Text(r, dm0, "uuid"), "Xk3Jd9-F2mQ-8wL1-pR7s-T4vB-6nC0-yH5gZa");
  size_t dm1 = *FindRow(r, "name", "/dev/dm-1");
  EXPECT_EQ(Text(r, dm1, "type"), "xfs");
  EXPECT_EQ(Text(r, dm1, "label"), "data");
  size_t loop0 = *FindRow(r, "name", "/dev/loop0");
  EXPECT_TRUE(Null(r, loop0, "type"));
}

TEST(BlockDevicesTableTest, UdevDatabaseTakesPrecedence) {
  SqlFixture db(SystemRoot());
  // /run/udev/data/b8:17 describes sdb1; there is no /dev/sdb1 to read
  // beyond a boot sector that agrees.
  auto r = db.Query("SELECT type, uuid, label FROM block_devices WHERE name = '/dev/sdb1'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "type"), "vfat");
  EXPECT_EQ(Text(r, 0, "uuid"), "5A3C-19E2");
  EXPECT_EQ(Text(r, 0, "label"), "BACKUP");
}

TEST(BlockDevicesTableTest, PartitionsInheritTheDisksIdentity) {
  SqlFixture db(SystemRoot());
  auto r = db.Query(
      "SELECT vendor, model, block_size, size FROM block_devices WHERE name = '/dev/sdb1'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "vendor"), "SanDisk");
  EXPECT_EQ(Text(r, 0, "model"), "Ultra Fit");
  EXPECT_EQ(Int(r, 0, "block_size"), 512);
  EXPECT_EQ(Int(r, 0, "size"), 60061696);
}

TEST(BlockDevicesTableTest, NameConstraintProbesOnlyThatDevice) {
  RecordingHostFs fs(SystemRoot());
  EngineOver db(&fs);
  auto r = db.Query("SELECT type FROM block_devices WHERE name = '/dev/sda1'");
  EXPECT_EQ(ColumnValues(r, "type"), (std::vector<std::string>{"ext4"}));
  for (const std::string& file : fs.reads())
    if (StartsWith(file, "/dev/")) {
      EXPECT_EQ(file, "/dev/sda1");
    }
}

TEST(BlockDevicesTableTest, NoSysBlockIsZeroRows) {
  testing::TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM block_devices").rows.empty());
}

TEST(BlockDevicesTableLiveTest, EveryLsblkDeviceIsListedWithItsSize) {
  auto lsblk = RunCommand({"lsblk", "--raw", "--noheadings", "--bytes", "--output", "NAME,SIZE"});
  if (lsblk.exit_code != 0) {
    GTEST_SKIP() << "lsblk failed: " << lsblk.err;
  }
  SqlFixture db;
  auto r = db.Query("SELECT name, size FROM block_devices");
  for (const std::string& line : Lines(lsblk.out)) {
    auto f = SplitWhitespace(line);
    ASSERT_EQ(f.size(), 2u) << line;
    auto row = FindRow(r, "name", "/dev/" + std::string(f[0]));
    ASSERT_TRUE(row.has_value()) << f[0];
    EXPECT_EQ(std::to_string(Int(r, *row, "size") * 512), std::string(f[1])) << f[0];
  }
}

}  // namespace
}  // namespace warden::system_test
