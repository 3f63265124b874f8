#include <gtest/gtest.h>

#include <set>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;
using testing::TempDir;

TEST(KernelModulesTableTest, OneRowPerWellFormedLine) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT name FROM kernel_modules");
  EXPECT_EQ(ColumnValues(r, "name"),
            (std::vector<std::string>{"nvme", "nvme_core", "dm_crypt", "snd_hda_intel",
                                      "snd_hda_codec", "i915", "wireguard"}));
}

TEST(KernelModulesTableTest, UsedByDropsTheTrailingComma) {
  SqlFixture db(SystemRoot());
  auto r = db.Query(
      "SELECT name, used_by FROM kernel_modules WHERE name IN ('nvme', 'nvme_core', "
      "'snd_hda_codec')");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(Text(r, *FindRow(r, "name", "nvme"), "used_by"), "-");
  EXPECT_EQ(Text(r, *FindRow(r, "name", "nvme_core"), "used_by"), "nvme");
  EXPECT_EQ(Text(r, *FindRow(r, "name", "snd_hda_codec"), "used_by"),
            "snd_hda_codec_hdmi,snd_hda_codec_realtek,snd_hda_intel");
}

TEST(KernelModulesTableTest, SizeStatusAndAddressAreTheKernelsValues) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT size, status, address FROM kernel_modules WHERE name = 'wireguard'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Int(r, 0, "size"), 98304);
  EXPECT_EQ(Text(r, 0, "status"), "Loading");
  EXPECT_EQ(Text(r, 0, "address"), "0xffffffffc0f70000");
}

TEST(KernelModulesTableTest, KernelWithoutModulesIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM kernel_modules").rows.empty());
}

TEST(KernelModulesTableLiveTest, NamesMatchLsmod) {
  SqlFixture db;
  auto r = db.Query("SELECT name FROM kernel_modules");
  auto lsmod = RunCommand({"lsmod"});
  if (lsmod.exit_code != 0) {
    // lsmod missing, or a kernel without module support (no /proc/modules).
    if (RunCommand({"test", "-e", "/proc/modules"}).exit_code != 0) {
      EXPECT_TRUE(r.rows.empty());
    } else {
      GTEST_SKIP() << "lsmod unavailable: " << lsmod.err;
    }
    return;
  }
  std::set<std::string> expected;
  auto lines = Lines(lsmod.out);
  for (size_t i = 1; i < lines.size(); ++i) expected.emplace(SplitWhitespace(lines[i])[0]);
  auto names = ColumnValues(r, "name");
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected);
}

}  // namespace
}  // namespace warden::system_test
