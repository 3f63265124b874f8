#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <set>
#include <string>

#include "core/strings.h"
#include "tables/proc_test_fs.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::Cell;
using testing::FixturePath;
using testing::ScriptedSql;
using testing::SqlFixture;

const int64_t kTicks = ::sysconf(_SC_CLK_TCK);

int64_t Int(const Value& v) {
  EXPECT_TRUE(std::holds_alternative<int64_t>(v)) << "not an integer: " << ValueToText(v);
  return std::holds_alternative<int64_t>(v) ? std::get<int64_t>(v) : -999999;
}
std::string Text(const Value& v) {
  EXPECT_TRUE(std::holds_alternative<std::string>(v)) << "not text: " << ValueToText(v);
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "<not text>";
}

std::set<int64_t> Pids(const QueryResult& r) {
  std::set<int64_t> pids;
  for (size_t i = 0; i < r.rows.size(); ++i) pids.insert(Int(Cell(r, i, "pid")));
  return pids;
}

class ProcessesFixtureTest : public ::testing::Test {
 protected:
  SqlFixture sql_{FixturePath("process/root")};
};

TEST_F(ProcessesFixtureTest, ReportsEveryColumnInOsqueryUnits) {
  auto r = sql_.Query("SELECT * FROM processes WHERE pid = 777");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(Cell(r, 0, "name")), "(my) app");
  EXPECT_EQ(Text(Cell(r, 0, "cmdline")), "python3 /home/alice/app.py --name two words");
  EXPECT_EQ(Text(Cell(r, 0, "state")), "R");
  EXPECT_EQ(Text(Cell(r, 0, "cwd")), "/home/alice");
  EXPECT_EQ(Text(Cell(r, 0, "root")), "/");
  EXPECT_EQ(Int(Cell(r, 0, "uid")), 1000);
  EXPECT_EQ(Int(Cell(r, 0, "euid")), 1001);
  EXPECT_EQ(Int(Cell(r, 0, "suid")), 1002);
  EXPECT_EQ(Int(Cell(r, 0, "gid")), 100);
  EXPECT_EQ(Int(Cell(r, 0, "egid")), 101);
  EXPECT_EQ(Int(Cell(r, 0, "sgid")), 102);
  EXPECT_EQ(Int(Cell(r, 0, "wired_size")), 0);
  EXPECT_EQ(Int(Cell(r, 0, "resident_size")), 51200 * 1024);      // VmRSS kB -> bytes
  EXPECT_EQ(Int(Cell(r, 0, "total_size")), 250000LL * 1024);      // VmSize kB -> bytes
  EXPECT_EQ(Int(Cell(r, 0, "user_time")), 4321 * 1000 / kTicks);  // ticks -> ms
  EXPECT_EQ(Int(Cell(r, 0, "system_time")), 1234 * 1000 / kTicks);
  EXPECT_EQ(Int(Cell(r, 0, "disk_bytes_read")), 1048576);
  EXPECT_EQ(Int(Cell(r, 0, "disk_bytes_written")), 524288 - 4096);         // minus cancelled
  EXPECT_EQ(Int(Cell(r, 0, "start_time")), 1700000000 + 400000 / kTicks);  // btime + ticks
  EXPECT_EQ(Int(Cell(r, 0, "parent")), 1);
  EXPECT_EQ(Int(Cell(r, 0, "pgroup")), 777);
  EXPECT_EQ(Int(Cell(r, 0, "threads")), 4);
  EXPECT_EQ(Int(Cell(r, 0, "nice")), 5);
  EXPECT_EQ(Text(Cell(r, 0, "cgroup_path")), "/user.slice/user-1000.slice/session-3.scope");
}

TEST_F(ProcessesFixtureTest, DeletedExecutableIsNotOnDiskAndLosesTheSuffix) {
  auto r = sql_.Query("SELECT path, on_disk FROM processes WHERE pid = 777");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(Cell(r, 0, "path")), "/usr/bin/oldapp");
  EXPECT_EQ(Int(Cell(r, 0, "on_disk")), 0);
}

