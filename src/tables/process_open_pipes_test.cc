#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <tuple>
#include <vector>

#include "tables/proc_test_fs.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::Cell;
using testing::FixturePath;
using testing::SqlFixture;

// (pid, fd, mode, partner_pid, partner_fd, partner_mode) with NULL partners as -1 / "".
using PipeRow = std::tuple<int64_t, int64_t, std::string, int64_t, int64_t, std::string>;

std::vector<PipeRow> Rows(const QueryResult& r) {
  std::vector<PipeRow> out;
  auto integer = [](const Value& v) { return IsNull(v) ? int64_t{-1} : std::get<int64_t>(v); };
  for (size_t i = 0; i < r.rows.size(); ++i)
    out.emplace_back(integer(Cell(r, i, "pid")), integer(Cell(r, i, "fd")),
                     ValueToText(Cell(r, i, "mode")), integer(Cell(r, i, "partner_pid")),
                     integer(Cell(r, i, "partner_fd")), ValueToText(Cell(r, i, "partner_mode")));
  return out;
}

TEST(ProcessOpenPipesTest, PairsReadersWithWritersOfTheSamePipe) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT * FROM process_open_pipes");
  std::vector<PipeRow> want = {
      {420, 5, "w", 777, 0, "r"},   {420, 10, "w", 421, 0, "r"}, {420, 10, "w", 777, 10, "r"},
      {421, 0, "r", 420, 10, "w"},  {777, 0, "r", 420, 5, "w"},  {777, 9, "rw", -1, -1, ""},
      {777, 10, "r", 420, 10, "w"},
  };
  EXPECT_EQ(Rows(r), want);
}

TEST(ProcessOpenPipesTest, ReportsInodeAndType) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT inode, type FROM process_open_pipes WHERE pid = 777 AND fd = 9");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "inode"), Value(int64_t{2002}));
  EXPECT_EQ(Cell(r, 0, "type"), Value(std::string("anonymous")));
}

TEST(ProcessOpenPipesTest, ModeFallsBackToTheLinkPermissionsWithoutFdinfo) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  sql.fs().FailPath("/proc/420/fdinfo/5", ENOENT);
  auto r = sql.Query("SELECT mode FROM process_open_pipes WHERE pid = 420 AND fd = 5");
  ASSERT_EQ(r.rows.size(), 1u);
  // Symlinks in the fixture tree are lrwxrwxrwx: read and write.
  EXPECT_EQ(Cell(r, 0, "mode"), Value(std::string("rw")));
}

TEST(ProcessOpenPipesTest, PidFilterReadsDetailsOnlyOfThatProcessPipes) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT * FROM process_open_pipes WHERE pid = 421");
  std::vector<PipeRow> want = {{421, 0, "r", 420, 10, "w"}};
  EXPECT_EQ(Rows(r), want);
  for (const auto& path : sql.fs().accessed()) {
    if (path.find("/fdinfo/") == std::string::npos) continue;
    EXPECT_TRUE(path == "/proc/421/fdinfo/0" || path == "/proc/420/fdinfo/10" ||
                path == "/proc/777/fdinfo/10")
        << "read " << path;
  }
}

TEST(ProcessOpenPipesTest, PidFilterKeepsTheRowCountOfTheFullScan) {
  SqlFixture sql(FixturePath("process/root"));
  auto filtered = sql.Query("SELECT * FROM process_open_pipes WHERE pid = 420");
  auto full = sql.Query("SELECT * FROM process_open_pipes");
  std::vector<PipeRow> from_full;
  for (const auto& row : Rows(full))
    if (std::get<0>(row) == 420) from_full.push_back(row);
  EXPECT_EQ(Rows(filtered), from_full);
  EXPECT_EQ(from_full.size(), 3u);
}

TEST(ProcessOpenPipesTest, ExitedProcessesAreSkipped) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  sql.fs().AddVanishedPid(4444);
  sql.fs().FailPath("/proc/421/fd", EACCES);
  auto r = sql.Query("SELECT * FROM process_open_pipes WHERE pid = 420");
  std::vector<PipeRow> want = {{420, 5, "w", 777, 0, "r"}, {420, 10, "w", 777, 10, "r"}};
  EXPECT_EQ(Rows(r), want);
}

TEST(ProcessOpenPipesLiveTest, ShowsBothEndsOfAPipeThisProcessHolds) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  SqlFixture sql;
  auto r = sql.Query("SELECT * FROM process_open_pipes WHERE pid = " + std::to_string(::getpid()) +
                     " AND fd = " + std::to_string(fds[0]));
  ::close(fds[0]);
  ::close(fds[1]);
  std::vector<PipeRow> want = {{::getpid(), fds[0], "r", ::getpid(), fds[1], "w"}};
  EXPECT_EQ(Rows(r), want);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "type"), Value(std::string("anonymous")));
}

TEST(ProcessOpenPipesLiveTest, ShowsANamedFifo) {
  testing::TempDir dir;
  std::string path = dir.path() + "/fifo";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct stat st {};
  ASSERT_EQ(::fstat(fd, &st), 0);
  SqlFixture sql;
  auto r = sql.Query("SELECT mode, inode, type FROM process_open_pipes WHERE pid = " +
                     std::to_string(::getpid()) + " AND fd = " + std::to_string(fd));
  ::close(fd);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "type"), Value(std::string("named")));
  EXPECT_EQ(Cell(r, 0, "mode"), Value(std::string("rw")));
  EXPECT_EQ(Cell(r, 0, "inode"), Value(static_cast<int64_t>(st.st_ino)));
}

}  // namespace
}  // namespace warden
