#include "ebpf/process_table.h"

#include <algorithm>
#include <unordered_set>

#include "core/strings.h"
#include "tables/proc_reader.h"

namespace warden {

namespace {

std::string Capped(std::string_view s, size_t max) {
  return std::string(s.substr(0, std::min(s.size(), max)));
}

std::string NameOf(const std::string& exec_path, const std::string& exe, const std::string& comm) {
  if (!exec_path.empty()) return std::string(PathBaseName(exec_path));
  if (!exe.empty()) return std::string(PathBaseName(exe));
  return comm;
}

}  // namespace

ProcessTable::ProcessTable(size_t capacity) : capacity_(std::max<size_t>(capacity, 16)) {}

const ProcessRecord* ProcessTable::Find(int64_t pid) const {
  auto it = entries_.find(pid);
  return it == entries_.end() ? nullptr : &it->second.record;
}

ProcessRecord& ProcessTable::Upsert(int64_t pid) {
  auto [it, inserted] = entries_.try_emplace(pid);
  Entry& e = it->second;
  if (!inserted && !e.record.exited) return e.record;
  if (!inserted) --exited_count_;  // a pid reused after its process exited
  e.record = ProcessRecord();
  e.record.pid = pid;
  e.generation = next_generation_++;
  insert_order_.emplace_back(pid, e.generation);
  if (insert_order_.size() > 2 * capacity_ + 16) CompactInsertOrder();
  Enforce();
  return entries_.find(pid)->second.record;  // Enforce never evicts the newest entry
}

void ProcessTable::MarkExited(int64_t pid) {
  auto it = entries_.find(pid);
  if (it == entries_.end() || it->second.record.exited) return;
  it->second.record.exited = true;
  ++exited_count_;
  exited_order_.emplace_back(pid, it->second.generation);
  const size_t exited_limit = capacity_ / 4;
  while (exited_count_ > exited_limit && !exited_order_.empty()) {
    auto [old_pid, generation] = exited_order_.front();
    exited_order_.pop_front();
    auto old = entries_.find(old_pid);
    if (old != entries_.end() && old->second.generation == generation &&
        old->second.record.exited) {
      entries_.erase(old);
      --exited_count_;
    }
  }
  if (exited_order_.size() > 2 * exited_limit + 16) {
    // Drop pairs whose entry was reused or erased.
    std::deque<std::pair<int64_t, uint64_t>> live;
    for (const auto& [p, g] : exited_order_) {
      auto e = entries_.find(p);
      if (e != entries_.end() && e->second.generation == g && e->second.record.exited)
        live.emplace_back(p, g);
    }
    exited_order_.swap(live);
  }
}

void ProcessTable::Enforce() {
  while (entries_.size() > capacity_ && !exited_order_.empty()) {
    auto [pid, generation] = exited_order_.front();
    exited_order_.pop_front();
    auto it = entries_.find(pid);
    if (it != entries_.end() && it->second.generation == generation && it->second.record.exited) {
      entries_.erase(it);
      --exited_count_;
    }
  }
  while (entries_.size() > capacity_ && insert_order_.size() > 1) {
    auto [pid, generation] = insert_order_.front();
    insert_order_.pop_front();
    auto it = entries_.find(pid);
    if (it == entries_.end() || it->second.generation != generation) continue;
    if (it->second.record.exited)
      --exited_count_;
    else
      ++evictions_;
    entries_.erase(it);
  }
}

void ProcessTable::CompactInsertOrder() {
  std::deque<std::pair<int64_t, uint64_t>> live;
  for (const auto& [pid, generation] : insert_order_) {
    auto it = entries_.find(pid);
    if (it != entries_.end() && it->second.generation == generation)
      live.emplace_back(pid, generation);
  }
  insert_order_.swap(live);
}

size_t ProcessTable::LoadSnapshot(const HostFs& fs) {
  auto pids = ListProcessIds(fs);
  if (!pids.ok()) return 0;
  const int64_t ticks = ClockTicksPerSecond();
  size_t added = 0;
  for (int64_t pid : *pids) {
    auto stat_text = fs.ReadFile(ProcPidPath(pid, "stat"), 4096);
    ProcStat stat;
    if (!stat_text.ok() || !ParseProcStat(*stat_text, &stat)) continue;
    ProcessRecord& r = Upsert(pid);
    r.ppid = stat.ppid;
    r.start_boot_ns =
        static_cast<uint64_t>(stat.start_ticks) * (1000000000ull / static_cast<uint64_t>(ticks));
    r.from_snapshot = true;
    if (auto status_text = fs.ReadFile(ProcPidPath(pid, "status"), 16384); status_text.ok()) {
      ProcStatus status;
      if (ParseProcStatus(*status_text, &status) && status.has_ids) {
        r.uid = status.real_uid;
        r.euid = status.effective_uid;
        r.gid = status.real_gid;
      }
    }
    if (auto exe = fs.ReadLink(ProcPidPath(pid, "exe")); exe.ok()) {
      std::string_view e = *exe;
      if (EndsWith(e, " (deleted)")) e.remove_suffix(10);
      r.exe = Capped(e, kMaxPath);
    }
    if (auto cmdline = fs.ReadFile(ProcPidPath(pid, "cmdline"), kMaxCommandLine * 4); cmdline.ok())
      r.cmdline = Capped(JoinCommandLine(*cmdline), kMaxCommandLine);
    if (auto cgroup = fs.ReadFile(ProcPidPath(pid, "cgroup"), 16384); cgroup.ok()) {
      std::string path = "/sys/fs/cgroup" + std::string(ParseCgroupPath(*cgroup));
      if (auto st = fs.Stat(path); st.ok()) r.cgroup_id = st->st_ino;
    }
    r.name = NameOf("", r.exe, stat.comm);
    ++added;
  }
  return added;
}

void ProcessTable::Apply(HostEvent& event, int64_t* previous_uid, int64_t* previous_euid) {
  switch (event.kind) {
    case HostEventKind::kFork: {
      ProcessRecord inherited;
      if (const ProcessRecord* parent = Find(event.ppid)) inherited = *parent;
      ProcessRecord& r = Upsert(event.pid);
      r.ppid = event.ppid;
      r.exe = std::move(inherited.exe);
      r.exec_path = std::move(inherited.exec_path);
      r.cmdline = std::move(inherited.cmdline);
      r.name = inherited.name.empty() ? event.comm : std::move(inherited.name);
      r.stdio = inherited.stdio;
      r.uid = event.uid;
      r.euid = event.euid;
      r.gid = event.gid;
      r.cgroup_id = event.cgroup_id;
      r.start_boot_ns = event.boot_ns;
      if (event.exe.empty()) event.exe = r.exe;
      return;
    }
    case HostEventKind::kExec: {
      ProcessRecord& r = Upsert(event.pid);
      r.ppid = event.ppid;
      r.uid = event.uid;
      r.euid = event.euid;
      r.gid = event.gid;
      if (event.cgroup_id != 0) r.cgroup_id = event.cgroup_id;
      if (event.start_boot_ns != 0) r.start_boot_ns = event.start_boot_ns;
      if (!event.exe.empty()) r.exe = Capped(event.exe, kMaxPath);
      if (!event.exec_path.empty()) r.exec_path = Capped(event.exec_path, kMaxPath);
      if (!event.argv.empty()) r.cmdline = Capped(event.CommandLine(), kMaxCommandLine);
      r.name = NameOf(r.exec_path, r.exe, event.comm);
      r.stdio = event.stdio;
      r.from_snapshot = false;
      return;
    }
    case HostEventKind::kExit: {
      if (const ProcessRecord* r = Find(event.pid); r != nullptr) {
        if (event.exe.empty()) event.exe = r->exe;
        if (event.ppid <= 0) event.ppid = r->ppid;  // the proc connector does not say
      }
      MarkExited(event.pid);
      return;
    }
    case HostEventKind::kSetId: {
      ProcessRecord* r = nullptr;
      if (auto it = entries_.find(event.pid); it != entries_.end()) r = &it->second.record;
      if (previous_uid != nullptr) *previous_uid = r != nullptr ? r->uid : -1;
      if (previous_euid != nullptr) *previous_euid = r != nullptr ? r->euid : -1;
      if (r != nullptr && event.result == 0) {
        r->uid = event.uid;
        r->euid = event.euid;
        r->gid = event.gid;
      }
      if (r != nullptr && event.exe.empty()) event.exe = r->exe;
      return;
    }
    default: {
      // A process we have not seen start (its fork was before the snapshot
      // or lost): remember what the event tells, inheriting from the parent.
      if (Find(event.pid) == nullptr && event.pid > 0) {
        ProcessRecord inherited;
        if (const ProcessRecord* parent = Find(event.ppid)) inherited = *parent;
        ProcessRecord& r = Upsert(event.pid);
        r.ppid = event.ppid;
        r.exe = std::move(inherited.exe);
        r.cmdline = std::move(inherited.cmdline);
        r.name = event.comm.empty() ? std::move(inherited.name) : event.comm;
        r.uid = event.uid;
        r.euid = event.euid;
        r.gid = event.gid;
        r.cgroup_id = event.cgroup_id;
      }
      if (event.exe.empty()) {
        if (const ProcessRecord* r = Find(event.pid)) event.exe = r->exe;
      }
      return;
    }
  }
}

std::optional<HostEvent> ProcessTable::InferredCredentialChange(const HostEvent& event) const {
  int64_t actor = event.pid;
  switch (event.kind) {
    case HostEventKind::kFork:
      actor = event.ppid;
      break;
    case HostEventKind::kAccept:
    case HostEventKind::kSetId:
      return std::nullopt;
    default:
      break;
  }
  if (event.uid < 0 || event.euid < 0 || event.gid < 0) return std::nullopt;
  const ProcessRecord* r = Find(actor);
  if (r == nullptr || r->exited || r->uid < 0 || r->euid < 0) return std::nullopt;
  bool effective_explained = event.kind == HostEventKind::kExec && event.exe_setid;
  bool changed = r->uid != event.uid || (r->gid >= 0 && r->gid != event.gid) ||
                 (!effective_explained && r->euid != event.euid);
  if (!changed) return std::nullopt;
  HostEvent change;
  change.kind = HostEventKind::kSetId;
  change.origin = event.origin;
  change.time_ns = event.time_ns;
  change.boot_ns = event.boot_ns;
  change.pid = change.tid = actor;
  change.ppid = r->ppid;
  change.uid = event.uid;
  change.gid = event.gid;
  change.euid = effective_explained ? r->euid : event.euid;
  change.egid = event.egid;
  change.cgroup_id = r->cgroup_id;
  change.comm = r->name.substr(0, 15);
  change.exe = r->exe;
  change.syscall = "credential_change";
  return change;
}

std::vector<const ProcessRecord*> ProcessTable::Ancestry(int64_t pid, size_t max_depth) const {
  std::vector<const ProcessRecord*> chain;
  const ProcessRecord* self = Find(pid);
  if (self == nullptr) return chain;
  int64_t next = self->ppid;
  std::unordered_set<int64_t> seen{pid};
  while (chain.size() < max_depth && next > 0 && seen.insert(next).second) {
    const ProcessRecord* r = Find(next);
    if (r == nullptr) break;
    chain.push_back(r);
    next = r->ppid;
  }
  return chain;
}

}  // namespace warden
