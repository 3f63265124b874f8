#include "tables/proc_sockets.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "tables/proc_reader.h"
#include "tables/proc_test_fs.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::FixturePath;

const char kTcpHeader[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n";

TEST(DecodeHexAddressTest, DecodesIpv4WordsInHostOrder) {
  EXPECT_EQ(DecodeHexAddress("0100007F", kFamilyInet), "127.0.0.1");
  EXPECT_EQ(DecodeHexAddress("0500000A", kFamilyInet), "10.0.0.5");
  EXPECT_EQ(DecodeHexAddress("00000000", kFamilyInet), "0.0.0.0");
}

TEST(DecodeHexAddressTest, DecodesIpv6) {
  EXPECT_EQ(DecodeHexAddress("00000000000000000000000001000000", kFamilyInet6), "::1");
  EXPECT_EQ(DecodeHexAddress("00000000000000000000000000000000", kFamilyInet6), "::");
  EXPECT_EQ(DecodeHexAddress("0000000000000000FFFF00000100007F", kFamilyInet6), "::ffff:127.0.0.1");
  EXPECT_EQ(DecodeHexAddress("000080FE00000000FF56500234128FFE", kFamilyInet6),
            "fe80::250:56ff:fe8f:1234");
}

TEST(DecodeHexAddressTest, RejectsWrongLengthsAndNonHex) {
  EXPECT_EQ(DecodeHexAddress("0100007", kFamilyInet), "");
  EXPECT_EQ(DecodeHexAddress("0100007G", kFamilyInet), "");
  EXPECT_EQ(DecodeHexAddress("0100007F", kFamilyInet6), "");
  EXPECT_EQ(DecodeHexAddress("0100007F", kFamilyUnix), "");
}

TEST(ParseInetSocketTableTest, ParsesAddressesPortsStateAndInode) {
  std::vector<SocketEntry> out;
  ParseInetSocketTable(std::string(kTcpHeader) +
                           "   2: 0500000A:A8CA 22D8B85D:01BB 01 00000000:00000000 02:000A7C8C "
                           "00000000  1000        0 1003 2 0000000000000000 20 4 30 10 -1\n",
                       kFamilyInet, kProtocolTcp, 77, &out);
  ASSERT_EQ(out.size(), 1u);
  const SocketEntry& s = out[0];
  EXPECT_EQ(s.local_address, "10.0.0.5");
  EXPECT_EQ(s.local_port, 43210);
  EXPECT_EQ(s.remote_address, "93.184.216.34");
  EXPECT_EQ(s.remote_port, 443);
  EXPECT_EQ(s.state, 1);
  EXPECT_EQ(s.inode, 1003u);
  EXPECT_EQ(s.family, kFamilyInet);
  EXPECT_EQ(s.protocol, kProtocolTcp);
  EXPECT_EQ(s.net_namespace, 77u);
}

TEST(ParseInetSocketTableTest, SkipsHeaderJunkAndTruncatedLines) {
  std::vector<SocketEntry> out;
  ParseInetSocketTable(std::string(kTcpHeader) +
                           "garbage\n"
                           "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000\n"
                           "   1: 0100007F:ZZZZ 00000000:0000 0A 00000000:00000000 00:00000000 "
                           "00000000 0 0 9 1\n"
                           "   2: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 "
                           "00000000 0 0 42 1",  // no trailing newline
                       kFamilyInet, kProtocolTcp, 0, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].inode, 42u);
  out.clear();
  ParseInetSocketTable("", kFamilyInet, kProtocolTcp, 0, &out);
  ParseInetSocketTable(kTcpHeader, kFamilyInet, kProtocolTcp, 0, &out);
  ParseInetSocketTable(std::string(5000, '\0'), kFamilyInet, kProtocolTcp, 0, &out);
  EXPECT_TRUE(out.empty());
}

TEST(ParseUnixSocketTableTest, PathIsTheRestOfTheLineAndOptional) {
  std::vector<SocketEntry> out;
  ParseUnixSocketTable(
      "Num       RefCount Protocol Flags    Type St Inode Path\n"
      "0000000000000000: 00000002 00000000 00010000 0001 01 3006 /run/my dir/with space.sock\n"
      "0000000000000000: 00000003 00000000 00000000 0001 03 3004\n"
      "0000000000000000: 00000002 00000000 00010000 0005 01 3005 @/tmp/.X11-unix/X0\n"
      "0000000000000000: junk\n",
      5, &out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].path, "/run/my dir/with space.sock");
  EXPECT_EQ(out[0].unix_flags, kUnixAcceptingFlag);
  EXPECT_EQ(out[0].unix_type, 1);
  EXPECT_EQ(out[0].inode, 3006u);
  EXPECT_EQ(out[1].path, "");
  EXPECT_EQ(out[1].state, 3);
  EXPECT_EQ(out[2].path, "@/tmp/.X11-unix/X0");
  EXPECT_EQ(out[2].unix_type, 5);
  EXPECT_EQ(out[2].family, kFamilyUnix);
}

