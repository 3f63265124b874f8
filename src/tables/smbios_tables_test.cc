#include <gtest/gtest.h>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunShell;
using testing::SqlFixture;
using testing::TempDir;

const std::string kDmi = "sys/firmware/dmi/tables/DMI";

TEST(SmbiosTablesTableTest, OneRowPerStructureInTableOrder) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM smbios_tables");
  EXPECT_EQ(ColumnValues(r, "number"), (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(ColumnValues(r, "type"), (std::vector<std::string>{"0", "1", "2", "4", "127"}));
  EXPECT_EQ(ColumnValues(r, "description"),
            (std::vector<std::string>{"BIOS Information", "System Information",
                                      "Base Board or Module Information", "Processor Information",
                                      "End-of-Table"}));
  EXPECT_EQ(ColumnValues(r, "handle"), (std::vector<std::string>{"0", "15", "16", "4", "65279"}));
  EXPECT_EQ(ColumnValues(r, "header_size"),
            (std::vector<std::string>{"24", "27", "15", "48", "4"}));
}

TEST(SmbiosTablesTableTest, SizesCoverTheFileAndMd5IsOfEachStructure) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT size, md5 FROM smbios_tables");
  const std::string path = SystemRoot() + "/" + kDmi;
  int64_t offset = 0;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    int64_t size = Int(r, i, "size");
    // The structure's bytes, cut out of the file with dd, hashed by md5sum.
    auto md5 = RunShell("dd if='" + path + "' bs=1 skip=" + std::to_string(offset) +
                        " count=" + std::to_string(size) + " status=none | md5sum");
    EXPECT_EQ(Text(r, i, "md5"), md5.out.substr(0, 32)) << i;
    offset += size;
  }
  EXPECT_EQ(static_cast<size_t>(offset), ReadWholeFile(path).size());
}

TEST(SmbiosTablesTableTest, TruncatedTableKeepsTheCompleteStructures) {
  TempDir root;
  std::string dmi = ReadWholeFile(SystemRoot() + "/" + kDmi);
  // Cut inside the third structure's strings (the board's).
  root.WriteFile(kDmi, dmi.substr(0, 0xF0));
  SqlFixture db(root.path());
  EXPECT_EQ(ColumnValues(db.Query("SELECT type FROM smbios_tables"), "type"),
            (std::vector<std::string>{"0", "1"}));
}

TEST(SmbiosTablesTableTest, JunkIsNotAnError) {
  TempDir root;
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 131 + 7) % 251);
  root.WriteFile(kDmi, junk);
  SqlFixture db(root.path());
  auto r = db.Query("SELECT size FROM smbios_tables");
  int64_t total = 0;
  for (size_t i = 0; i < r.rows.size(); ++i) total += Int(r, i, "size");
  EXPECT_LE(total, 4096);
}

TEST(SmbiosTablesTableTest, NoDmiTableIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM smbios_tables").rows.empty());
}

TEST(SmbiosTablesTableLiveTest, CoversTheKernelsDmiTable) {
  SqlFixture db;
  auto r = db.Query("SELECT size FROM smbios_tables");
  auto size = RunShell("stat -c %s /sys/firmware/dmi/tables/DMI");
  if (size.exit_code != 0) {
    EXPECT_TRUE(r.rows.empty());  // no DMI (a VM or container)
    return;
  }
  int64_t total = 0;
  for (size_t i = 0; i < r.rows.size(); ++i) total += Int(r, i, "size");
  EXPECT_GT(r.rows.size(), 0u);
  EXPECT_LE(total, std::stoll(size.out));
}

}  // namespace
}  // namespace warden::system_test
