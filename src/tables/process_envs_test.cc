#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>

#include "tables/proc_test_fs.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::Cell;
using testing::FixturePath;
using testing::SqlFixture;

std::map<std::string, std::string> Environment(const QueryResult& r) {
  std::map<std::string, std::string> env;
  for (size_t i = 0; i < r.rows.size(); ++i)
    env[ValueToText(Cell(r, i, "key"))] = ValueToText(Cell(r, i, "value"));
  return env;
}

TEST(ProcessEnvsTest, OneRowPerVariableSplitAtTheFirstEquals) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT * FROM process_envs WHERE pid = 777");
  std::map<std::string, std::string> want = {{"HOME", "/home/alice"},
                                             {"PATH", "/usr/bin:/bin"},
                                             {"EMPTY", ""},
                                             {"NOEQUALS", ""},
                                             {"EQ", "a=b"}};
  EXPECT_EQ(Environment(r), want);
  for (size_t i = 0; i < r.rows.size(); ++i) EXPECT_EQ(Cell(r, i, "pid"), Value(int64_t{777}));
}

TEST(ProcessEnvsTest, ProcessWithEmptyEnvironmentHasNoRows) {
  SqlFixture sql(FixturePath("process/root"));
  EXPECT_TRUE(sql.Query("SELECT * FROM process_envs WHERE pid = 1").rows.empty());
}

TEST(ProcessEnvsTest, ScansAllProcessesWithoutAConstraint) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT DISTINCT pid FROM process_envs ORDER BY pid");
  ASSERT_EQ(r.rows.size(), 4u);  // 420, 421, 777, 1234 have environments
  EXPECT_EQ(Cell(r, 3, "pid"), Value(int64_t{1234}));
}

TEST(ProcessEnvsTest, PidConstraintReadsOnlyThatProcess) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  sql.Query("SELECT * FROM process_envs WHERE pid = 420");
  for (const auto& path : sql.fs().accessed()) EXPECT_EQ(path, "/proc/420/environ");
}

TEST(ProcessEnvsTest, UnreadableEnvironmentSkipsOnlyThatProcess) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  sql.fs().FailPath("/proc/777/environ", EACCES);
  sql.fs().AddVanishedPid(4444);
  auto r = sql.Query("SELECT DISTINCT pid FROM process_envs ORDER BY pid");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(Cell(r, 0, "pid"), Value(int64_t{420}));
  EXPECT_EQ(Cell(r, 2, "pid"), Value(int64_t{1234}));
}

TEST(ProcessEnvsLiveTest, ShowsTheEnvironmentAChildStartedWith) {
  char marker[] = "WARDEN_ENV_MARKER=hello world=1";
  char* const envp[] = {marker, nullptr};
  char arg0[] = "sleep", arg1[] = "30";
  char* const argv[] = {arg0, arg1, nullptr};
  pid_t child = 0;
  ASSERT_EQ(posix_spawn(&child, "/bin/sleep", nullptr, nullptr, argv, envp), 0);
  SqlFixture sql;
  // The child may not have exec'd yet; its environ changes at exec.
  std::map<std::string, std::string> env;
  testing::WaitFor(
      [&] {
        env = Environment(
            sql.Query("SELECT * FROM process_envs WHERE pid = " + std::to_string(child)));
        return env.count("WARDEN_ENV_MARKER") != 0;
      },
      std::chrono::seconds(5));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(env["WARDEN_ENV_MARKER"], "hello world=1");
  EXPECT_EQ(env.size(), 1u);
}

}  // namespace
}  // namespace warden
