#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;
using testing::TempDir;

TEST(SystemInfoTableTest, CpuAndMemoryFromProc) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM system_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "hostname"), "fixture-host");
  EXPECT_EQ(Text(r, 0, "computer_name"), "fixture-host");
  EXPECT_EQ(Text(r, 0, "local_hostname"), "fixture-host");
  EXPECT_EQ(Text(r, 0, "cpu_type"), "x86_64");
  EXPECT_EQ(Text(r, 0, "cpu_subtype"), "142");
  EXPECT_EQ(Text(r, 0, "cpu_brand"), "Intel(R) Core(TM) i7-10610U CPU @ 1.80GHz");
  EXPECT_EQ(Int(r, 0, "cpu_physical_cores"), 2);
  EXPECT_EQ(Int(r, 0, "cpu_logical_cores"), 4);
  EXPECT_EQ(Int(r, 0, "cpu_sockets"), 1);
  EXPECT_EQ(Text(r, 0, "cpu_microcode"), "0xf4");
  EXPECT_EQ(Int(r, 0, "physical_memory"), 16318412LL * 1024);
}

TEST(SystemInfoTableTest, HardwareFromSmbiosWithLenovoModelSwap) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM system_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "uuid"), "3F1C9A5E-7B2D-11EB-8C4A-5E3D2C1B0A99");
  EXPECT_EQ(Text(r, 0, "hardware_vendor"), "LENOVO");
  EXPECT_EQ(Text(r, 0, "hardware_model"), "ThinkPad X1 Carbon Gen 9");
  EXPECT_EQ(Text(r, 0, "hardware_version"), "20XW00ABUS");
  EXPECT_EQ(Text(r, 0, "hardware_serial"), "PF2ABCDE");
  EXPECT_EQ(Text(r, 0, "board_vendor"), "LENOVO");
  EXPECT_EQ(Text(r, 0, "board_model"), "20XW00ABUS");
  EXPECT_EQ(Text(r, 0, "board_version"), "SDK0J40697 WIN");
  EXPECT_EQ(Text(r, 0, "board_serial"), "L1HF16A0123");
}

TEST(SystemInfoTableTest, SmbiosUuidDecodesLikeTheKernel) {
  // Without product_uuid the UUID comes from the SMBIOS bytes: it must equal
  // what the kernel printed for the same table.
  TempDir root;
  CopyFromSystemRoot(root, {"sys/firmware/dmi/tables/DMI"});
  SqlFixture db(root.path());
  auto r = db.Query("SELECT uuid FROM system_info");
  std::string kernel = ReadWholeFile(SystemRoot() + "/sys/class/dmi/id/product_uuid");
  std::string upper(TrimWhitespace(kernel));
  for (char& c : upper) c = static_cast<char>(toupper(c));
  EXPECT_EQ(Text(r, 0, "uuid"), upper);
}

TEST(SystemInfoTableTest, WithoutSmbiosUuidComesFromMachineId) {
  TempDir root;
  CopyFromSystemRoot(root, {"etc/machine-id"});
  SqlFixture db(root.path());
  auto r = db.Query("SELECT uuid, hostname, hardware_vendor FROM system_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "uuid"), "3F9C2A7E-5B1D-4C8E-9A0B-1C2D3E4F5A6B");
  EXPECT_EQ(Text(r, 0, "hardware_vendor"), "");
}

TEST(SystemInfoTableTest, DmiIdFilesStandInForAnUnreadableTable) {
  TempDir root;
  root.WriteFile("sys/class/dmi/id/sys_vendor", "QEMU\n");
  root.WriteFile("sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
  root.WriteFile("sys/class/dmi/id/board_vendor", "Canonical Ltd.\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT hardware_vendor, hardware_model, board_vendor FROM system_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "hardware_vendor"), "QEMU");
  EXPECT_EQ(Text(r, 0, "hardware_model"), "Standard PC (Q35 + ICH9, 2009)");
  EXPECT_EQ(Text(r, 0, "board_vendor"), "Canonical Ltd.");
}

TEST(SystemInfoTableLiveTest, MatchesHostnameNprocFreeAndUname) {
  SqlFixture db;
  auto r = db.Query("SELECT * FROM system_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "hostname"), std::string(TrimWhitespace(RunCommand({"uname", "-n"}).out)));
  EXPECT_EQ(Text(r, 0, "cpu_type"), std::string(TrimWhitespace(RunCommand({"uname", "-m"}).out)));
  EXPECT_EQ(Int(r, 0, "cpu_logical_cores"), std::stoll(RunCommand({"nproc", "--all"}).out));
  EXPECT_LE(Int(r, 0, "cpu_physical_cores"), Int(r, 0, "cpu_logical_cores"));
  const std::string free_out = RunCommand({"free", "-b"}).out;
  for (const std::string& line : Lines(free_out))
    if (StartsWith(line, "Mem:")) {
      EXPECT_EQ(std::to_string(Int(r, 0, "physical_memory")),
                std::string(SplitWhitespace(line)[1]));
    }
  EXPECT_EQ(Text(r, 0, "uuid").size(), 36u);
}

}  // namespace
}  // namespace warden::system_test
