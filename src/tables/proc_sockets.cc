#include "tables/proc_sockets.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "core/strings.h"
#include "tables/proc_reader.h"

namespace warden {
namespace {

// Splits a line into at most N whitespace-separated fields; returns how many
// were found. `rest` is left at the text after the last field taken.
template <size_t N>
size_t SplitFields(std::string_view line, std::array<std::string_view, N>* fields,
                   std::string_view* rest = nullptr) {
  size_t count = 0;
  size_t i = 0;
  while (count < N) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    (*fields)[count++] = line.substr(start, i - start);
  }
  if (rest != nullptr) *rest = line.substr(i);
  return count;
}

bool ParseHex32(std::string_view hex, uint32_t* out) {
  if (hex.size() != 8) return false;
  auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), *out, 16);
  return ec == std::errc() && p == hex.data() + hex.size();
}

// "0100007F:0277" -> address text and port; false when malformed.
bool DecodeEndpoint(std::string_view field, int family, std::string* address, int* port) {
  size_t colon = field.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view port_hex = field.substr(colon + 1);
  uint32_t value = 0;
  if (port_hex.size() != 4) return false;
  auto [p, ec] = std::from_chars(port_hex.data(), port_hex.data() + 4, value, 16);
  if (ec != std::errc() || p != port_hex.data() + 4) return false;
  *address = DecodeHexAddress(field.substr(0, colon), family);
  if (address->empty()) return false;
  *port = static_cast<int>(value);
  return true;
}