SocketEntry Inet(int protocol, int state, int local_port, int remote_port) {
  SocketEntry s;
  s.family = kFamilyInet;
  s.protocol = protocol;
  s.state = state;
  s.local_port = local_port;
  s.remote_port = remote_port;
  return s;
}

TEST(IsListeningTest, TcpOnlyInListenState) {
  EXPECT_TRUE(IsListening(Inet(kProtocolTcp, kTcpListen, 22, 0)));
  EXPECT_FALSE(IsListening(Inet(kProtocolTcp, 1, 22, 443)));          // established
  EXPECT_FALSE(IsListening(Inet(kProtocolTcp, kTcpClose, 8000, 0)));  // bound, not listening
}

TEST(IsListeningTest, UdpWhenBoundAndUnconnected) {
  EXPECT_TRUE(IsListening(Inet(kProtocolUdp, kTcpClose, 53, 0)));
  EXPECT_FALSE(IsListening(Inet(kProtocolUdp, 1, 54321, 53)));  // connected
  EXPECT_FALSE(IsListening(Inet(kProtocolUdp, kTcpClose, 0, 0)));
}

TEST(IsListeningTest, UnixWhenAcceptingOrBoundDatagramWithPath) {
  SocketEntry s;
  s.family = kFamilyUnix;
  s.path = "/run/x.sock";
  s.unix_type = 1;
  s.state = 1;
  s.unix_flags = kUnixAcceptingFlag;
  EXPECT_TRUE(IsListening(s));
  s.unix_flags = 0;
  s.state = 3;
  EXPECT_FALSE(IsListening(s));  // an accepted connection shows the listener's path
  s.unix_type = kUnixDatagram;
  s.state = kUnixUnconnected;
  EXPECT_TRUE(IsListening(s));
  s.path.clear();
  EXPECT_FALSE(IsListening(s));
}

TEST(TcpStateNameTest, UsesOsqueryNames) {
  EXPECT_EQ(TcpStateName(10), "LISTEN");
  EXPECT_EQ(TcpStateName(1), "ESTABLISHED");
  EXPECT_EQ(TcpStateName(6), "TIME_WAIT");
  EXPECT_EQ(TcpStateName(0), "UNKNOWN");
  EXPECT_EQ(TcpStateName(99), "UNKNOWN");
}

// A context with no constraints, for calling the readers directly.
struct PlainContext {
  TableSchema schema{"t", "", {{"pid", ColumnType::kInteger, kNone, "", ""}}, {}};
  HostFs fs;
  QueryContext ctx;
  explicit PlainContext(const std::string& root) : fs(root), ctx(&schema, &fs, nullptr, nullptr) {}
};

TEST(ScanProcessSocketsTest, GroupsPidsByNetworkNamespace) {
  PlainContext p(FixturePath("process/root"));
  auto scan = ScanProcessSockets(p.fs, {1, 420, 421, 777, 900, 1234}, false, p.ctx);
  std::map<uint64_t, std::vector<int64_t>> want = {{4026531840u, {1, 420, 421, 777, 900}},
                                                   {4026532999u, {1234}}};
  EXPECT_EQ(scan.namespaces, want);
  EXPECT_EQ(scan.owners.size(), 0u);  // not asked for
}

TEST(ScanProcessSocketsTest, LowestPidThenLowestFdOwnsASharedSocket) {
  PlainContext p(FixturePath("process/root"));
  auto scan = ScanProcessSockets(p.fs, {1, 420, 421, 777}, true, p.ctx);
  const SocketOwner* owner = scan.owners.Find(1001);  // held by 420 (fds 3 and 9) and 421 (fd 7)
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->pid, 420);
  EXPECT_EQ(owner->fd, 3);
  EXPECT_EQ(scan.owners.Find(5001), nullptr);  // pid 1234 was not scanned
}

