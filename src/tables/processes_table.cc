// processes: one row per process, from /proc/<pid>/{stat,status,cmdline,io,
// cgroup} and the exe/cwd/root links, in osquery's units: start_time in
// seconds since the epoch, user_time/system_time in milliseconds,
// resident_size/total_size in bytes, state as the kernel's letter.
//
// Cost control: `WHERE pid = N` (or IN) reads only those /proc/<pid>
// directories, and each file is read only when a column that needs it is
// used, so `SELECT pid, name FROM processes` reads one file per process.
// Full scans read processes on several threads (the reads are system calls,
// served in parallel); rows are then written in pid order on the query's
// thread. Processes that exit during the scan are skipped silently.
//
// Differences from osquery, on purpose: resident_size/total_size are kB * 1024
// (osquery appends "000"), kernel threads report 0 instead of an empty value,
// and cgroup_path prefers the unified (v2) hierarchy's line on hybrid hosts.
// The Windows/macOS-only columns osquery declares as hidden are accepted and
// always NULL.
#include <string>
#include <unordered_map>
#include <vector>

#include "core/strings.h"
#include "tables/proc_reader.h"
#include "tables/process_tables.h"

namespace warden {
namespace {

// Column positions; must follow the schema order below.
enum ProcessColumn : int {
  kPid,
  kName,
  kPath,
  kCmdline,
  kState,
  kCwd,
  kRoot,
  kUid,
  kGid,
  kEuid,
  kEgid,
  kSuid,
  kSgid,
  kOnDisk,
  kWiredSize,
  kResidentSize,
  kTotalSize,
  kUserTime,
  kSystemTime,
  kDiskBytesRead,
  kDiskBytesWritten,
  kStartTime,
  kParent,
  kPgroup,
  kThreads,
  kNice,
  kCgroupPath,
};

TableSchema ProcessesSchema() {
  auto col = [](const char* name, ColumnType type, uint32_t options = kNone) {
    return Column{name, type, options, "", ""};
  };
  using T = ColumnType;
  return TableSchema{
      "processes",
      "All running processes on the host: identity, owner, state, memory, CPU time and I/O.",
      {
          col("pid", T::kBigInt, kIndex | kOptimized),
          col("name", T::kText),
          col("path", T::kText),
          col("cmdline", T::kText),
          col("state", T::kText),
          col("cwd", T::kText),
          col("root", T::kText),
          col("uid", T::kBigInt),
          col("gid", T::kBigInt),
          col("euid", T::kBigInt),
          col("egid", T::kBigInt),
          col("suid", T::kBigInt),
          col("sgid", T::kBigInt),
          col("on_disk", T::kInteger),
          col("wired_size", T::kBigInt),
          col("resident_size", T::kBigInt),
          col("total_size", T::kBigInt),
          col("user_time", T::kBigInt),
          col("system_time", T::kBigInt),
          col("disk_bytes_read", T::kBigInt),
          col("disk_bytes_written", T::kBigInt),
          col("start_time", T::kBigInt),
          col("parent", T::kBigInt),
          col("pgroup", T::kBigInt),
          col("threads", T::kInteger),
          col("nice", T::kInteger),
          col("cgroup_path", T::kText),
          // osquery's columns of other platforms, hidden so that portable
          // queries naming them still run.
          col("elevated_token", T::kInteger, kHidden),
          col("secure_process", T::kInteger, kHidden),
          col("protection_type", T::kText, kHidden),
          col("virtual_process", T::kInteger, kHidden),
          col("elapsed_time", T::kBigInt, kHidden),
          col("handle_count", T::kBigInt, kHidden),
          col("percent_processor_time", T::kBigInt, kHidden),
          col("upid", T::kBigInt, kHidden),
          col("uppid", T::kBigInt, kHidden),
          col("cpu_type", T::kInteger, kHidden),
          col("cpu_subtype", T::kInteger, kHidden),
          col("translated", T::kInteger, kHidden),
      }};
}

// Which files a query needs, decided once per scan from the used columns.
struct ProcessReadPlan {
  bool status = false;  // uid/gid/euid/egid/suid/sgid, resident_size, total_size
  bool exe = false;     // path, on_disk
  bool on_disk = false;
  bool cmdline = false;
  bool cwd = false;
  bool root = false;
  bool io = false;  // disk_bytes_read/written
  bool cgroup = false;
  bool start_time = false;