template <typename Fn>
void ForEachLineAfterHeader(std::string_view text, Fn fn) {
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return;  // only a header, or nothing
  text.remove_prefix(nl + 1);
  while (!text.empty()) {
    nl = text.find('\n');
    fn(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// Reads the socket tables under one namespace's net directory ("/proc/<pid>/
// net" or "/proc/net"). True when at least one table could be read, i.e.
// the directory still belongs to a live process.
bool ReadNamespaceTables(const HostFs& fs, const std::string& net_dir, uint64_t net_namespace,
                         unsigned kinds, std::vector<SocketEntry>* out) {
  struct Table {
    const char* file;
    unsigned kind;
    int family;
    int protocol;
  };
  static constexpr Table kTables[] = {
      {"/tcp", kSocketTcp, kFamilyInet, kProtocolTcp},
      {"/tcp6", kSocketTcp, kFamilyInet6, kProtocolTcp},
      {"/udp", kSocketUdp, kFamilyInet, kProtocolUdp},
      {"/udp6", kSocketUdp, kFamilyInet6, kProtocolUdp},
      {"/unix", kSocketUnix, kFamilyUnix, 0},
  };
  bool any = false;
  std::string path;
  for (const Table& t : kTables) {
    if (!(kinds & t.kind)) continue;
    path = net_dir;
    path.append(t.file);
    auto text = fs.ReadFile(path);
    if (!text.ok()) continue;  // IPv6 disabled, or the process is gone
    any = true;
    if (t.family == kFamilyUnix) {
      ParseUnixSocketTable(*text, net_namespace, out);
    } else {
      ParseInetSocketTable(*text, t.family, t.protocol, net_namespace, out);
    }
  }
  return any;
}

}  // namespace

std::string_view TcpStateName(int state) {
  static constexpr std::string_view kNames[] = {
      "UNKNOWN",   "ESTABLISHED", "SYN_SENT",   "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
      "TIME_WAIT", "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING",
  };
  if (state <= 0 || static_cast<size_t>(state) >= std::size(kNames)) return kNames[0];
  return kNames[state];
}

bool IsListening(const SocketEntry& s) {
  switch (s.family) {
    case kFamilyInet:
    case kFamilyInet6:
      if (s.local_port <= 0) return false;
      if (s.protocol == kProtocolTcp) return s.state == kTcpListen;
      if (s.protocol == kProtocolUdp) return s.state == kTcpClose && s.remote_port == 0;
      return false;
    case kFamilyUnix:
      if (s.path.empty()) return false;
      return (s.unix_flags & kUnixAcceptingFlag) != 0 ||
             (s.unix_type == kUnixDatagram && s.state == kUnixUnconnected);
    default:
      return false;
  }
}

std::string DecodeHexAddress(std::string_view hex, int family) {
  char text[INET6_ADDRSTRLEN] = {};
  if (family == kFamilyInet) {
    uint32_t word = 0;
    if (!ParseHex32(hex, &word)) return {};
    in_addr addr{};
    std::memcpy(&addr.s_addr, &word, sizeof word);  // already in network order in memory
    if (inet_ntop(AF_INET, &addr, text, sizeof text) == nullptr) return {};
  } else if (family == kFamilyInet6) {
    if (hex.size() != 32) return {};
    in6_addr addr{};
    for (size_t i = 0; i < 4; ++i) {
      uint32_t word = 0;
      if (!ParseHex32(hex.substr(i * 8, 8), &word)) return {};
      std::memcpy(&addr.s6_addr[i * 4], &word, sizeof word);
    }
    if (inet_ntop(AF_INET6, &addr, text, sizeof text) == nullptr) return {};
  } else {
    return {};
  }
  return text;
}

void ParseInetSocketTable(std::string_view text, int family, int protocol, uint64_t net_namespace,
                          std::vector<SocketEntry>* out) {
  ForEachLineAfterHeader(text, [&](std::string_view line) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    std::array<std::string_view, 10> f;
    if (SplitFields(line, &f) < 10) return;
    SocketEntry s;
    s.family = family;
    s.protocol = protocol;
    s.net_namespace = net_namespace;
    if (!DecodeEndpoint(f[1], family, &s.local_address, &s.local_port) ||
        !DecodeEndpoint(f[2], family, &s.remote_address, &s.remote_port))
      return;
    int64_t state = 0;
    if (!ParseInt64(f[3], &state, 16)) return;
    s.state = static_cast<int>(state);
    if (!ParseUint64(f[9], &s.inode)) return;
    out->push_back(std::move(s));
  });
}

void ParseUnixSocketTable(std::string_view text, uint64_t net_namespace,
                          std::vector<SocketEntry>* out) {
  ForEachLineAfterHeader(text, [&](std::string_view line) {
    // Num RefCount Protocol Flags Type St Inode [Path]
    std::array<std::string_view, 7> f;
    std::string_view rest;
    if (SplitFields(line, &f, &rest) < 7) return;
    SocketEntry s;
    s.family = kFamilyUnix;
    s.net_namespace = net_namespace;
    int64_t protocol = 0, type = 0, state = 0;
    uint64_t flags = 0;
    if (!ParseInt64(f[2], &protocol, 16) || !ParseUint64(f[3], &flags, 16) ||
        !ParseInt64(f[4], &type, 16) || !ParseInt64(f[5], &state, 16) ||
        !ParseUint64(f[6], &s.inode))
      return;
    s.protocol = static_cast<int>(protocol);
    s.unix_flags = static_cast<uint32_t>(flags);
    s.unix_type = static_cast<int>(type);
    s.state = static_cast<int>(state);
    // The path is the rest of the line after one space: it may contain spaces.
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    while (!rest.empty() && (rest.back() == '\r' || rest.back() == ' ')) rest.remove_suffix(1);
    s.path.assign(rest);
    out->push_back(std::move(s));
  });
}

unsigned SocketKindsFor(const QueryContext& ctx) {
  unsigned kinds = kSocketAll;
  if (auto families = ctx.IntegerEquals("family")) {
    unsigned k = 0;
    for (int64_t f : *families) {
      if (f == kFamilyInet || f == kFamilyInet6) k |= kSocketTcp | kSocketUdp;
      if (f == kFamilyUnix) k |= kSocketUnix;
    }
    kinds &= k;
  }
  if (auto protocols = ctx.IntegerEquals("protocol")) {
    unsigned k = 0;
    for (int64_t p : *protocols) {
      if (p == kProtocolTcp) k |= kSocketTcp;
      if (p == kProtocolUdp) k |= kSocketUdp;
      if (p == 0) k |= kSocketUnix;
    }
    kinds &= k;
  }
  return kinds;
}

SocketScope SocketScopeFor(const QueryContext& ctx) {
  SocketScope scope;
  auto wanted = ctx.IntegerEquals("pid");
  if (wanted && std::find(wanted->begin(), wanted->end(), -1) == wanted->end()) {
    scope.pid_filter = true;
    for (int64_t pid : *wanted)
      if (pid > 0) scope.pids.push_back(pid);
    return scope;
  }
  auto all = ListProcessIds(ctx.fs());
  if (all.ok()) scope.pids = std::move(all).value();
  return scope;
}

void SocketOwnerIndex::Record(uint64_t inode, SocketOwner owner) {
  auto [it, inserted] = owners_.try_emplace(inode, owner);
  if (inserted) return;
  SocketOwner& have = it->second;
  if (owner.pid < have.pid || (owner.pid == have.pid && owner.fd < have.fd)) have = owner;
}

void SocketOwnerIndex::Merge(const SocketOwnerIndex& other) {
  for (const auto& [inode, owner] : other.owners_) Record(inode, owner);
}

const SocketOwner* SocketOwnerIndex::Find(uint64_t inode) const {
  auto it = owners_.find(inode);
  return it == owners_.end() ? nullptr : &it->second;
}

// Below this many processes per thread, a thread costs more than it saves.
constexpr size_t kMinProcessesPerThread = 128;

ProcessSocketScan ScanProcessSockets(const HostFs& fs, const std::vector<int64_t>& pids,
                                     bool find_owners, const QueryContext& ctx) {
  const size_t chunks = ParallelChunkCount(pids.size(), kMinProcessesPerThread);
  std::vector<ProcessSocketScan> partial(chunks);
  RunChunks(pids.size(), chunks, [&](size_t chunk, size_t begin, size_t end) {
    ProcessSocketScan& scan = partial[chunk];
    for (size_t i = begin; i < end && !ctx.Cancelled(); ++i) {
      const int64_t pid = pids[i];
      bool holds_sockets = true;
      if (find_owners) {
        holds_sockets = false;
        // Errors mean the process exited or hides its descriptors: skip it.
        (void)ForEachFileDescriptor(fs, pid, [&](int64_t fd, std::string_view target) {
          uint64_t inode = 0;
          if (!ParseBracketedInode(target, "socket:", &inode)) return;
          scan.owners.Record(inode, SocketOwner{pid, fd});
          holds_sockets = true;
        });
      }
      // With owners known, a process holding no socket cannot own a row, and
      // its namespace's sockets are found through the processes that do hold
      // some: skipping its link saves a readlink per idle process.
      if (!holds_sockets) continue;
      if (uint64_t ns = ReadNamespaceInode(fs, pid, "net"); ns != 0)
        scan.namespaces[ns].push_back(pid);
    }
  });
  // Chunks cover ascending pid ranges: appending in chunk order keeps each
  // namespace's pid list ascending.
  ProcessSocketScan merged = std::move(partial[0]);
  for (size_t c = 1; c < chunks; ++c) {
    for (auto& [ns, ns_pids] : partial[c].namespaces) {
      auto& into = merged.namespaces[ns];
      into.insert(into.end(), ns_pids.begin(), ns_pids.end());
    }
    merged.owners.Merge(partial[c].owners);
  }
  return merged;
}

std::vector<SocketEntry> ReadSocketTables(const HostFs& fs, const ProcessSocketScan& scan,
                                          unsigned kinds) {
  std::vector<SocketEntry> sockets;
  bool any = false;
  for (const auto& [ns, ns_pids] : scan.namespaces) {
    for (int64_t pid : ns_pids) {
      if (ReadNamespaceTables(fs, ProcPidPath(pid, "net"), ns, kinds, &sockets)) {
        any = true;
        break;
      }
    }
  }
  if (!any) {
    uint64_t ns = 0;
    if (auto link = fs.ReadLink("/proc/self/ns/net"); link.ok())
      ParseBracketedInode(*link, "net:", &ns);
    ReadNamespaceTables(fs, "/proc/net", ns, kinds, &sockets);
  }
  return sockets;
}

}  // namespace warden
