#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunShell;
using testing::SqlFixture;
using testing::TempDir;

TEST(DiskEncryptionTableTest, OpenedLuksMappingIsEncryptedWithItsSegmentCipher) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM disk_encryption WHERE name = '/dev/dm-0'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Int(r, 0, "encrypted"), 1);
  // The fixture's keyslot area uses aes-cbc-essiv; the data segment is xts.
  EXPECT_EQ(Text(r, 0, "type"), "LUKS2-aes-xts-plain64");
  EXPECT_EQ(Text(r, 0, "encryption_status"), "encrypted");
}

TEST(DiskEncryptionTableTest, DeviceStackedOnEncryptedOneInheritsIt) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT encrypted, type FROM disk_encryption WHERE name = '/dev/dm-1'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Int(r, 0, "encrypted"), 1);
  EXPECT_EQ(Text(r, 0, "type"), "LUKS2-aes-xts-plain64");
}

TEST(DiskEncryptionTableTest, OtherDevicesAreNotEncrypted) {
  SqlFixture db(SystemRoot());
  auto r = db.Query(
      "SELECT name, encrypted, type, encryption_status FROM disk_encryption WHERE encrypted = 0");
  // The raw LUKS partition itself is ciphertext, not an encrypted volume, as
  // in osquery.
  EXPECT_EQ(ColumnValues(r, "name"),
            (std::vector<std::string>{"/dev/loop0", "/dev/sda", "/dev/sda1", "/dev/sda2",
                                      "/dev/sdb", "/dev/sdb1"}));
  for (size_t i = 0; i < r.rows.size(); ++i) {
    EXPECT_EQ(Text(r, i, "encryption_status"), "not encrypted");
    EXPECT_TRUE(Null(r, i, "type"));
  }
}

TEST(DiskEncryptionTableTest, UuidIsTheBlockDevicesUuid) {
  SqlFixture db(SystemRoot());
  auto r = db.Query(
      "SELECT d.uuid AS d, b.uuid AS b FROM disk_encryption d JOIN block_devices b USING (name)");
  ASSERT_EQ(r.rows.size(), 8u);
  for (size_t i = 0; i < r.rows.size(); ++i) {
    EXPECT_EQ(ValueToText(At(r, i, "d")), ValueToText(At(r, i, "b")));
  }
}

TEST(DiskEncryptionTableTest, UnreadableHeaderLeavesTheVersionFromDmUuid) {
  TempDir root;
  root.WriteFile("sys/block/dm-3/dm/uuid", "CRYPT-LUKS1-0123456789abcdef0123456789abcdef-swap\n");
  root.WriteFile("sys/block/dm-3/size", "8388608\n");
  root.WriteFile("sys/block/dm-3/slaves/nvme0n1p3", "");
  root.WriteFile("sys/block/nvme0n1/size", "1000215216\n");
  root.WriteFile("sys/block/nvme0n1/nvme0n1p3/partition", "3\n");
  root.WriteFile("sys/block/nvme0n1/nvme0n1p3/size", "8388608\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT encrypted, type FROM disk_encryption WHERE name = '/dev/dm-3'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Int(r, 0, "encrypted"), 1);
  EXPECT_EQ(Text(r, 0, "type"), "LUKS1");
}

TEST(DiskEncryptionTableLiveTest, EncryptedRowsAreExactlyTheDmCryptDevices) {
  auto crypt = RunShell(
      "for f in /sys/block/dm-*/dm/uuid; do [ -e \"$f\" ] && grep -l '^CRYPT-' \"$f\"; done; true");
  auto expected = Lines(crypt.out);
  for (auto& path : expected) path = "/dev/" + path.substr(11, path.find("/dm/uuid") - 11);
  SqlFixture db;
  auto r = db.Query("SELECT name FROM disk_encryption WHERE encrypted = 1 AND type NOT NULL");
  auto block = db.Query("SELECT name FROM block_devices");
  EXPECT_EQ(db.Query("SELECT name FROM disk_encryption").rows.size(), block.rows.size());
  // Directly encrypted devices are a subset of the encrypted rows (stacked
  // devices inherit).
  auto names = ColumnValues(r, "name");
  for (const auto& name : expected) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  if (expected.empty()) {
    EXPECT_TRUE(names.empty());
  }
}

}  // namespace
}  // namespace warden::system_test