  explicit ProcessReadPlan(const QueryContext& ctx) {
    for (int c : {kUid, kGid, kEuid, kEgid, kSuid, kSgid, kResidentSize, kTotalSize})
      status = status || ctx.IsUsed(c);
    on_disk = ctx.IsUsed(kOnDisk);
    exe = on_disk || ctx.IsUsed(kPath);
    cmdline = ctx.IsUsed(kCmdline);
    cwd = ctx.IsUsed(kCwd);
    root = ctx.IsUsed(kRoot);
    io = ctx.IsUsed(kDiskBytesRead) || ctx.IsUsed(kDiskBytesWritten);
    cgroup = ctx.IsUsed(kCgroupPath);
    start_time = ctx.IsUsed(kStartTime);
  }
};

Value Int(int64_t v) { return Value(v); }

// What the files of one process say, read on a worker thread; turned into a
// row on the query's thread (RowWriter is not thread-safe).
struct ProcessRecord {
  bool alive = false;  // stat was read: the process existed
  ProcStat stat;
  ProcStatus status;
  bool have_status = false;
  std::string path;
  int64_t on_disk = -1;
  std::string cwd, root, cmdline, cgroup_path;
  ProcIo io;
  bool have_io = false;
};

// on_disk answers per executable path, shared by the processes of one chunk
// (thousands of workers of one program need one stat, not thousands).
using OnDiskCache = std::unordered_map<std::string, bool>;

bool ExistsCached(const HostFs& fs, const std::string& path, OnDiskCache& cache) {
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  bool exists = fs.Exists(path);
  cache.emplace(path, exists);
  return exists;
}

// path and on_disk from the exe link. on_disk is osquery's tristate: -1 when
// the link cannot be read (kernel threads, no permission), 0 when the binary
// was deleted or is not at that path, 1 when it is.
void ReadExecutable(const HostFs& fs, int64_t pid, const ProcessReadPlan& plan, OnDiskCache& cache,
                    ProcessRecord& rec) {
  auto exe = fs.ReadLink(ProcPidPath(pid, "exe"));
  if (!exe.ok() || exe->empty()) return;
  rec.path = std::move(exe).value();
  static constexpr std::string_view kDeleted = " (deleted)";
  // A file really named "... (deleted)" is possible, hence the check.
  bool deleted = EndsWith(rec.path, kDeleted) && !fs.Exists(rec.path);
  if (deleted) rec.path.resize(rec.path.size() - kDeleted.size());
  if (plan.on_disk) rec.on_disk = deleted ? 0 : ExistsCached(fs, rec.path, cache) ? 1 : 0;
}

std::string ReadLinkOrEmpty(const HostFs& fs, int64_t pid, std::string_view file) {
  auto link = fs.ReadLink(ProcPidPath(pid, file));
  return link.ok() ? std::move(link).value() : std::string();
}

// Reads what the plan needs of one process. Only stat is mandatory: when it
// cannot be read the process has exited and rec.alive stays false. A status
// that cannot be read leaves ids and memory NULL rather than hiding a live
// process; other unreadable files give "" (osquery) or NULL (numbers).
void ReadProcess(const HostFs& fs, int64_t pid, const ProcessReadPlan& plan, OnDiskCache& cache,
                 ProcessRecord& rec) {
  auto stat_text = fs.ReadProcFile(ProcPidPath(pid, "stat"));
  if (!stat_text.ok() || !ParseProcStat(*stat_text, &rec.stat)) return;
  rec.alive = true;
  if (plan.status) {
    auto text = fs.ReadProcFile(ProcPidPath(pid, "status"));
    rec.have_status = text.ok() && ParseProcStatus(*text, &rec.status);
  }
  if (plan.exe) ReadExecutable(fs, pid, plan, cache, rec);
  if (plan.cwd) rec.cwd = ReadLinkOrEmpty(fs, pid, "cwd");
  if (plan.root) rec.root = ReadLinkOrEmpty(fs, pid, "root");
  if (plan.cmdline) {
    auto raw = fs.ReadProcFile(ProcPidPath(pid, "cmdline"));
    if (raw.ok()) rec.cmdline = JoinCommandLine(*raw);
  }
  if (plan.io) {
    // Needs ptrace access (root) for other users' processes.
    auto text = fs.ReadProcFile(ProcPidPath(pid, "io"));
    rec.have_io = text.ok() && ParseProcIo(*text, &rec.io);
  }
  if (plan.cgroup) {
    auto text = fs.ReadProcFile(ProcPidPath(pid, "cgroup"));
    if (text.ok()) rec.cgroup_path = ParseCgroupPath(*text);
  }
}

void AddProcessRow(int64_t pid, ProcessRecord& rec, const ProcessReadPlan& plan, int64_t boot_time,
                   RowWriter& out) {
  Row& row = out.Add();
  const int64_t ticks = ClockTicksPerSecond();
  const ProcStat& stat = rec.stat;
  row.Set(kPid, Int(pid));
  row.Set(kName, Value(std::move(rec.stat.comm)));
  row.Set(kState, Value(std::string(1, stat.state)));
  row.Set(kParent, Int(stat.ppid));
  row.Set(kPgroup, Int(stat.pgrp));
  row.Set(kThreads, Int(stat.threads));
  row.Set(kNice, Int(stat.nice));
  row.Set(kUserTime, Int(stat.utime_ticks * 1000 / ticks));
  row.Set(kSystemTime, Int(stat.stime_ticks * 1000 / ticks));
  row.Set(kWiredSize, Int(0));  // Linux has no unpageable-memory counter per process
  if (plan.start_time)
    row.Set(kStartTime, Int(boot_time > 0 ? boot_time + stat.start_ticks / ticks : -1));
  if (rec.have_status) {
    const ProcStatus& status = rec.status;
    row.Set(kUid, Int(status.real_uid));
    row.Set(kEuid, Int(status.effective_uid));
    row.Set(kSuid, Int(status.saved_uid));
    row.Set(kGid, Int(status.real_gid));
    row.Set(kEgid, Int(status.effective_gid));
    row.Set(kSgid, Int(status.saved_gid));
    row.Set(kResidentSize, Int(status.vm_rss_kb * 1024));
    row.Set(kTotalSize, Int(status.vm_size_kb * 1024));
  }
  if (plan.exe) row.Set(kPath, Value(std::move(rec.path)));
  if (plan.on_disk) row.Set(kOnDisk, Int(rec.on_disk));
  if (plan.cwd) row.Set(kCwd, Value(std::move(rec.cwd)));
  if (plan.root) row.Set(kRoot, Value(std::move(rec.root)));
  if (plan.cmdline) row.Set(kCmdline, Value(std::move(rec.cmdline)));
  if (rec.have_io) {
    row.Set(kDiskBytesRead, Int(rec.io.read_bytes));
    row.Set(kDiskBytesWritten, Int(rec.io.write_bytes - rec.io.cancelled_write_bytes));
  }
  if (plan.cgroup) row.Set(kCgroupPath, Value(std::move(rec.cgroup_path)));
}

// Below this many processes per thread, a thread costs more than it saves.
constexpr size_t kMinProcessesPerThread = 128;

Status GenerateProcesses(const QueryContext& ctx, RowWriter& out) {
  const HostFs& fs = ctx.fs();
  const ProcessReadPlan plan(ctx);
  const int64_t boot_time = plan.start_time ? ReadBootTime(fs) : -1;
  const std::vector<int64_t> pids = PidsToScan(ctx);
  std::vector<ProcessRecord> records(pids.size());
  const size_t chunks = ParallelChunkCount(pids.size(), kMinProcessesPerThread);
  RunChunks(pids.size(), chunks, [&](size_t, size_t begin, size_t end) {
    OnDiskCache cache;
    for (size_t i = begin; i < end && !ctx.Cancelled(); ++i)
      ReadProcess(fs, pids[i], plan, cache, records[i]);
  });
  if (ctx.Cancelled()) return Status::Ok();  // the engine reports the time-out
  for (size_t i = 0; i < pids.size(); ++i)
    if (records[i].alive) AddProcessRow(pids[i], records[i], plan, boot_time, out);
  return Status::Ok();
}

}  // namespace

void RegisterProcessesTable(TableRegistry& r) { r.Add(ProcessesSchema(), GenerateProcesses); }

}  // namespace warden
