// process_open_files: one row per open file descriptor of each process that
// refers to a file system object, from the links in /proc/<pid>/fd. Sockets,
// pipes and anonymous inodes (eventfd, epoll, ...) are left out, as osquery
// does: process_open_sockets and process_open_pipes cover the first two.
// `WHERE pid = N` reads only that process; processes that exit are skipped.
#include "core/strings.h"
#include "tables/proc_reader.h"
#include "tables/process_tables.h"

namespace warden {
namespace {

enum ProcessOpenFileColumn : int { kPid, kFd, kPath };

bool IsFileSystemObject(std::string_view target) {
  return !StartsWith(target, "socket:") && !StartsWith(target, "pipe:") &&
         !StartsWith(target, "anon_inode:");
}

Status GenerateProcessOpenFiles(const QueryContext& ctx, RowWriter& out) {
  const HostFs& fs = ctx.fs();
  for (int64_t pid : PidsToScan(ctx)) {
    if (ctx.Cancelled()) break;
    auto fds = ListFileDescriptors(fs, pid);
    if (!fds.ok()) continue;
    for (auto& d : *fds) {
      if (!IsFileSystemObject(d.target)) continue;
      Row& row = out.Add();
      row.Set(kPid, Value(pid));
      row.Set(kFd, Value(d.fd));
      row.Set(kPath, Value(std::move(d.target)));
    }
  }
  return Status::Ok();
}

}  // namespace

void RegisterProcessOpenFilesTable(TableRegistry& r) {
  r.Add(TableSchema{"process_open_files",
                    "Files each running process holds open (by file descriptor).",
                    {{"pid", ColumnType::kBigInt, kIndex, "", ""},
                     {"fd", ColumnType::kBigInt, kNone, "", ""},
                     {"path", ColumnType::kText, kNone, "", ""}}},
        GenerateProcessOpenFiles);
}

}  // namespace warden