TEST_F(ProcessesFixtureTest, ExecutablePresentUnderTheRootIsOnDisk) {
  auto r = sql_.Query("SELECT pid, path, on_disk FROM processes WHERE pid IN (1, 1234)");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(Text(Cell(r, 0, "path")), "/usr/lib/systemd/systemd");
  EXPECT_EQ(Int(Cell(r, 0, "on_disk")), 1);
  // The container's binary is not in this root's file system.
  EXPECT_EQ(Text(Cell(r, 1, "path")), "/usr/sbin/nginx");
  EXPECT_EQ(Int(Cell(r, 1, "on_disk")), 0);
}

TEST_F(ProcessesFixtureTest, KernelThreadHasNoPathNoCommandLineAndZeroMemory) {
  auto r = sql_.Query("SELECT * FROM processes WHERE pid = 900");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(Cell(r, 0, "name")), "kworker/0:1");
  EXPECT_EQ(Text(Cell(r, 0, "path")), "");
  EXPECT_EQ(Int(Cell(r, 0, "on_disk")), -1);
  EXPECT_EQ(Text(Cell(r, 0, "cmdline")), "");
  EXPECT_EQ(Text(Cell(r, 0, "state")), "I");
  EXPECT_EQ(Int(Cell(r, 0, "resident_size")), 0);
  EXPECT_EQ(Int(Cell(r, 0, "total_size")), 0);
  EXPECT_EQ(Int(Cell(r, 0, "nice")), -20);
  EXPECT_EQ(Int(Cell(r, 0, "parent")), 2);
  EXPECT_TRUE(IsNull(Cell(r, 0, "disk_bytes_read")));  // the fixture has no io file
}

TEST_F(ProcessesFixtureTest, ListsEveryProcessInPidOrder) {
  auto r = sql_.Query("SELECT pid FROM processes");
  ASSERT_EQ(r.rows.size(), 6u);
  std::vector<int64_t> pids;
  for (size_t i = 0; i < r.rows.size(); ++i) pids.push_back(Int(Cell(r, i, "pid")));
  EXPECT_EQ(pids, (std::vector<int64_t>{1, 420, 421, 777, 900, 1234}));
}

TEST_F(ProcessesFixtureTest, HiddenColumnsOfOtherPlatformsAreNullAndNotInSelectStar) {
  auto star = sql_.Query("SELECT * FROM processes WHERE pid = 1");
  for (const auto& c : star.columns) EXPECT_NE(c, "elevated_token");
  auto r = sql_.Query("SELECT elevated_token, upid FROM processes WHERE pid = 1");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(IsNull(Cell(r, 0, "elevated_token")));
  EXPECT_TRUE(IsNull(Cell(r, 0, "upid")));
}

TEST_F(ProcessesFixtureTest, UnknownPidGivesNoRows) {
  EXPECT_TRUE(sql_.Query("SELECT * FROM processes WHERE pid = 31337").rows.empty());
  EXPECT_TRUE(sql_.Query("SELECT * FROM processes WHERE pid = -1").rows.empty());
}

TEST(ProcessesPushDownTest, PidEqualsReadsOnlyThatProcessDirectory) {
  ScriptedSql sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT * FROM processes WHERE pid = 420");
  ASSERT_EQ(r.rows.size(), 1u);
  for (const auto& path : sql.fs().accessed()) {
    bool allowed = StartsWith(path, "/proc/420/") || path == "/proc/stat" ||
                   !StartsWith(path, "/proc");  // on_disk's check of the executable
    EXPECT_TRUE(allowed) << "read " << path;
  }
}

