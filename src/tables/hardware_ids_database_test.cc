#include "tables/hardware_ids_database.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

constexpr std::string_view kIds =
    "# comment\n"
    "1af4  Red Hat, Inc.\n"
    "\t1000  Virtio network device\n"
    "\t\t1af4 0001  Virtio network device\n"
    "8086  Intel Corporation\n"
    "\t100e  82540EM Gigabit Ethernet Controller\n"
    "C 02  Network controller\n"
    "\t00  Ethernet controller\n"
    "AT 0100  USB Undefined\n"
    "\t0200  not a device\n"
    "HID 21  HID\n";

TEST(HardwareIdsDatabaseTest, LooksUpVendorsDevicesAndSubsystemsIgnoringCase) {
  auto db = HardwareIdsDatabase::Parse(kIds);
  EXPECT_EQ(db.Vendor("1AF4"), "Red Hat, Inc.");
  EXPECT_EQ(db.Device("1af4", "1000"), "Virtio network device");
  EXPECT_EQ(db.Subsystem("1af4", "1000", "1af4", "0001"), "Virtio network device");
  EXPECT_EQ(db.Device("8086", "100E"), "82540EM Gigabit Ethernet Controller");
  EXPECT_FALSE(db.Device("8086", "1000").has_value());
  EXPECT_FALSE(db.Vendor("ffff").has_value());
}

TEST(HardwareIdsDatabaseTest, ClassesAndSubclasses) {
  auto db = HardwareIdsDatabase::Parse(kIds);
  EXPECT_EQ(db.Class("02"), "Network controller");
  EXPECT_EQ(db.Subclass("02", "00"), "Ethernet controller");
  EXPECT_FALSE(db.Subclass("02", "80").has_value());
}

TEST(HardwareIdsDatabaseTest, OtherSectionsDoNotLeakIntoTheLastVendor) {
  auto db = HardwareIdsDatabase::Parse(kIds);
  EXPECT_FALSE(db.Device("8086", "0200").has_value());
}

TEST(HardwareIdsDatabaseTest, OnlyWantedVendorsAreKept) {
  auto db = HardwareIdsDatabase::Parse(kIds, {"8086"});
  EXPECT_FALSE(db.Vendor("1af4").has_value());
  EXPECT_EQ(db.Vendor("8086"), "Intel Corporation");
  EXPECT_EQ(db.Class("02"), "Network controller");
}

TEST(HardwareIdsDatabaseTest, MissingFilesGiveAnEmptyDatabase) {
  HostFs fs("/nonexistent-root");
  EXPECT_TRUE(HardwareIdsDatabase::Load(fs, PciIdsPaths()).empty());
}

}  // namespace
}  // namespace warden
