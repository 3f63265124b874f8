#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tables/proc_test_fs.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::Cell;
using testing::FixturePath;
using testing::SqlFixture;

TEST(ProcessMemoryMapTest, ParsesEveryRegionInOsqueryForm) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT * FROM process_memory_map WHERE pid = 777");
  ASSERT_EQ(r.rows.size(), 8u);
  EXPECT_EQ(Cell(r, 1, "start"), Value(std::string("0x55d4c9a28000")));
  EXPECT_EQ(Cell(r, 1, "end"), Value(std::string("0x55d4c9b10000")));
  EXPECT_EQ(Cell(r, 1, "permissions"), Value(std::string("r-xp")));
  EXPECT_EQ(Cell(r, 1, "offset"), Value(int64_t{0x28000}));
  EXPECT_EQ(Cell(r, 1, "device"), Value(std::string("08:01")));
  EXPECT_EQ(Cell(r, 1, "inode"), Value(int64_t{1835023}));
  EXPECT_EQ(Cell(r, 1, "path"), Value(std::string("/usr/bin/oldapp (deleted)")));
  EXPECT_EQ(Cell(r, 1, "pseudo"), Value(int64_t{0}));
}

TEST(ProcessMemoryMapTest, NamedRegionWithoutInodeIsPseudo) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query(
      "SELECT path, pseudo FROM process_memory_map WHERE pid = 777 AND inode = 0 ORDER BY start");
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(Cell(r, 0, "path"), Value(std::string("[heap]")));
  EXPECT_EQ(Cell(r, 0, "pseudo"), Value(int64_t{1}));
  EXPECT_EQ(Cell(r, 1, "path"), Value(std::string("")));  // anonymous: no name
  EXPECT_EQ(Cell(r, 1, "pseudo"), Value(int64_t{0}));
}

TEST(ProcessMemoryMapTest, PathsWithSpacesAreKeptWhole) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT path FROM process_memory_map WHERE pid = 777 AND device = '00:05'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "path"), Value(std::string("/memfd:shared buffer (deleted)")));
}

TEST(ProcessMemoryMapTest, PidConstraintReadsOnlyThatProcessAndMissingMapsGiveNoRows) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  EXPECT_TRUE(sql.Query("SELECT * FROM process_memory_map WHERE pid = 420").rows.empty());
  for (const auto& path : sql.fs().accessed()) EXPECT_EQ(path, "/proc/420/maps");
}

TEST(ProcessMemoryMapLiveTest, OwnMapsIncludeTheExecutable) {
  SqlFixture sql;
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  auto r = sql.Query("SELECT permissions, pseudo FROM process_memory_map WHERE pid = " +
                     std::to_string(::getpid()) + " AND path = '" + exe + "'");
  ASSERT_GE(r.rows.size(), 1u);
  bool executable = false;
  for (size_t i = 0; i < r.rows.size(); ++i)
    executable =
        executable || ValueToText(Cell(r, i, "permissions")).find('x') != std::string::npos;
  EXPECT_TRUE(executable);
  auto stack =
      sql.Query("SELECT pseudo FROM process_memory_map WHERE pid = " + std::to_string(::getpid()) +
                " AND path = '[stack]'");
  ASSERT_EQ(stack.rows.size(), 1u);
  EXPECT_EQ(Cell(stack, 0, "pseudo"), Value(int64_t{1}));
}

}  // namespace
}  // namespace warden
