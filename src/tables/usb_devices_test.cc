#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;

TEST(UsbDevicesTableTest, DevicesButNotInterfaces) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT usb_address, usb_port FROM usb_devices");
  EXPECT_EQ(ColumnValues(r, "usb_port"),
            (std::vector<std::string>{"2", "5", "1"}));  // 1-1, 1-2, usb1
  EXPECT_EQ(ColumnValues(r, "usb_address"), (std::vector<std::string>{"1", "1", "1"}));
}

TEST(UsbDevicesTableTest, RootHubUsesUsbIdsNamesAndDecimalClassCodes) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM usb_devices WHERE usb_port = 1");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "vendor"), "Linux Foundation");
  EXPECT_EQ(Text(r, 0, "model"), "2.0 root hub");
  EXPECT_EQ(Text(r, 0, "vendor_id"), "1d6b");
  EXPECT_EQ(Text(r, 0, "model_id"), "0002");
  EXPECT_EQ(Text(r, 0, "version"), "0515");
  EXPECT_EQ(Text(r, 0, "class"), "9");
  EXPECT_EQ(Text(r, 0, "subclass"), "0");
  EXPECT_EQ(Text(r, 0, "protocol"), "1");
  EXPECT_EQ(Text(r, 0, "serial"), "0000:00:14.0");
  EXPECT_EQ(Int(r, 0, "removable"), -1);
}

TEST(UsbDevicesTableTest, RemovableDeviceKnownToUsbIds) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT vendor, model, removable FROM usb_devices WHERE model_id = 'C52B'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "vendor"), "Logitech, Inc.");
  EXPECT_EQ(Text(r, 0, "model"), "Unifying Receiver");
  EXPECT_EQ(Int(r, 0, "removable"), 1);
}

TEST(UsbDevicesTableTest, UnknownIdsFallBackToTheDevicesOwnStrings) {
  SqlFixture db(SystemRoot());
  auto r =
      db.Query("SELECT vendor, model, serial, removable FROM usb_devices WHERE vendor_id = '0781'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "vendor"), "SanDisk'");
  EXPECT_EQ(Text(r, 0, "model"), "Ultra Fit");
  EXPECT_EQ(Text(r, 0, "serial"), "4C530001234567891234");
  EXPECT_EQ(Int(r, 0, "removable"), 0);  // "fixed"
}

TEST(UsbDevicesTableLiveTest, MatchesLsusbOrHasNoRowsWithoutUsb) {
  SqlFixture db;
  auto r = db.Query("SELECT usb_address, usb_port, vendor_id, model_id FROM usb_devices");
  if (RunCommand({"test", "-d", "/sys/bus/usb/devices"}).exit_code != 0) {
    EXPECT_TRUE(r.rows.empty());  // a VM without a USB controller
    return;
  }
  auto lsusb = RunCommand({"lsusb"});
  if (lsusb.exit_code != 0) {
    GTEST_SKIP() << "lsusb unavailable (usbutils)";
  }
  // "Bus 001 Device 002: ID 046d:c52b Logitech, Inc. Unifying Receiver"
  auto lines = Lines(lsusb.out);
  EXPECT_EQ(r.rows.size(), lines.size());
  for (const std::string& line : lines) {
    auto f = SplitWhitespace(line);
    ASSERT_GE(f.size(), 6u);
    std::string ids(f[5]);
    bool found = false;
    for (size_t i = 0; i < r.rows.size(); ++i)
      found = found || (Int(r, i, "usb_address") == std::stoll(std::string(f[1])) &&
                        Int(r, i, "usb_port") == std::stoll(std::string(f[3])) &&
                        Text(r, i, "vendor_id") + ":" + Text(r, i, "model_id") == ids);
    EXPECT_TRUE(found) << line;
  }
}

}  // namespace
}  // namespace warden::system_test
