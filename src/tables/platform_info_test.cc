#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;
using testing::TempDir;

TEST(PlatformInfoTableTest, BiosInformationStructure) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM platform_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "vendor"), "LENOVO");
  EXPECT_EQ(Text(r, 0, "version"), "N2WET36W (1.26 )");
  EXPECT_EQ(Text(r, 0, "date"), "03/15/2024");
  EXPECT_EQ(Text(r, 0, "revision"), "1.54");
  EXPECT_EQ(Text(r, 0, "address"), "0xe800");
  EXPECT_EQ(Text(r, 0, "size"), "16777216");  // (0xff + 1) * 64 KiB
  EXPECT_EQ(Int(r, 0, "volume_size"), 0);
  EXPECT_EQ(Text(r, 0, "extra"), "");
  EXPECT_EQ(Text(r, 0, "firmware_type"), "uefi");
}

TEST(PlatformInfoTableTest, WithoutEfiTheFirmwareIsBios) {
  TempDir root;
  CopyFromSystemRoot(root, {"sys/firmware/dmi/tables/DMI"});
  SqlFixture db(root.path());
  auto r = db.Query("SELECT firmware_type FROM platform_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "firmware_type"), "bios");
}

TEST(PlatformInfoTableTest, NoSmbiosIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM platform_info").rows.empty());
}

TEST(PlatformInfoTableLiveTest, AgreesWithTheKernelsDmiId) {
  SqlFixture db;
  auto r = db.Query("SELECT vendor, version, date FROM platform_info");
  auto vendor = RunCommand({"cat", "/sys/class/dmi/id/bios_vendor"});
  if (RunCommand({"test", "-r", "/sys/firmware/dmi/tables/DMI"}).exit_code != 0) {
    EXPECT_TRUE(r.rows.empty());
    return;
  }
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "vendor"), std::string(TrimWhitespace(vendor.out)));
  EXPECT_EQ(Text(r, 0, "date"),
            std::string(TrimWhitespace(RunCommand({"cat", "/sys/class/dmi/id/bios_date"}).out)));
}

}  // namespace
}  // namespace warden::system_test
