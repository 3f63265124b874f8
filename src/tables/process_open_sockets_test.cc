#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>

#include "tables/proc_test_fs.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::Cell;
using testing::FixturePath;
using testing::SqlFixture;

// Rows keyed by socket inode.
std::map<int64_t, size_t> BySocket(const QueryResult& r) {
  std::map<int64_t, size_t> rows;
  for (size_t i = 0; i < r.rows.size(); ++i) rows[std::get<int64_t>(Cell(r, i, "socket"))] = i;
  return rows;
}

TEST(ProcessOpenSocketsTest, ListsEverySocketOfEveryNamespace) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT * FROM process_open_sockets");
  std::set<int64_t> sockets;
  for (const auto& [inode, row] : BySocket(r)) sockets.insert(inode);
  EXPECT_EQ(sockets, (std::set<int64_t>{0, 1001, 1002, 1003, 1101, 1102, 1500, 1600, 1700, 3001,
                                        3002, 3003, 3004, 3005, 3006, 5001}));
  EXPECT_EQ(r.rows.size(), 16u);
}

TEST(ProcessOpenSocketsTest, EstablishedConnectionHasBothEndpointsAndItsOwner) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT * FROM process_open_sockets WHERE socket = 1003");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "pid"), Value(int64_t{777}));
  EXPECT_EQ(Cell(r, 0, "fd"), Value(int64_t{11}));
  EXPECT_EQ(Cell(r, 0, "family"), Value(int64_t{2}));
  EXPECT_EQ(Cell(r, 0, "protocol"), Value(int64_t{6}));
  EXPECT_EQ(Cell(r, 0, "local_address"), Value(std::string("10.0.0.5")));
  EXPECT_EQ(Cell(r, 0, "local_port"), Value(int64_t{43210}));
  EXPECT_EQ(Cell(r, 0, "remote_address"), Value(std::string("93.184.216.34")));
  EXPECT_EQ(Cell(r, 0, "remote_port"), Value(int64_t{443}));
  EXPECT_EQ(Cell(r, 0, "state"), Value(std::string("ESTABLISHED")));
  EXPECT_EQ(Cell(r, 0, "path"), Value(std::string("")));
  EXPECT_EQ(Cell(r, 0, "net_namespace"), Value(std::string("4026531840")));
}

TEST(ProcessOpenSocketsTest, UnixSocketHasAPathAndNoAddress) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT * FROM process_open_sockets WHERE socket = 3006");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "family"), Value(int64_t{1}));
  EXPECT_EQ(Cell(r, 0, "path"), Value(std::string("/run/my dir/with space.sock")));
  EXPECT_EQ(Cell(r, 0, "local_address"), Value(std::string("")));
  EXPECT_EQ(Cell(r, 0, "local_port"), Value(int64_t{0}));
  EXPECT_EQ(Cell(r, 0, "state"), Value(std::string("")));
  EXPECT_EQ(Cell(r, 0, "pid"), Value(int64_t{777}));
}

TEST(ProcessOpenSocketsTest, SocketsNobodyHoldsHavePidAndFdMinusOne) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT socket, pid, fd, state FROM process_open_sockets WHERE pid = -1");
  auto rows = BySocket(r);
  EXPECT_EQ(rows.size(), 7u);  // 0 (TIME_WAIT), 1500, 1600, 1700, 3003, 3004, 3005
  ASSERT_EQ(rows.count(0), 1u);
  EXPECT_EQ(Cell(r, rows[0], "state"), Value(std::string("TIME_WAIT")));
  EXPECT_EQ(Cell(r, rows[0], "fd"), Value(int64_t{-1}));
}

TEST(ProcessOpenSocketsTest, ContainerSocketCarriesItsNetworkNamespace) {
  SqlFixture sql(FixturePath("process/root"));
  auto r = sql.Query(
      "SELECT pid, fd, net_namespace, local_port FROM process_open_sockets "
      "WHERE socket = 5001");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "pid"), Value(int64_t{1234}));
  EXPECT_EQ(Cell(r, 0, "fd"), Value(int64_t{3}));
  EXPECT_EQ(Cell(r, 0, "local_port"), Value(int64_t{8080}));
  EXPECT_EQ(Cell(r, 0, "net_namespace"), Value(std::string("4026532999")));
}

TEST(ProcessOpenSocketsTest, PidFilterReturnsOnlyThatProcessSocketsAndScansOnlyIt) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT socket FROM process_open_sockets WHERE pid = 777");
  std::set<int64_t> sockets;
  for (const auto& [inode, row] : BySocket(r)) sockets.insert(inode);
  EXPECT_EQ(sockets, (std::set<int64_t>{1003, 1101, 1102, 3006}));
  for (const auto& path : sql.fs().accessed())
    EXPECT_TRUE(StartsWith(path, "/proc/777/")) << "read " << path;
}

TEST(ProcessOpenSocketsTest, NoDescriptorScanWhenPidAndFdAreUnused) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT local_port FROM process_open_sockets WHERE local_port = 22");
  EXPECT_EQ(r.rows.size(), 2u);
  for (const auto& path : sql.fs().accessed())
    EXPECT_EQ(path.find("/fd"), std::string::npos) << "read " << path;
}

TEST(ProcessOpenSocketsTest, FamilyConstraintSkipsTheOtherSocketTables) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT socket FROM process_open_sockets WHERE family = 1");
  EXPECT_EQ(r.rows.size(), 6u);
  for (const auto& path : sql.fs().accessed()) {
    EXPECT_FALSE(EndsWith(path, "/tcp") || EndsWith(path, "/udp6")) << "read " << path;
  }
}

TEST(ProcessOpenSocketsTest, ExitedAndUnreadableProcessesAreSkipped) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  sql.fs().AddVanishedPid(3);  // lowest pid: it would be the first asked for its namespace
  sql.fs().FailPath("/proc/777/fd", EACCES);
  auto r = sql.Query("SELECT socket, pid FROM process_open_sockets");
  auto rows = BySocket(r);
  EXPECT_EQ(rows.size(), 16u);
  EXPECT_EQ(Cell(r, rows[1003], "pid"), Value(int64_t{-1}));  // its holder's fds are hidden
  EXPECT_EQ(Cell(r, rows[1001], "pid"), Value(int64_t{420}));
}

TEST(ProcessOpenSocketsLiveTest, ShowsThisProcessListenerAndConnection) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(client, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);

  SqlFixture sql;
  auto r = sql.Query(
      "SELECT fd, state, local_port, remote_port, local_address "
      "FROM process_open_sockets WHERE pid = " +
      std::to_string(::getpid()) + " AND family = 2 ORDER BY fd");
  ::close(client);
  ::close(listener);
  std::map<int64_t, size_t> by_fd;
  for (size_t i = 0; i < r.rows.size(); ++i) by_fd[std::get<int64_t>(Cell(r, i, "fd"))] = i;
  ASSERT_EQ(by_fd.count(listener), 1u);
  ASSERT_EQ(by_fd.count(client), 1u);
  EXPECT_EQ(Cell(r, by_fd[listener], "state"), Value(std::string("LISTEN")));
  EXPECT_EQ(Cell(r, by_fd[listener], "local_port"), Value(int64_t{port}));
  EXPECT_EQ(Cell(r, by_fd[listener], "local_address"), Value(std::string("127.0.0.1")));
  EXPECT_EQ(Cell(r, by_fd[client], "state"), Value(std::string("ESTABLISHED")));
  EXPECT_EQ(Cell(r, by_fd[client], "remote_port"), Value(int64_t{port}));
}

}  // namespace
}  // namespace warden
