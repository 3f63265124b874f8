// ProcessTable is the collector's memory of the host's processes: for every
// pid it has seen (from the start-up snapshot of /proc, then from fork, exec,
// exit and set*id events) the parent, ids, executable, command line and
// cgroup, so that every event can carry its parent chain even after the
// parent has exited.
//
// Memory is bounded whatever the process churn: at most `capacity` entries.
// Exited processes are kept (their children's chains need them) but only the
// most recent `capacity / 4`; beyond that the oldest exited entry goes first,
// and if live entries alone exceed the capacity (exit events lost), the
// oldest-inserted entries are evicted and counted. Strings are capped
// (kMaxCommandLine, kMaxPath).
//
// Reads the host only in LoadSnapshot, through HostFs. Not thread-safe: one
// owner (the pipeline's thread).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/host_fs.h"
#include "ebpf/host_event.h"

namespace warden {

struct ProcessRecord {
  int64_t pid = 0;
  int64_t ppid = 0;
  int64_t uid = -1, euid = -1, gid = -1;
  std::string exe;
  std::string exec_path;
  std::string name;  // basename of exec_path (what was run), else of exe, else comm
  std::string cmdline;
  uint64_t cgroup_id = 0;
  uint64_t start_boot_ns = 0;
  std::array<StdioKind, 3> stdio{};
  bool exited = false;
  bool from_snapshot = false;
};

class ProcessTable {
 public:
  static constexpr size_t kDefaultCapacity = 32768;
  static constexpr size_t kMaxCommandLine = 1024;
  static constexpr size_t kMaxPath = 1024;
  static constexpr size_t kMaxAncestry = 8;

  explicit ProcessTable(size_t capacity = kDefaultCapacity);

  // Adds every process of /proc (through fs). Returns how many were added.
  size_t LoadSnapshot(const HostFs& fs);

  // Updates the table from an event, before rules see it: fork copies the
  // parent's record to the child, exec replaces the record, exit marks it
  // exited, setid updates the ids. Also fills in what the event lacks but
  // the table knows (e.g. the exe of a socket event's process).
  // `previous_uid` / `previous_euid` receive the ids before a setid event.
  void Apply(HostEvent& event, int64_t* previous_uid = nullptr, int64_t* previous_euid = nullptr);

  // For sources that do not see set*id calls: when the ids that `event`
  // carries for the process acting in it (the parent for fork) differ from
  // the table's, the change that must have happened in between, as a setid
  // event with syscall "credential_change" - else nullopt. An exec of a
  // set-user-id or set-group-id file explains a new effective id; accept
  // events carry the listener's ids from listen time and are not compared.
  std::optional<HostEvent> InferredCredentialChange(const HostEvent& event) const;

  const ProcessRecord* Find(int64_t pid) const;
  // The parent, grandparent, ... of pid (nearest first), at most max_depth,
  // stopping at pid 0, at an unknown pid or at a loop.
  std::vector<const ProcessRecord*> Ancestry(int64_t pid, size_t max_depth = kMaxAncestry) const;

  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t evictions() const { return evictions_; }  // live entries evicted (should stay 0)

 private:
  struct Entry {
    ProcessRecord record;
    uint64_t generation = 0;
  };
  ProcessRecord& Upsert(int64_t pid);
  void MarkExited(int64_t pid);
  void Enforce();
  void CompactInsertOrder();

  size_t capacity_;
  uint64_t next_generation_ = 1;
  uint64_t evictions_ = 0;
  std::unordered_map<int64_t, Entry> entries_;
  std::deque<std::pair<int64_t, uint64_t>>
      insert_order_;  // (pid, generation), may hold stale pairs
  std::deque<std::pair<int64_t, uint64_t>> exited_order_;
  size_t exited_count_ = 0;
};

}  // namespace warden