TEST(ProcessesPushDownTest, PidInReadsOnlyThoseProcesses) {
  ScriptedSql sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT pid, name FROM processes WHERE pid IN (421, 1234, 5)");
  EXPECT_EQ(Pids(r), (std::set<int64_t>{421, 1234}));
  for (const auto& path : sql.fs().accessed()) {
    EXPECT_TRUE(StartsWith(path, "/proc/421/") || StartsWith(path, "/proc/1234/") ||
                StartsWith(path, "/proc/5/"))
        << "read " << path;
  }
}

TEST(ProcessesPushDownTest, UnusedExpensiveColumnsAreNotRead) {
  ScriptedSql sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT pid, name, parent FROM processes");
  ASSERT_EQ(r.rows.size(), 6u);
  for (const auto& path : sql.fs().accessed()) {
    EXPECT_TRUE(path == "/proc" || EndsWith(path, "/stat")) << "read " << path;
  }
}

TEST(ProcessesErrorTest, ProcessThatExitsDuringTheScanIsSkipped) {
  ScriptedSql sql(FixturePath("process/root"));
  sql.fs().AddVanishedPid(5555);
  auto r = sql.Query("SELECT * FROM processes");
  EXPECT_EQ(Pids(r), (std::set<int64_t>{1, 420, 421, 777, 900, 1234}));
  EXPECT_TRUE(sql.fs().AccessedUnder("/proc/5555/"));  // it was tried
}

TEST(ProcessesErrorTest, UnreadableIoLeavesOnlyDiskBytesNull) {
  ScriptedSql sql(FixturePath("process/root"));
  sql.fs().FailPath("/proc/777/io", EACCES);
  auto r = sql.Query("SELECT * FROM processes WHERE pid = 777");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(IsNull(Cell(r, 0, "disk_bytes_read")));
  EXPECT_TRUE(IsNull(Cell(r, 0, "disk_bytes_written")));
  EXPECT_EQ(Int(Cell(r, 0, "uid")), 1000);
}

TEST(ProcessesErrorTest, UnreadableStatusKeepsTheProcessWithNullIds) {
  ScriptedSql sql(FixturePath("process/root"));
  sql.fs().FailPath("/proc/420/status", EACCES);
  auto r = sql.Query("SELECT pid, name, uid, resident_size FROM processes WHERE pid = 420");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(Cell(r, 0, "name")), "sshd");
  EXPECT_TRUE(IsNull(Cell(r, 0, "uid")));
  EXPECT_TRUE(IsNull(Cell(r, 0, "resident_size")));
}

TEST(ProcessesErrorTest, UnreadableLinksAndCommandLineAreEmpty) {
  ScriptedSql sql(FixturePath("process/root"));
  sql.fs().FailPath("/proc/1/exe", EACCES);
  sql.fs().FailPath("/proc/1/cwd", EACCES);
  sql.fs().FailPath("/proc/1/cmdline", EACCES);
  auto r = sql.Query("SELECT path, on_disk, cwd, cmdline, name FROM processes WHERE pid = 1");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(Cell(r, 0, "path")), "");
  EXPECT_EQ(Int(Cell(r, 0, "on_disk")), -1);
  EXPECT_EQ(Text(Cell(r, 0, "cwd")), "");
  EXPECT_EQ(Text(Cell(r, 0, "cmdline")), "");
  EXPECT_EQ(Text(Cell(r, 0, "name")), "systemd");
}

TEST(ProcessesErrorTest, UnreadableProcListingGivesNoRowsNotAnError) {
  ScriptedSql sql(FixturePath("process/root"));
  sql.fs().FailPath("/proc", EACCES);
  EXPECT_TRUE(sql.Query("SELECT * FROM processes").rows.empty());
}

// --- Live host ---

