// HostEvent is one runtime observation of a host - an exec, exit or fork, a
// connect/accept/bind/listen, a set*id call, an open of a sensitive path, a
// kernel module load - decoded from whichever source saw it (the eBPF
// collector, or the proc connector / fanotify fallback), in one flat typed
// struct. It is the unit the process table, the host rules, the event journal
// and `warden events watch` all consume.
//
// Its JSON form (HostEventToJson) is the event as rules see it: dotted paths
// such as `process.exe`, `parent.name`, `socket.local_port`,
// `ancestors.name` (an array: matches any ancestor), exactly as CloudTrail
// events are seen by the same rule engine. docs/ebpf.md lists every field.
// This file holds data and its renderings only; it does not read the host.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden {

enum class HostEventKind : uint8_t {
  kExec,
  kExit,
  kFork,
  kConnect,
  kAccept,
  kBind,
  kListen,
  kSetId,
  kOpen,
  kModuleLoad,
};
inline constexpr size_t kHostEventKindCount = 10;

// "exec", "exit", "fork", "connect", "accept", "bind", "listen", "setid",
// "open", "module_load".
std::string_view HostEventKindName(HostEventKind kind);
std::optional<HostEventKind> ParseHostEventKind(std::string_view name);
bool IsSocketEvent(HostEventKind kind);

// What a standard descriptor (0, 1, 2) of a process refers to.
enum class StdioKind : uint8_t {
  kUnknown,
  kFile,
  kPipe,
  kCharDevice,
  kInetSocket,
  kUnixSocket,
  kOtherSocket,
  kOther
};
// "file", "pipe", "tty", "inet_socket", "unix_socket", "socket", "other", "" (unknown).
std::string_view StdioKindName(StdioKind kind);

// Where a HostEvent came from.
enum class EventOrigin : uint8_t { kEbpf, kProcConnector, kFanotify, kProcPoll };
std::string_view EventOriginName(EventOrigin origin);  // "ebpf", "proc_connector", ...

struct Endpoint {
  int family = 0;       // 2 (AF_INET), 10 (AF_INET6), 0 unknown
  std::string address;  // text form; "" when unknown
  int port = 0;
};

struct HostEvent {
  HostEventKind kind = HostEventKind::kExec;
  EventOrigin origin = EventOrigin::kEbpf;
  int64_t time_ns = 0;   // wall clock, nanoseconds since the epoch
  uint64_t boot_ns = 0;  // CLOCK_BOOTTIME nanoseconds (osquery's ntime)
  uint64_t id = 0;       // the journal's event id (eid) once stored, else 0

  // The process the event is about (for fork: the child).
  int64_t pid = 0;
  int64_t tid = 0;
  int64_t ppid = 0;
  int64_t uid = -1, gid = -1, euid = -1, egid = -1;
  uint64_t cgroup_id = 0;
  std::string comm;

  std::string syscall;       // "execve", "connect", "setresuid", "openat", ... ("" when unknown)
  int64_t result = 0;        // the syscall's return value (negative errno on failure)
  bool probe_error = false;  // some data could not be captured or was truncated

  // exec
  std::string exe;        // the executable the kernel runs (for a script: its interpreter)
  std::string exec_path;  // what was executed, absolute (for a script: the script)
  std::string cwd;
  std::vector<std::string> argv;
  bool exe_deleted = false;  // memfd or unlinked file
  bool exe_setid = false;    // the executable has the set-user-id or set-group-id bit
  std::array<StdioKind, 3> stdio{};
  std::array<StdioKind, 3> parent_stdio{};
  Endpoint stdio_peer;  // remote end of an inet socket on the process's (or parent's) stdio
  uint64_t start_boot_ns = 0;

  // exit
  int64_t exit_status = 0;  // wait status: (code << 8) | signal
  int64_t duration_ns = 0;  // process lifetime

  // socket events
  int64_t fd = -1;
  int socket_type = 0;  // SOCK_STREAM 1, SOCK_DGRAM 2, ...
  int protocol = 0;     // IPPROTO_TCP 6, IPPROTO_UDP 17
  Endpoint local;
  Endpoint remote;

  // set*id: the arguments (-1 = unchanged) and the ids afterwards
  std::array<int64_t, 3> setid_args{-1, -1, -1};
  int64_t suid = -1, fsuid = -1, sgid = -1, fsgid = -1;

  // open and module_load
  std::string path;
  int64_t open_flags = -1;  // -1 when unknown (fanotify)

  // Joined argv, as /proc/PID/cmdline reads with spaces.
  std::string CommandLine() const;
};

// The basename of a path ("/usr/bin/nc.openbsd" -> "nc.openbsd").
std::string_view PathBaseName(std::string_view path);
// "a/./b/../c" relative to cwd -> "/cwd/a/c"; absolute paths are normalised.
std::string AbsolutePath(std::string_view path, std::string_view cwd);
// Text form of a 4- or 16-byte network-order address.
std::string FormatIpAddress(int family, const uint8_t* bytes);
// "read", "write", "read_write" from open(2) flags; "" when flags < 0.
std::string_view OpenAccessName(int64_t flags);
// Decodes "(code << 8) | signal".
int64_t ExitCodeOf(int64_t wait_status);
int64_t ExitSignalOf(int64_t wait_status);

}  // namespace warden
