// What the event journal stores for the two event tables, and how: the
// columns of one bpf_process_events row (exec events) or one
// bpf_socket_events row (connect/accept/bind/listen), encoded as a compact
// little-endian record (fixed integers, then length-prefixed strings).
// Decoding never trusts the bytes: a short or damaged payload yields false,
// never a crash. Encoding is done by the collector's pipeline, decoding by the
// tables; neither reads the host.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/host_event.h"
#include "ebpf/process_table.h"

namespace warden {

enum JournalKind : uint16_t {
  kJournalProcessEvent = 1,
  kJournalSocketEvent = 2,
};

struct StoredProcessEvent {
  int64_t tid = 0, pid = 0, parent = 0, uid = 0, gid = 0, euid = 0;
  int64_t cgroup_id = 0;
  int64_t result = 0;
  bool probe_error = false;
  uint64_t boot_ns = 0;
  std::string syscall, path, exec_path, cwd;
  std::vector<std::string> argv;
  std::string parent_path;
  std::vector<int64_t> ancestor_pids;
  std::vector<std::string> ancestor_paths;
};

struct StoredSocketEvent {
  int64_t tid = 0, pid = 0, parent = 0, uid = 0, gid = 0;
  int64_t cgroup_id = 0;
  int64_t result = 0;
  bool probe_error = false;
  uint64_t boot_ns = 0;
  int64_t fd = -1, family = 0, type = 0, protocol = 0, local_port = 0, remote_port = 0;
  std::string syscall, path, local_address, remote_address;
};

// The journal kind of an event, or 0 when the tables do not store it.
uint16_t JournalKindOf(HostEventKind kind);

// Encodes an exec event (with its ancestry) or a socket event.
std::string EncodeProcessEvent(const HostEvent& event,
                               const std::vector<const ProcessRecord*>& ancestors);
std::string EncodeSocketEvent(const HostEvent& event);

bool DecodeProcessEvent(std::string_view payload, StoredProcessEvent* out);
bool DecodeSocketEvent(std::string_view payload, StoredSocketEvent* out);

}  // namespace warden
