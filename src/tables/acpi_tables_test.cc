#include <gtest/gtest.h>

#include <set>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;

std::string Md5sum(const std::string& path) {
  auto out = RunCommand({"md5sum", path}).out;
  return out.substr(0, out.find(' '));
}

TEST(AcpiTablesTableTest, ListsTablesIncludingSubdirectories) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT name FROM acpi_tables");
  EXPECT_EQ(ColumnValues(r, "name"), (std::vector<std::string>{"APIC", "DSDT", "FACP", "SSDT1"}));
}

TEST(AcpiTablesTableTest, SizeAndMd5MatchTheFiles) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT name, size, md5 FROM acpi_tables");
  const std::string dir = SystemRoot() + "/sys/firmware/acpi/tables/";
  for (const auto& [name, path] : std::vector<std::pair<std::string, std::string>>{
           {"APIC", dir + "APIC"}, {"DSDT", dir + "DSDT"}, {"SSDT1", dir + "dynamic/SSDT1"}}) {
    size_t row = *FindRow(r, "name", name);
    EXPECT_EQ(Text(r, row, "md5"), Md5sum(path)) << name;
    EXPECT_EQ(static_cast<size_t>(Int(r, row, "size")), ReadWholeFile(path).size()) << name;
  }
}

TEST(AcpiTablesTableTest, NoAcpiIsZeroRows) {
  testing::TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM acpi_tables").rows.empty());
}

TEST(AcpiTablesTableLiveTest, MatchesSysfsAndMd5sum) {
  auto find = RunCommand({"find", "/sys/firmware/acpi/tables", "-type", "f"});
  SqlFixture db;
  auto r = db.Query("SELECT name, md5 FROM acpi_tables");
  if (find.exit_code != 0) {
    EXPECT_TRUE(r.rows.empty());
    return;
  }
  auto files = Lines(find.out);
  EXPECT_EQ(r.rows.size(), files.size());
  // Names can repeat across subdirectories: compare (name, md5) pairs.
  std::multiset<std::string> expected, got;
  for (const std::string& path : files)
    expected.insert(path.substr(path.rfind('/') + 1) + " " + Md5sum(path));
  for (size_t i = 0; i < r.rows.size(); ++i)
    got.insert(Text(r, i, "name") + " " + Text(r, i, "md5"));
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace warden::system_test
