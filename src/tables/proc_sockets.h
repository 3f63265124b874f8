// Sockets as the kernel lists them in /proc/<pid>/net/{tcp,tcp6,udp,udp6,unix}
// and which process holds each one. The one mechanism behind
// process_open_sockets and listening_ports:
//   1. ScanProcessSockets makes one pass over the processes: the network
//      namespace of each, and (only when the query uses pid or fd, as it is
//      the expensive part: one readlink per open descriptor on the host) the
//      socket inode -> pid/fd index from the "socket:[inode]" links.
//   2. ReadSocketTables reads the socket tables of every namespace found,
//      each once, so sockets inside containers are found too, as osquery
//      finds them.
// Parsers never crash on junk lines: they skip them. Reads go through HostFs.
// Deliberately not here: sock_diag netlink (it cannot serve --root images or
// fixtures, and /proc is fast enough), packet and raw sockets.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/host_fs.h"
#include "sql/table.h"

namespace warden {

// Linux address families and IP protocol numbers, as osquery prints them.
inline constexpr int kFamilyUnix = 1;    // AF_UNIX
inline constexpr int kFamilyInet = 2;    // AF_INET
inline constexpr int kFamilyInet6 = 10;  // AF_INET6
inline constexpr int kProtocolTcp = 6;   // IPPROTO_TCP
inline constexpr int kProtocolUdp = 17;  // IPPROTO_UDP

// Kernel TCP state numbers (include/net/tcp_states.h) that matter here.
inline constexpr int kTcpListen = 10;
inline constexpr int kTcpClose = 7;  // also an unconnected UDP socket
// /proc/net/unix: __SO_ACCEPTCON in Flags marks a listening socket.
inline constexpr uint32_t kUnixAcceptingFlag = 0x10000;
inline constexpr int kUnixDatagram = 2;     // SOCK_DGRAM in the Type column
inline constexpr int kUnixUnconnected = 1;  // SS_UNCONNECTED in the St column

struct SocketEntry {
  int family = 0;
  int protocol = 0;  // 6, 17; unix sockets: the Protocol column (0)
  std::string local_address;
  std::string remote_address;
  int local_port = 0;
  int remote_port = 0;
  int state = 0;  // TCP/UDP: kernel TCP state; unix: the St column
  int unix_type = 0;
  uint32_t unix_flags = 0;
  uint64_t inode = 0;
  std::string path;  // unix only; abstract names start with '@'
  uint64_t net_namespace = 0;
};

// osquery's name of a TCP state ("LISTEN", "ESTABLISHED", ...); "UNKNOWN"
// for numbers outside the kernel's list.
std::string_view TcpStateName(int state);

// True for what `ss -l` lists: TCP sockets in LISTEN, unconnected UDP sockets
// bound to a port, and unix sockets with a path that accept connections (or,
// for datagram sockets, are bound and unconnected).
bool IsListening(const SocketEntry& socket);

// The text form of a /proc/net address ("0100007F" -> "127.0.0.1", 32 hex
// digits -> IPv6), or "" when hex is not a valid address of that family.
// The kernel prints each 32-bit word in host byte order.
std::string DecodeHexAddress(std::string_view hex, int family);

// Parses /proc/net/{tcp,udp}[6] text (header line first) and appends one
// entry per socket line.
void ParseInetSocketTable(std::string_view text, int family, int protocol, uint64_t net_namespace,
                          std::vector<SocketEntry>* out);
// Parses /proc/net/unix text.
void ParseUnixSocketTable(std::string_view text, uint64_t net_namespace,
                          std::vector<SocketEntry>* out);

// Which socket tables to read.
enum SocketKind : unsigned {
  kSocketTcp = 1u << 0,
  kSocketUdp = 1u << 1,
  kSocketUnix = 1u << 2,
  kSocketAll = kSocketTcp | kSocketUdp | kSocketUnix,
};

// Which processes a socket table scans. With `pid = N` / `IN (...)` only
// those, and only their sockets are returned; osquery's `pid = -1` ("sockets
// nobody holds") needs every process scanned, so it disables the filter.
struct SocketScope {
  bool pid_filter = false;
  std::vector<int64_t> pids;  // ascending
};
SocketScope SocketScopeFor(const QueryContext& ctx);

// The socket tables a query can match, from `family =` and `protocol =`
// constraints (kSocketAll without them; 0 when nothing can match).
unsigned SocketKindsFor(const QueryContext& ctx);

struct SocketOwner {
  int64_t pid = -1;
  int64_t fd = -1;
};

// Socket inode -> the process holding it. When several processes share a
// socket (a forking server's listener), the lowest pid wins, and within it
// the lowest fd: usually the parent, and the same answer on every run.
class SocketOwnerIndex {
 public:
  // Records that owner.pid holds inode as owner.fd, unless a lower pid (or
  // the same pid with a lower fd) is already recorded.
  void Record(uint64_t inode, SocketOwner owner);
  // Records every entry of another index.
  void Merge(const SocketOwnerIndex& other);
  // nullptr when no scanned process holds the socket.
  const SocketOwner* Find(uint64_t inode) const;
  size_t size() const { return owners_.size(); }

 private:
  std::unordered_map<uint64_t, SocketOwner> owners_;
};

// What one pass over /proc/<pid> finds for the socket tables.
struct ProcessSocketScan {
  // Network namespace inode -> the scanned pids living in it, ascending.
  // Pids whose namespace link cannot be read (not root, or exited) are left
  // out: their /proc/<pid>/net would show a namespace under no known name,
  // listing its sockets twice.
  std::map<uint64_t, std::vector<int64_t>> namespaces;
  SocketOwnerIndex owners;  // filled only when asked for
};

// Reads each pid's ns/net link and, with find_owners, its "socket:[inode]"
// descriptors (one readlink per open descriptor: the expensive part, which is
// why tables ask for owners only when pid or fd is used). With find_owners,
// only processes holding at least one socket have their namespace read: a
// namespace in which no process holds a socket (only the kernel does) is not
// listed. Large scans run on several threads. Processes that exit meanwhile
// are skipped.
ProcessSocketScan ScanProcessSockets(const HostFs& fs, const std::vector<int64_t>& pids,
                                     bool find_owners, const QueryContext& ctx);

// Reads the socket tables of every namespace of the scan, each once, through
// the first of its pids whose /proc/<pid>/net can still be read. With no
// namespace known it reads /proc/net (the reader's own namespace).
std::vector<SocketEntry> ReadSocketTables(const HostFs& fs, const ProcessSocketScan& scan,
                                          unsigned kinds);

}  // namespace warden