TEST(ScanProcessSocketsTest, WithOwnersOnlyProcessesHoldingSocketsHaveTheirNamespaceRead) {
  testing::ScriptedProcFs fs(FixturePath("process/root"));
  PlainContext p(FixturePath("process/root"));
  auto scan = ScanProcessSockets(fs, {1, 420, 900, 1234}, true, p.ctx);
  std::map<uint64_t, std::vector<int64_t>> want = {{4026531840u, {1, 420}}, {4026532999u, {1234}}};
  EXPECT_EQ(scan.namespaces, want);
  EXPECT_FALSE(fs.AccessedUnder("/proc/900/ns/"));  // a kernel thread: no descriptors
}

TEST(ScanProcessSocketsTest, ManyProcessesGiveTheSameAnswerAsFew) {
  // Enough pids to be split across threads: the fixture's pids plus many
  // that do not exist, which must simply be skipped.
  PlainContext p(FixturePath("process/root"));
  std::vector<int64_t> pids = {1, 420, 421, 777, 900, 1234};
  for (int64_t pid = 2000; pid < 6000; ++pid) pids.push_back(pid);
  auto scan = ScanProcessSockets(p.fs, pids, true, p.ctx);
  EXPECT_EQ(scan.namespaces.size(), 2u);
  ASSERT_NE(scan.owners.Find(1001), nullptr);
  EXPECT_EQ(scan.owners.Find(1001)->pid, 420);
  ASSERT_NE(scan.owners.Find(5001), nullptr);
  EXPECT_EQ(scan.owners.Find(5001)->pid, 1234);
}

TEST(SocketOwnerIndexTest, RecordKeepsTheLowestPidThenFdWhateverTheOrder) {
  SocketOwnerIndex index;
  index.Record(7, {500, 4});
  index.Record(7, {300, 9});
  index.Record(7, {300, 2});
  index.Record(7, {400, 1});
  ASSERT_NE(index.Find(7), nullptr);
  EXPECT_EQ(index.Find(7)->pid, 300);
  EXPECT_EQ(index.Find(7)->fd, 2);
  SocketOwnerIndex other;
  other.Record(7, {100, 8});
  other.Record(8, {900, 1});
  index.Merge(other);
  EXPECT_EQ(index.Find(7)->pid, 100);
  EXPECT_EQ(index.size(), 2u);
}

TEST(ReadSocketTablesTest, ReadsEachNetworkNamespaceOnce) {
  testing::ScriptedProcFs fs(FixturePath("process/root"));
  PlainContext p(FixturePath("process/root"));
  auto scan = ScanProcessSockets(fs, {1, 420, 421, 777, 900, 1234}, false, p.ctx);
  fs.ClearAccessed();
  auto sockets = ReadSocketTables(fs, scan, kSocketTcp);
  // Two namespaces (the host's, shared by five pids, and pid 1234's): two reads.
  int tcp_reads = 0;
  for (const auto& path : fs.accessed())
    if (EndsWith(path, "/net/tcp")) ++tcp_reads;
  EXPECT_EQ(tcp_reads, 2);
  EXPECT_TRUE(fs.AccessedUnder("/proc/1234/net/tcp"));
  bool container_socket = false;
  for (const auto& s : sockets)
    if (s.inode == 5001) container_socket = s.net_namespace == 4026532999u && s.local_port == 8080;
  EXPECT_TRUE(container_socket);
}

TEST(ReadSocketTablesTest, TriesTheNextPidOfANamespaceWhenOneHasExited) {
  testing::ScriptedProcFs fs(FixturePath("process/root"));
  PlainContext p(FixturePath("process/root"));
  auto scan = ScanProcessSockets(fs, {1, 420}, false, p.ctx);
  fs.FailPrefix("/proc/1/net", ENOENT);
  auto sockets = ReadSocketTables(fs, scan, kSocketUdp);
  EXPECT_EQ(sockets.size(), 2u);
  EXPECT_TRUE(fs.AccessedUnder("/proc/420/net/udp"));
}

TEST(ReadSocketTablesTest, FallsBackToProcNetWhenNoNamespaceIsKnown) {
  PlainContext p(FixturePath("process/root"));
  auto sockets = ReadSocketTables(p.fs, ProcessSocketScan{}, kSocketUdp);
  ASSERT_EQ(sockets.size(), 2u);
  EXPECT_EQ(sockets[0].inode, 1101u);
}

}  // namespace
}  // namespace warden
