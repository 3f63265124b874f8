#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "tables/proc_test_fs.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::Cell;
using testing::FixturePath;
using testing::SqlFixture;

std::vector<std::pair<int64_t, std::string>> FdsAndPaths(const QueryResult& r) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (size_t i = 0; i < r.rows.size(); ++i)
    out.emplace_back(std::get<int64_t>(Cell(r, i, "fd")), ValueToText(Cell(r, i, "path")));
  return out;
}

TEST(ProcessOpenFilesTest, ListsFilesButNotSocketsPipesOrAnonymousInodes) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT * FROM process_open_files WHERE pid = 1");
  std::vector<std::pair<int64_t, std::string>> want = {{0, "/dev/null"},
                                                       {8, "/var/log/journal/abc/system.journal"}};
  EXPECT_EQ(FdsAndPaths(r), want);
}

TEST(ProcessOpenFilesTest, ProcessWithOnlySocketsHasNoRows) {
  SqlFixture sql(FixturePath("process/root"));
  EXPECT_TRUE(sql.Query("SELECT * FROM process_open_files WHERE pid = 1234").rows.empty());
}

TEST(ProcessOpenFilesTest, ScansEveryProcessWithoutAConstraint) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT pid, count(*) AS n FROM process_open_files GROUP BY pid ORDER BY pid");
  std::vector<std::pair<int64_t, int64_t>> got;
  for (size_t i = 0; i < r.rows.size(); ++i)
    got.emplace_back(std::get<int64_t>(Cell(r, i, "pid")), std::get<int64_t>(Cell(r, i, "n")));
  std::vector<std::pair<int64_t, int64_t>> want = {{1, 2}, {420, 1}, {777, 2}};
  EXPECT_EQ(got, want);
}

TEST(ProcessOpenFilesTest, UnlistableDescriptorsSkipOnlyThatProcess) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  sql.fs().FailPath("/proc/1/fd", EACCES);
  sql.fs().AddVanishedPid(4444);
  auto r = sql.Query("SELECT DISTINCT pid FROM process_open_files ORDER BY pid");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(Cell(r, 0, "pid"), Value(int64_t{420}));
}

TEST(ProcessOpenFilesLiveTest, ShowsAFileThisProcessOpened) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("open-me.txt", "x");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  SqlFixture sql;
  auto r = sql.Query("SELECT fd, path FROM process_open_files WHERE pid = " +
                     std::to_string(::getpid()) + " AND path = '" + path + "'");
  ::close(fd);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "fd"), Value(int64_t{fd}));
}

}  // namespace
}  // namespace warden
