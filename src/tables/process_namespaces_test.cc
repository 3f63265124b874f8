#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "tables/proc_test_fs.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::Cell;
using testing::FixturePath;
using testing::SqlFixture;

TEST(ProcessNamespacesTest, EachColumnIsTheNamespaceInode) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT * FROM process_namespaces WHERE pid = 1234");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "cgroup_namespace"), Value(std::string("4026532990")));
  EXPECT_EQ(Cell(r, 0, "ipc_namespace"), Value(std::string("4026532991")));
  EXPECT_EQ(Cell(r, 0, "mnt_namespace"), Value(std::string("4026532992")));
  EXPECT_EQ(Cell(r, 0, "net_namespace"), Value(std::string("4026532999")));
  EXPECT_EQ(Cell(r, 0, "pid_namespace"), Value(std::string("4026532993")));
  EXPECT_EQ(Cell(r, 0, "user_namespace"), Value(std::string("4026531837")));
  EXPECT_EQ(Cell(r, 0, "uts_namespace"), Value(std::string("4026532994")));
}

TEST(ProcessNamespacesTest, ContainerIsTheOnlyProcessOutsideTheHostNetNamespace) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query(
      "SELECT pid FROM process_namespaces WHERE net_namespace <> "
      "(SELECT net_namespace FROM process_namespaces WHERE pid = 1)");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "pid"), Value(int64_t{1234}));
}

TEST(ProcessNamespacesTest, UnreadableLinkIsNullAndExitedProcessHasNoRow) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  sql.fs().FailPath("/proc/777/ns/user", EACCES);
  sql.fs().AddVanishedPid(4444);
  auto r = sql.Query("SELECT pid, user_namespace, uts_namespace FROM process_namespaces");
  ASSERT_EQ(r.rows.size(), 6u);
  EXPECT_EQ(Cell(r, 3, "pid"), Value(int64_t{777}));
  EXPECT_TRUE(IsNull(Cell(r, 3, "user_namespace")));
  EXPECT_EQ(Cell(r, 3, "uts_namespace"), Value(std::string("4026531838")));
}

TEST(ProcessNamespacesTest, ReadsOnlyTheLinksOfUsedColumns) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  sql.Query("SELECT pid, net_namespace FROM process_namespaces WHERE pid = 1");
  for (const auto& path : sql.fs().accessed()) EXPECT_EQ(path, "/proc/1/ns/net");
}

TEST(ProcessNamespacesLiveTest, OwnNetNamespaceMatchesTheLinkInode) {
  struct stat st {};
  ASSERT_EQ(::stat("/proc/self/ns/net", &st), 0);
  SqlFixture sql;
  auto r = sql.Query("SELECT net_namespace FROM process_namespaces WHERE pid = " +
                     std::to_string(::getpid()));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "net_namespace"), Value(std::to_string(st.st_ino)));
}

}  // namespace
}  // namespace warden
