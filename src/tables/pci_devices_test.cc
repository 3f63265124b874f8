#include <gtest/gtest.h>

#include <map>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;
using testing::TempDir;

TEST(PciDevicesTableTest, OneRowPerFunctionInSlotOrder) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT pci_slot FROM pci_devices");
  EXPECT_EQ(
      ColumnValues(r, "pci_slot"),
      (std::vector<std::string>{"0000:00:00.0", "0000:00:02.0", "0000:00:1f.6", "0000:04:00.0"}));
}

TEST(PciDevicesTableTest, IdsAndNamesFromSysfsAndPciIds) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM pci_devices WHERE pci_slot = '0000:04:00.0'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "vendor_id"), "0x144d");
  EXPECT_EQ(Text(r, 0, "model_id"), "0xa808");
  EXPECT_EQ(Text(r, 0, "vendor"), "Samsung Electronics Co Ltd");
  EXPECT_EQ(Text(r, 0, "model"), "NVMe SSD Controller SM981/PM981/PM983");
  EXPECT_EQ(Text(r, 0, "pci_class_id"), "0x01");
  EXPECT_EQ(Text(r, 0, "pci_subclass_id"), "0x08");
  EXPECT_EQ(Text(r, 0, "pci_class"), "Mass storage controller");
  EXPECT_EQ(Text(r, 0, "pci_subclass"), "Non-Volatile memory controller");
  EXPECT_EQ(Text(r, 0, "subsystem_vendor_id"), "0x144d");
  EXPECT_EQ(Text(r, 0, "subsystem_model_id"), "0xa801");
  EXPECT_EQ(Text(r, 0, "subsystem_vendor"), "Samsung Electronics Co Ltd");
  EXPECT_EQ(Text(r, 0, "subsystem_model"), "SSD 970 EVO/PM981");
  EXPECT_EQ(Text(r, 0, "driver"), "nvme");
}

TEST(PciDevicesTableTest, SubsystemOfAnotherVendorIsNamed) {
  SqlFixture db(SystemRoot());
  auto r = db.Query(
      "SELECT model, subsystem_vendor, subsystem_model, driver FROM pci_devices WHERE pci_slot = "
      "'0000:00:02.0'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "model"), "CometLake-U GT2 [UHD Graphics]");
  EXPECT_EQ(Text(r, 0, "subsystem_vendor"), "Lenovo");
  EXPECT_EQ(Text(r, 0, "subsystem_model"), "ThinkPad X1 Carbon Gen 8");
  EXPECT_EQ(Text(r, 0, "driver"), "i915");
}

TEST(PciDevicesTableTest, UnknownIdsAndNoDriverAreNull) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM pci_devices WHERE pci_slot = '0000:00:1f.6'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "vendor_id"), "0x1234");
  EXPECT_TRUE(Null(r, 0, "vendor"));
  EXPECT_TRUE(Null(r, 0, "model"));
  EXPECT_TRUE(Null(r, 0, "driver"));
  EXPECT_EQ(Text(r, 0, "pci_class"), "Serial bus controller");
  EXPECT_EQ(Text(r, 0, "pci_subclass"), "USB controller");
}

TEST(PciDevicesTableTest, VendorIdComparesWithoutCase) {
  SqlFixture db(SystemRoot());
  EXPECT_EQ(db.Query("SELECT * FROM pci_devices WHERE vendor_id = '0x144D'").rows.size(), 1u);
}

TEST(PciDevicesTableTest, WithoutPciIdsNamesAreNullButRowsRemain) {
  TempDir root;
  for (const char* attr : {"vendor", "device", "class", "subsystem_vendor", "subsystem_device"})
    CopyFromSystemRoot(root, {std::string("sys/bus/pci/devices/0000:04:00.0/") + attr});
  SqlFixture db(root.path());
  auto r = db.Query("SELECT vendor, vendor_id, pci_class FROM pci_devices");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "vendor_id"), "0x144d");
  EXPECT_TRUE(Null(r, 0, "vendor"));
  EXPECT_TRUE(Null(r, 0, "pci_class"));
}

TEST(PciDevicesTableLiveTest, MatchesLspci) {
  auto lspci = RunCommand({"lspci", "-D", "-n"});
  if (lspci.exit_code != 0) {
    GTEST_SKIP() << "lspci unavailable (pciutils): " << lspci.err;
  }
  SqlFixture db;
  auto r = db.Query("SELECT pci_slot, vendor_id, model_id, vendor FROM pci_devices");
  std::vector<std::string> slots;
  for (const std::string& line : Lines(lspci.out)) {
    // "0000:00:02.0 0180: 1af4:1042 (rev 01)"
    auto f = SplitWhitespace(line);
    ASSERT_GE(f.size(), 3u) << line;
    slots.emplace_back(f[0]);
    auto row = FindRow(r, "pci_slot", std::string(f[0]));
    ASSERT_TRUE(row.has_value()) << line;
    std::string ids(f[2]);
    EXPECT_EQ(Text(r, *row, "vendor_id"), "0x" + ids.substr(0, 4)) << line;
    EXPECT_EQ(Text(r, *row, "model_id"), "0x" + ids.substr(5, 4)) << line;
  }
  EXPECT_EQ(ColumnValues(r, "pci_slot"), slots);
  // Vendor names: lspci -vmm resolves the same pci.ids.
  auto vmm = RunCommand({"lspci", "-D", "-vmm"});
  std::string slot;
  for (const std::string& line : Lines(vmm.out)) {
    if (StartsWith(line, "Slot:"))
      slot = std::string(TrimWhitespace(std::string_view(line).substr(5)));
    if (!StartsWith(line, "Vendor:")) continue;
    std::string vendor(TrimWhitespace(std::string_view(line).substr(7)));
    auto row = FindRow(r, "pci_slot", slot);
    ASSERT_TRUE(row.has_value());
    // lspci prints "Vendor 1af4" for ids pci.ids does not know.
    if (StartsWith(vendor, "Vendor ")) {
      EXPECT_TRUE(Null(r, *row, "vendor")) << slot;
    } else {
      EXPECT_EQ(Text(r, *row, "vendor"), vendor) << slot;
    }
  }
}

}  // namespace
}  // namespace warden::system_test
