// What the host event sources read from /proc about a process or a socket
// after the fact: the ids, parent and name of a pid, who owns a socket inode,
// the TCP listeners of the host. Shared by the fallback tier (which learns
// everything this way) and the eBPF tier (which needs it for the owners of
// listeners that predate it and for fanotify's pid-only open events).
// Nothing here is on a per-event hot path of the eBPF tier.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/host_fs.h"
#include "ebpf/host_event.h"
#include "tables/proc_sockets.h"

namespace warden {

// readlink(2) of path; "" on any error.
std::string ReadLinkOrEmpty(const std::string& path);

// ppid, real/effective uid and gid, and (when empty) comm of e->pid, from
// /proc/PID/status. False when the process is gone.
bool FillIdsFromProc(const HostFs& proc, HostEvent* e);

// socket inode -> pid of a process holding it, by reading every process's
// descriptors (expensive: call when something new needs an owner).
std::unordered_map<uint64_t, int64_t> SocketInodeOwners(const HostFs& proc);

// One line of /proc/self/mountinfo: what the event sources need of it.
struct MountInfoEntry {
  std::string device;  // major:minor
  std::string mount_point;
  std::string fs_type;
};
std::vector<MountInfoEntry> ReadMountInfo(const HostFs& proc);

// Listening TCP sockets (IPv4 and IPv6) of this network namespace.
std::vector<SocketEntry> TcpListeners(const HostFs& proc);

}  // namespace warden