TEST(ProcessesLiveTest, CoversEveryPidThatPsLists) {
  auto ps = testing::RunCommand({"ps", "-e", "-o", "pid="});
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  SqlFixture sql;
  auto ours = Pids(sql.Query("SELECT pid FROM processes"));
  size_t checked = 0;
  for (std::string_view line : SplitString(ps.out, '\n')) {
    int64_t pid = 0;
    if (!ParseInt64(line, &pid)) continue;
    ++checked;
    if (ours.count(pid) != 0) continue;
    // Allowed only for processes that exited in between (ps itself, for one).
    EXPECT_FALSE(std::filesystem::exists("/proc/" + std::to_string(pid)))
        << "pid " << pid << " is alive but missing from processes";
  }
  EXPECT_GT(checked, 1u);
}

TEST(ProcessesLiveTest, OwnProcessHasTheRightNamePathParentAndOwner) {
  SqlFixture sql;
  const int64_t pid = ::getpid();
  auto r = sql.Query("SELECT * FROM processes WHERE pid = " + std::to_string(pid));
  ASSERT_EQ(r.rows.size(), 1u);
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string base = std::filesystem::path(exe).filename().string();
  EXPECT_EQ(Text(Cell(r, 0, "path")), exe);
  EXPECT_EQ(Text(Cell(r, 0, "name")), base.substr(0, 15));  // the kernel's comm is 15 bytes
  EXPECT_EQ(Int(Cell(r, 0, "parent")), ::getppid());
  EXPECT_EQ(Int(Cell(r, 0, "uid")), ::getuid());
  EXPECT_EQ(Int(Cell(r, 0, "euid")), ::geteuid());
  EXPECT_EQ(Int(Cell(r, 0, "pgroup")), ::getpgrp());
  EXPECT_EQ(Int(Cell(r, 0, "on_disk")), 1);
  EXPECT_EQ(Text(Cell(r, 0, "state")), "R");  // it is running: it is reading its own stat
  EXPECT_EQ(Text(Cell(r, 0, "cwd")), std::filesystem::current_path().string());
  std::string cmdline = Text(Cell(r, 0, "cmdline"));
  EXPECT_NE(cmdline.find(base), std::string::npos) << cmdline;
  EXPECT_GE(Int(Cell(r, 0, "threads")), 1);
}

TEST(ProcessesLiveTest, OwnStartTimeAndMemoryAgreeWithPs) {
  const int64_t pid = ::getpid();
  const std::string query =
      "SELECT start_time, resident_size FROM processes WHERE pid = " + std::to_string(pid);
  // The engine and one run of the query first: in a fresh test process their
  // allocations alone are more than the tolerance below.
  SqlFixture sql;
  sql.Query(query);
  auto ps = testing::RunCommand({"ps", "-o", "etimes=,rss=", "-p", std::to_string(pid)});
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  auto fields = SplitWhitespace(ps.out);
  ASSERT_EQ(fields.size(), 2u) << ps.out;
  int64_t elapsed = 0, rss_kb = 0;
  ASSERT_TRUE(ParseInt64(fields[0], &elapsed) && ParseInt64(fields[1], &rss_kb));

  auto r = sql.Query(query);
  ASSERT_EQ(r.rows.size(), 1u);
  // start_time is seconds since the epoch: now - elapsed, give or take rounding.
  int64_t expected_start = static_cast<int64_t>(std::time(nullptr)) - elapsed;
  EXPECT_NEAR(static_cast<double>(Int(Cell(r, 0, "start_time"))),
              static_cast<double>(expected_start), 3.0);
  // resident_size is bytes; ps prints KiB. Memory moves a little in between.
  EXPECT_NEAR(static_cast<double>(Int(Cell(r, 0, "resident_size"))),
              static_cast<double>(rss_kb * 1024), 0.25 * static_cast<double>(rss_kb * 1024));
}

TEST(ProcessesLiveTest, PidInReturnsExactlyThoseProcesses) {
  SqlFixture sql;
  auto r = sql.Query("SELECT pid FROM processes WHERE pid IN (" + std::to_string(::getpid()) +
                     ", " + std::to_string(::getppid()) + ")");
  EXPECT_EQ(Pids(r), (std::set<int64_t>{::getpid(), ::getppid()}));
}

}  // namespace
}  // namespace warden
