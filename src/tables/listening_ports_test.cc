#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "core/strings.h"
#include "tables/proc_test_fs.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::Cell;
using testing::FixturePath;
using testing::SqlFixture;

// (socket, pid, fd, protocol, family, address-or-path, port, net_namespace)
using PortRow =
    std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, std::string, int64_t, std::string>;

std::set<PortRow> Rows(const QueryResult& r) {
  std::set<PortRow> out;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    int64_t family = std::get<int64_t>(Cell(r, i, "family"));
    out.emplace(std::get<int64_t>(Cell(r, i, "socket")), std::get<int64_t>(Cell(r, i, "pid")),
                std::get<int64_t>(Cell(r, i, "fd")), std::get<int64_t>(Cell(r, i, "protocol")),
                family, ValueToText(Cell(r, i, family == 1 ? "path" : "address")),
                std::get<int64_t>(Cell(r, i, "port")), ValueToText(Cell(r, i, "net_namespace")));
  }
  return out;
}

const std::string kHostNs = "4026531840";

TEST(ListeningPortsTest, ListsWhatSsWouldListAcrossNamespaces) {
  SqlFixture sql(FixturePath("process/root"));
  std::set<PortRow> want = {
      {1001, 420, 3, 6, 2, "0.0.0.0", 22, kHostNs},
      {1500, -1, -1, 6, 2, "0.0.0.0", 631, kHostNs},
      {1002, 420, 4, 6, 10, "::", 22, kHostNs},
      {1700, -1, -1, 6, 10, "::1", 5432, kHostNs},
      {1101, 777, 6, 17, 2, "127.0.0.1", 53, kHostNs},
      {5001, 1234, 3, 6, 2, "0.0.0.0", 8080, "4026532999"},
      {3001, 1, 5, 0, 1, "/run/systemd/private", 0, kHostNs},
      {3002, 1, 6, 0, 1, "/run/systemd/journal/dev-log", 0, kHostNs},
      {3005, -1, -1, 0, 1, "@/tmp/.X11-unix/X0", 0, kHostNs},
      {3006, 777, 8, 0, 1, "/run/my dir/with space.sock", 0, kHostNs},
  };
  EXPECT_EQ(Rows(sql.Query("SELECT * FROM listening_ports")), want);
}

TEST(ListeningPortsTest, InetRowsHaveNoPathAndUnixRowsNoAddress) {
  SqlFixture sql(FixturePath("process/root"));
  auto inet = sql.Query("SELECT path FROM listening_ports WHERE socket = 1001");
  ASSERT_EQ(inet.rows.size(), 1u);
  EXPECT_TRUE(IsNull(Cell(inet, 0, "path")));
  auto unix_row = sql.Query("SELECT address FROM listening_ports WHERE socket = 3001");
  ASSERT_EQ(unix_row.rows.size(), 1u);
  EXPECT_TRUE(IsNull(Cell(unix_row, 0, "address")));
}

TEST(ListeningPortsTest, NoDescriptorScanWhenPidAndFdAreUnused) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT port, address FROM listening_ports WHERE protocol = 6");
  EXPECT_EQ(r.rows.size(), 5u);
  for (const auto& path : sql.fs().accessed()) {
    EXPECT_EQ(path.find("/fd"), std::string::npos) << "read " << path;
    EXPECT_FALSE(EndsWith(path, "/unix") || EndsWith(path, "/udp")) << "read " << path;
  }
}

TEST(ListeningPortsTest, PidFilterScansOnlyThatProcess) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  auto r = sql.Query("SELECT socket FROM listening_ports WHERE pid = 420");
  ASSERT_EQ(r.rows.size(), 2u);
  for (const auto& path : sql.fs().accessed())
    EXPECT_TRUE(StartsWith(path, "/proc/420/")) << "read " << path;
}

TEST(ListeningPortsTest, ExitedProcessesAndUnreadableDescriptorsAreSkipped) {
  testing::ScriptedSql sql(FixturePath("process/root"));
  sql.fs().AddVanishedPid(2);
  sql.fs().FailPath("/proc/1/fd", EACCES);
  auto r = sql.Query("SELECT socket, pid FROM listening_ports WHERE family = 1");
  std::map<int64_t, int64_t> pid_of;
  for (size_t i = 0; i < r.rows.size(); ++i)
    pid_of[std::get<int64_t>(Cell(r, i, "socket"))] = std::get<int64_t>(Cell(r, i, "pid"));
  EXPECT_EQ(pid_of, (std::map<int64_t, int64_t>{{3001, -1}, {3002, -1}, {3005, -1}, {3006, 777}}));
}

TEST(ListeningPortsTest, NoProcGivesNoRows) {
  testing::TempDir empty;
  SqlFixture sql(empty.path());
  EXPECT_TRUE(sql.Query("SELECT * FROM listening_ports").rows.empty());
}

// --- Live host ---

