// process_open_pipes: the pipe ends (anonymous "pipe:[inode]" descriptors
// and named FIFOs) each process holds, paired with the other processes'
// ends of the same pipe: one row per (end, partner end) where one reads and
// the other writes (or either end is read-write); an end whose pipe has no
// other end gets one row without a partner. As in osquery.
//
// The open mode comes from /proc/<pid>/fdinfo/<fd> "flags" (O_ACCMODE),
// falling back to the permission bits of the fd link. Partners can be any
// process, so every process's descriptors are listed even with `pid = N`;
// the filter then saves the fdinfo reads and FIFO stats of unrelated pipes.
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/strings.h"
#include "tables/proc_reader.h"
#include "tables/process_tables.h"

namespace warden {
namespace {

enum OpenPipeColumn : int {
  kPid,
  kFd,
  kMode,
  kInode,
  kType,
  kPartnerPid,
  kPartnerFd,
  kPartnerMode,
};

struct PipeEnd {
  int64_t pid;
  int64_t fd;
  std::string mode;  // "r", "w", "rw", or "-" when unknown
  uint64_t inode;
  bool named;
};

std::string OpenMode(const HostFs& fs, int64_t pid, int64_t fd) {
  std::string fd_name = std::to_string(fd);
  if (auto info = fs.ReadProcFile(ProcPidPath(pid, "fdinfo/" + fd_name)); info.ok()) {
    std::string_view text = *info;
    size_t pos = text.find("flags:");
    if (pos != std::string_view::npos) {
      std::string_view value = text.substr(pos + 6);
      value = value.substr(0, value.find('\n'));
      int64_t flags = 0;
      if (ParseInt64(value, &flags, 8)) {
        switch (flags & 3) {  // O_ACCMODE
          case 0:
            return "r";
          case 1:
            return "w";
          default:
            return "rw";
        }
      }
    }
  }
  // The fd link's owner bits mirror the open mode: lr-x = read, l-wx = write.
  auto st = fs.Lstat(ProcPidPath(pid, "fd/" + fd_name));
  if (!st.ok()) return "-";
  std::string mode;
  if (st->st_mode & (S_IRUSR | S_IRGRP | S_IROTH)) mode += 'r';
  if (st->st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) mode += 'w';
  return mode.empty() ? "-" : mode;
}

// Appends the pipe ends of one process. With `only`, ends of other pipes are
// dropped before their mode is read; named FIFOs are found by stat()ing each
// path descriptor, which `stat_paths` = false skips.
void CollectPipeEnds(const HostFs& fs, int64_t pid, const std::unordered_set<uint64_t>* only,
                     bool stat_paths, std::vector<PipeEnd>* ends) {
  // Errors: the process exited or hides its descriptors. Skip it.
  (void)ForEachFileDescriptor(fs, pid, [&](int64_t fd, std::string_view target) {
    uint64_t inode = 0;
    bool named = false;
    if (ParseBracketedInode(target, "pipe:", &inode)) {
      named = false;
    } else if (stat_paths && StartsWith(target, "/")) {
      auto st = fs.Stat(target);
      if (!st.ok() || !S_ISFIFO(st->st_mode)) return;
      inode = st->st_ino;
      named = true;
    } else {
      return;
    }
    if (only != nullptr && only->count(inode) == 0) return;
    ends->push_back(PipeEnd{pid, fd, OpenMode(fs, pid, fd), inode, named});
  });
}

void SetEnd(Row& row, const PipeEnd& end) {
  row.Set(kPid, Value(end.pid));
  row.Set(kFd, Value(end.fd));
  row.Set(kMode, Value(end.mode));
  row.Set(kInode, Value(static_cast<int64_t>(end.inode)));
  row.Set(kType, Value(std::string(end.named ? "named" : "anonymous")));
}

Status GenerateProcessOpenPipes(const QueryContext& ctx, RowWriter& out) {
  const HostFs& fs = ctx.fs();
  auto wanted = ctx.IntegerEquals("pid");
  std::vector<int64_t> all;
  if (auto listed = ListProcessIds(fs); listed.ok()) all = std::move(listed).value();

  std::vector<PipeEnd> ends;
  if (!wanted) {
    for (int64_t pid : all) {
      if (ctx.Cancelled()) return Status::Ok();
      CollectPipeEnds(fs, pid, nullptr, true, &ends);
    }
  } else {
    // The wanted processes' pipes first; then, because partners decide how
    // many rows an end has, the other processes' ends of those same pipes.
    for (int64_t pid : *wanted)
      if (pid > 0) CollectPipeEnds(fs, pid, nullptr, true, &ends);
    std::unordered_set<uint64_t> inodes;
    bool any_named = false;
    for (const auto& e : ends) {
      inodes.insert(e.inode);
      any_named = any_named || e.named;
    }
    if (!inodes.empty()) {
      for (int64_t pid : all) {
        if (ctx.Cancelled()) return Status::Ok();
        if (std::binary_search(wanted->begin(), wanted->end(), pid)) continue;
        CollectPipeEnds(fs, pid, &inodes, any_named, &ends);
      }
    }
  }
  std::sort(ends.begin(), ends.end(), [](const PipeEnd& a, const PipeEnd& b) {
    return a.pid != b.pid ? a.pid < b.pid : a.fd < b.fd;
  });
  std::map<uint64_t, std::vector<const PipeEnd*>> by_inode;
  for (const auto& e : ends) by_inode[e.inode].push_back(&e);

  for (const auto& end : ends) {
    if (wanted && !std::binary_search(wanted->begin(), wanted->end(), end.pid)) continue;
    const auto& same_pipe = by_inode[end.inode];
    if (same_pipe.size() == 1) {
      SetEnd(out.Add(), end);
      continue;
    }
    for (const PipeEnd* other : same_pipe) {
      if (other == &end) continue;
      // Two readers (or two writers) of one pipe do not talk to each other.
      if (other->mode == end.mode && end.mode != "rw") continue;
      Row& row = out.Add();
      SetEnd(row, end);
      row.Set(kPartnerPid, Value(other->pid));
      row.Set(kPartnerFd, Value(other->fd));
      row.Set(kPartnerMode, Value(other->mode));
    }
  }
  return Status::Ok();
}

}  // namespace

void RegisterProcessOpenPipesTable(TableRegistry& r) {
  using T = ColumnType;
  r.Add(TableSchema{"process_open_pipes",
                    "Pipes and FIFOs held open by processes, with the process at the other end.",
                    {{"pid", T::kBigInt, kNone, "", ""},
                     {"fd", T::kBigInt, kNone, "", ""},
                     {"mode", T::kText, kNone, "", ""},
                     {"inode", T::kBigInt, kNone, "", ""},
                     {"type", T::kText, kNone, "", ""},
                     {"partner_pid", T::kBigInt, kNone, "", ""},
                     {"partner_fd", T::kBigInt, kNone, "", ""},
                     {"partner_mode", T::kText, kNone, "", ""}}},
        GenerateProcessOpenPipes);
}

}  // namespace warden
