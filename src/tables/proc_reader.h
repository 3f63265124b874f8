// Reading and parsing the per-process files of /proc/<pid>/ that the process
// tables share: which pids to visit, stat, status, io, cmdline, environ,
// cgroup, namespace links and open file descriptors.
//
// Contract:
//   - Every read goes through a HostFs, so the live host, a --root image and
//     the fixture trees under tests/fixtures/process all work the same way.
//   - Parsers are pure functions over text: they never crash or throw on
//     truncated, oversized or binary input, and return false (or an empty
//     value) instead of guessing.
//   - Readers return the HostFs error when a file cannot be read. Processes
//     exit between listing /proc and reading their files, so callers treat any
//     error for one pid as "skip this process", never as a query failure.
// Deliberately not here: table schemas and column values (the *_table.cc
// files), and sockets (proc_sockets.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_fs.h"
#include "core/status.h"
#include "sql/table.h"

namespace warden {

// Decimal entries of /proc (one per thread-group leader), ascending.
Result<std::vector<int64_t>> ListProcessIds(const HostFs& fs);

// The pids a scan should visit: the values of `<pid_column> = N` / `IN (...)`
// when the query has such a constraint (so `WHERE pid = 1` reads only
// /proc/1), else every pid of ListProcessIds. Ascending, positive, unique.
// Constrained pids are not checked for existence: reading them fails and the
// caller skips them, which costs the same as checking.
std::vector<int64_t> PidsToScan(const QueryContext& ctx, std::string_view pid_column = "pid");

// "/proc/<pid>/<file>" (file may contain further slashes: "ns/net").
std::string ProcPidPath(int64_t pid, std::string_view file);

// The fields of /proc/<pid>/stat the tables use. Times are in clock ticks.
struct ProcStat {
  std::string comm;  // between the first '(' and the last ')': names may contain both
  char state = '?';
  int64_t ppid = 0;
  int64_t pgrp = 0;
  int64_t session = 0;
  int64_t utime_ticks = 0;
  int64_t stime_ticks = 0;
  int64_t nice = 0;
  int64_t threads = 0;
  int64_t start_ticks = 0;  // since boot
  int64_t vsize_bytes = 0;
  int64_t rss_pages = 0;
};
bool ParseProcStat(std::string_view text, ProcStat* out);

// The fields of /proc/<pid>/status the tables use. Memory is in kB as the
// kernel prints it; kernel threads have no Vm* lines and keep 0.
struct ProcStatus {
  bool has_ids = false;  // Uid: and Gid: lines were present and parsed
  int64_t real_uid = -1, effective_uid = -1, saved_uid = -1;
  int64_t real_gid = -1, effective_gid = -1, saved_gid = -1;
  int64_t vm_rss_kb = 0;
  int64_t vm_size_kb = 0;
};
bool ParseProcStatus(std::string_view text, ProcStatus* out);

// /proc/<pid>/io byte counters; false when none of them is present.
struct ProcIo {
  int64_t read_bytes = 0;
  int64_t write_bytes = 0;
  int64_t cancelled_write_bytes = 0;
};
bool ParseProcIo(std::string_view text, ProcIo* out);

// /proc/<pid>/cmdline as osquery shows it: arguments joined by single spaces,
// surrounding whitespace trimmed.
std::string JoinCommandLine(std::string_view raw);

// Calls fn(key, value) for each "KEY=value" entry of a NUL-separated
// /proc/<pid>/environ. An entry without '=' is a key with an empty value;
// empty entries are skipped.
void ForEachEnvironmentEntry(std::string_view raw,
                             const std::function<void(std::string_view, std::string_view)>& fn);

// The cgroup path of a process from /proc/<pid>/cgroup: the unified (cgroup
// v2, "0::") hierarchy's path when listed, else the first line's path. ""
// when the text has no valid line.
std::string_view ParseCgroupPath(std::string_view text);

// The inode inside "<prefix>[<inode>]" links: ("net:[4026531840]", "net:")
// and ("socket:[1234]", "socket:"). False for anything else.
bool ParseBracketedInode(std::string_view link, std::string_view prefix, uint64_t* inode);

// The inode of /proc/<pid>/ns/<kind> ("net", "mnt", ...), or 0 when the link
// cannot be read or is not "<kind>:[N]".
uint64_t ReadNamespaceInode(const HostFs& fs, int64_t pid, std::string_view kind);

// The host's boot time in seconds since the epoch (/proc/stat "btime"), or -1.
int64_t ReadBootTime(const HostFs& fs);

// Clock ticks per second (sysconf(_SC_CLK_TCK); 100 when unknown).
int64_t ClockTicksPerSecond();

// Reading /proc is system-call bound and the kernel serves readers on
// different CPUs in parallel, so full scans split their pids into contiguous
// chunks, one per thread. ParallelChunkCount says how many chunks `count`
// items make: 1 (run inline, no thread) below 2 * min_per_chunk items, else
// up to the number of hardware threads (at most 8). RunChunks then calls
// work(chunk, begin, end) for each chunk, the first on the calling thread,
// and returns when all are done. `work` must be safe to run concurrently
// (HostFs is). If a thread cannot be started its chunk runs inline.
size_t ParallelChunkCount(size_t count, size_t min_per_chunk);
void RunChunks(size_t count, size_t chunks,
               const std::function<void(size_t chunk, size_t begin, size_t end)>& work);

struct FileDescriptor {
  int64_t fd = -1;
  std::string target;  // the link: "/etc/passwd", "socket:[123]", "pipe:[45]", ...
};
// Calls fn for each open descriptor of pid in directory order. Descriptors
// closed while listing are skipped. Errors when /proc/<pid>/fd cannot be
// listed (the process exited, or access is denied) or a link cannot be read
// for lack of permission (then no further link is tried).
Status ForEachFileDescriptor(const HostFs& fs, int64_t pid,
                             const std::function<void(int64_t fd, std::string_view target)>& fn);
// The same, collected and sorted by fd.
Result<std::vector<FileDescriptor>> ListFileDescriptors(const HostFs& fs, int64_t pid);

}  // namespace warden