// "127.0.0.53%lo:53", "[::]:22", "*:68" -> port.
int64_t PortOf(std::string_view local) {
  size_t colon = local.rfind(':');
  int64_t port = -1;
  if (colon != std::string_view::npos) ParseInt64(local.substr(colon + 1), &port);
  return port;
}

std::set<std::pair<int64_t, int64_t>> SsListeners() {
  auto ss = testing::RunCommand({"ss", "-ltnuH"});
  EXPECT_EQ(ss.exit_code, 0) << ss.err;
  std::set<std::pair<int64_t, int64_t>> out;  // (protocol, port)
  for (std::string_view line : SplitString(ss.out, '\n')) {
    auto f = SplitWhitespace(line);
    if (f.size() < 5) continue;
    int64_t protocol = f[0] == "tcp" ? 6 : f[0] == "udp" ? 17 : 0;
    if (protocol != 0) out.emplace(protocol, PortOf(f[4]));
  }
  return out;
}

TEST(ListeningPortsLiveTest, CoversEveryPortSsLists) {
  auto before = SsListeners();
  SqlFixture sql;
  auto r = sql.Query("SELECT protocol, port FROM listening_ports WHERE family IN (2, 10)");
  std::set<std::pair<int64_t, int64_t>> ours;
  for (size_t i = 0; i < r.rows.size(); ++i)
    ours.emplace(std::get<int64_t>(Cell(r, i, "protocol")), std::get<int64_t>(Cell(r, i, "port")));
  auto after = SsListeners();
  for (const auto& listener : before) {
    if (after.count(listener) == 0) continue;  // closed meanwhile
    EXPECT_EQ(ours.count(listener), 1u)
        << "ss lists protocol " << listener.first << " port " << listener.second;
  }
}

class OwnListenersTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (int fd : fds_) ::close(fd);
  }
  // Binds a CLOEXEC socket to 127.0.0.1:0 (and listens, for TCP); returns its port.
  int Open(int type, int* fd_out) {
    int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd, 0);
    fds_.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    if (type == SOCK_STREAM) {
      EXPECT_EQ(::listen(fd, 8), 0);
    }
    socklen_t len = sizeof addr;
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    *fd_out = fd;
    return ntohs(addr.sin_port);
  }
  static int64_t Inode(int fd) {
    struct stat st {};
    EXPECT_EQ(::fstat(fd, &st), 0);
    return static_cast<int64_t>(st.st_ino);
  }
  std::vector<int> fds_;
};

TEST_F(OwnListenersTest, TcpAndUdpListenersAppearWithThisPidAndFd) {
  int tcp_fd = -1, udp_fd = -1;
  int tcp_port = Open(SOCK_STREAM, &tcp_fd);
  int udp_port = Open(SOCK_DGRAM, &udp_fd);
  SqlFixture sql;
  auto r = sql.Query("SELECT * FROM listening_ports WHERE address = '127.0.0.1' AND port IN (" +
                     std::to_string(tcp_port) + ", " + std::to_string(udp_port) + ")");
  const int64_t pid = ::getpid();
  std::set<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t>>
      got;  // proto,port,pid,fd,family,socket
  for (size_t i = 0; i < r.rows.size(); ++i)
    got.emplace(std::get<int64_t>(Cell(r, i, "protocol")), std::get<int64_t>(Cell(r, i, "port")),
                std::get<int64_t>(Cell(r, i, "pid")), std::get<int64_t>(Cell(r, i, "fd")),
                std::get<int64_t>(Cell(r, i, "family")), std::get<int64_t>(Cell(r, i, "socket")));
  EXPECT_EQ(got.count({6, tcp_port, pid, tcp_fd, 2, Inode(tcp_fd)}), 1u);
  EXPECT_EQ(got.count({17, udp_port, pid, udp_fd, 2, Inode(udp_fd)}), 1u);
}

TEST_F(OwnListenersTest, WhereThisPidFindsItsListener) {
  int tcp_fd = -1;
  int tcp_port = Open(SOCK_STREAM, &tcp_fd);
  SqlFixture sql;
  auto r = sql.Query("SELECT fd FROM listening_ports WHERE pid = " + std::to_string(::getpid()) +
                     " AND port = " + std::to_string(tcp_port));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "fd"), Value(int64_t{tcp_fd}));
}

TEST_F(OwnListenersTest, UnixListenerAppearsWithItsPath) {
  testing::TempDir dir;
  std::string path = dir.path() + "/listen.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  fds_.push_back(fd);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  SqlFixture sql;
  auto r =
      sql.Query("SELECT pid, fd, family, port FROM listening_ports WHERE path = '" + path + "'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "pid"), Value(int64_t{::getpid()}));
  EXPECT_EQ(Cell(r, 0, "fd"), Value(int64_t{fd}));
  EXPECT_EQ(Cell(r, 0, "family"), Value(int64_t{1}));
  EXPECT_EQ(Cell(r, 0, "port"), Value(int64_t{0}));
}

}  // namespace
}  // namespace warden
