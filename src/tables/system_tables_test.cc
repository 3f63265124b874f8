// Tests that hold for every table of the system group: each is registered,
// and none crashes, hangs or errors on a host whose files are binary junk,
// truncated or absurdly long (the parse errors of uptime and load_average
// are the only acceptable failures).
#include <gtest/gtest.h>

#include <chrono>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::SqlFixture;
using testing::TempDir;

const std::vector<std::string>& SystemTableNames() {
  static const std::vector<std::string> kNames = {
      "os_version",      "system_info", "platform_info", "kernel_info",
      "kernel_modules",  "uptime",      "time",          "load_average",
      "memory_info",     "cpu_time",    "cpu_info",      "cpuid",
      "system_controls", "ulimit_info", "mounts",        "block_devices",
      "disk_encryption", "pci_devices", "usb_devices",   "acpi_tables",
      "smbios_tables"};
  return kNames;
}

std::string Junk(size_t size, unsigned seed) {
  std::string s;
  s.reserve(size);
  unsigned x = seed;
  for (size_t i = 0; i < size; ++i) {
    x = x * 1103515245u + 12345u;
    s += static_cast<char>(x >> 16);
  }
  return s;
}

TEST(SystemTablesTest, EveryTableIsRegistered) {
  SqlFixture db(SystemRoot());
  for (const auto& name : SystemTableNames()) EXPECT_NE(db.registry().Find(name), nullptr) << name;
}

TEST(SystemTablesTest, EveryTableAnswersOnTheFixtureTree) {
  SqlFixture db(SystemRoot());
  for (const auto& name : SystemTableNames()) {
    auto r = db.engine().Query("SELECT * FROM " + name);
    EXPECT_TRUE(r.ok()) << name << ": " << r.status().message();
  }
}

TEST(SystemTablesTest, JunkFilesNeitherCrashNorHang) {
  TempDir root;
  const std::vector<std::string> files = {"proc/uptime",
                                          "proc/loadavg",
                                          "proc/meminfo",
                                          "proc/stat",
                                          "proc/mounts",
                                          "proc/modules",
                                          "proc/cmdline",
                                          "proc/version",
                                          "proc/cpuinfo",
                                          "proc/self/limits",
                                          "proc/sys/kernel/hostname",
                                          "proc/sys/kernel/arch",
                                          "proc/sys/vm/swappiness",
                                          "etc/os-release",
                                          "etc/redhat-release",
                                          "etc/sysctl.conf",
                                          "etc/sysctl.d/junk.conf",
                                          "etc/machine-id",
                                          "sys/firmware/dmi/tables/DMI",
                                          "sys/firmware/acpi/tables/DSDT",
                                          "sys/class/dmi/id/product_uuid",
                                          "sys/block/sda/size",
                                          "sys/block/sda/dev",
                                          "sys/block/sda/queue/logical_block_size",
                                          "sys/block/sda/device/model",
                                          "sys/block/sda/sda1/partition",
                                          "sys/block/sda/sda1/size",
                                          "sys/block/dm-0/dm/uuid",
                                          "sys/block/dm-0/slaves/sda1",
                                          "sys/block/dm-0/size",
                                          "dev/sda",
                                          "dev/sda1",
                                          "run/udev/data/b8:0",
                                          "sys/bus/pci/devices/0000:00:00.0/vendor",
                                          "sys/bus/pci/devices/0000:00:00.0/class",
                                          "sys/bus/usb/devices/1-1/busnum",
                                          "sys/bus/usb/devices/1-1/devnum",
                                          "sys/bus/usb/devices/1-1/idVendor",
                                          "usr/share/misc/pci.ids",
                                          "usr/share/misc/usb.ids"};
  unsigned seed = 1;
  for (const auto& file : files) root.WriteFile(file, Junk(70000, seed++));
  // Sane sizes and ids where junk would stop a table before its parsers.
  root.WriteFile("sys/block/sda/size", "1000\n");
  root.WriteFile("sys/block/sda/sda1/partition", "1\n");
  root.WriteFile("sys/block/sda/sda1/size", "100\n");
  root.WriteFile("sys/block/dm-0/dm/uuid", "CRYPT-LUKS2-00-junk\n");
  root.WriteFile("sys/block/dm-0/size", "100\n");
  root.WriteFile("sys/bus/usb/devices/1-1/busnum", "1\n");
  root.WriteFile("sys/bus/usb/devices/1-1/devnum", "2\n");
  root.WriteFile("sys/bus/pci/devices/0000:00:00.0/vendor", "0x8086\n");
  // A LUKS2 magic followed by junk "JSON" and an absurd header size.
  root.WriteFile("dev/sda1",
                 std::string("LUKS\xba\xbe\x00\x02\xff\xff\xff\xff\xff\xff\xff\xff", 16) +
                     Junk(8000, 99) + "\"segments\" \"encryption\" : \"");
  // One file of a single enormous line, one of only newlines.
  root.WriteFile("proc/self/limits", std::string(2u << 20, 'x'));
  root.WriteFile("etc/redhat-release", std::string(1u << 20, '\n'));
  SqlFixture db(root.path());
  for (const auto& name : SystemTableNames()) {
    auto start = std::chrono::steady_clock::now();
    auto r = db.engine().Query("SELECT * FROM " + name);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, std::chrono::seconds(5)) << name;
    if (name != "uptime" && name != "load_average") {
      EXPECT_TRUE(r.ok()) << name << ": " << r.status().message();
    }
  }
}

TEST(SystemTablesTest, EmptyRootGivesNoErrors) {
  TempDir empty;
  SqlFixture db(empty.path());
  for (const auto& name : SystemTableNames()) {
    auto r = db.engine().Query("SELECT * FROM " + name);
    EXPECT_TRUE(r.ok()) << name << ": " << r.status().message();
  }
}

}  // namespace
}  // namespace warden::system_test
