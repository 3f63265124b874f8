#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;
using testing::TempDir;

TEST(CpuInfoTableTest, ProcessorStructuresFromSmbios) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM cpu_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "device_id"), "CPU0");
  EXPECT_EQ(Text(r, 0, "model"), "Intel(R) Core(TM) i7-10610U CPU @ 1.80GHz");  // padding trimmed
  EXPECT_EQ(Text(r, 0, "manufacturer"), "Intel(R) Corporation");
  EXPECT_EQ(Text(r, 0, "processor_type"), "3");
  EXPECT_EQ(Int(r, 0, "cpu_status"), 0x41);
  EXPECT_EQ(Text(r, 0, "number_of_cores"), "2");
  EXPECT_EQ(Int(r, 0, "logical_processors"), 4);
  EXPECT_EQ(Text(r, 0, "address_width"), "64");
  EXPECT_EQ(Int(r, 0, "current_clock_speed"), 1800);
  EXPECT_EQ(Int(r, 0, "max_clock_speed"), 4900);
  EXPECT_EQ(Text(r, 0, "socket_designation"), "U3E1");
}

TEST(CpuInfoTableTest, WithoutSmbiosPackagesComeFromProcCpuinfo) {
  TempDir root;
  CopyFromSystemRoot(root,
                     {"proc/cpuinfo", "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"});
  SqlFixture db(root.path());
  auto r = db.Query("SELECT * FROM cpu_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "device_id"), "CPU0");
  EXPECT_EQ(Text(r, 0, "model"), "Intel(R) Core(TM) i7-10610U CPU @ 1.80GHz");
  EXPECT_EQ(Text(r, 0, "manufacturer"), "GenuineIntel");
  EXPECT_EQ(Text(r, 0, "number_of_cores"), "2");
  EXPECT_EQ(Int(r, 0, "logical_processors"), 4);
  EXPECT_EQ(Text(r, 0, "address_width"), "64");
  EXPECT_EQ(Int(r, 0, "current_clock_speed"), 2300);
  EXPECT_EQ(Int(r, 0, "max_clock_speed"), 4900);
  EXPECT_EQ(Text(r, 0, "socket_designation"), "CPU 0");
  EXPECT_EQ(Int(r, 0, "cpu_status"), 0x41);  // running: populated and enabled
}

TEST(CpuInfoTableTest, TwoSocketsAreTwoRows) {
  TempDir root;
  root.WriteFile(
      "proc/cpuinfo",
      "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7763\nphysical id\t: 0\n"
      "cpu cores\t: 1\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7763\n"
      "physical id\t: 1\ncpu cores\t: 1\n\n");
  SqlFixture db(root.path());
  auto r = db.Query(
      "SELECT device_id, logical_processors, socket_designation, current_clock_speed, "
      "max_clock_speed FROM cpu_info");
  EXPECT_EQ(ColumnValues(r, "device_id"), (std::vector<std::string>{"CPU0", "CPU1"}));
  EXPECT_EQ(ColumnValues(r, "logical_processors"), (std::vector<std::string>{"1", "1"}));
  EXPECT_EQ(ColumnValues(r, "socket_designation"), (std::vector<std::string>{"CPU 0", "CPU 1"}));
  // No MHz line, no cpufreq: osquery's integer for unknown.
  EXPECT_EQ(ColumnValues(r, "current_clock_speed"), (std::vector<std::string>{"-1", "-1"}));
  EXPECT_EQ(ColumnValues(r, "max_clock_speed"), (std::vector<std::string>{"-1", "-1"}));
}

TEST(CpuInfoTableLiveTest, LogicalProcessorsAddUpToNprocAll) {
  SqlFixture db;
  auto r = db.Query("SELECT logical_processors FROM cpu_info");
  ASSERT_FALSE(r.rows.empty());
  int64_t total = 0;
  for (size_t i = 0; i < r.rows.size(); ++i) total += Int(r, i, "logical_processors");
  EXPECT_EQ(total, std::stoll(RunCommand({"nproc", "--all"}).out));
}

}  // namespace
}  // namespace warden::system_test
