// process_namespaces: the Linux namespaces of each process, one row per
// process, each column the namespace's inode number as text (what the
// /proc/<pid>/ns/<kind> link names: "net:[4026531840]" -> "4026531840").
// A namespace kind the kernel lacks, or that cannot be read, is NULL; a
// process none of whose links can be read (it exited) has no row.
// `WHERE pid = N` reads only that process.
#include <string>

#include "tables/proc_reader.h"
#include "tables/process_tables.h"

namespace warden {
namespace {

// Column order of the schema after pid, and the /proc/<pid>/ns link names.
constexpr std::string_view kNamespaceKinds[] = {"cgroup", "ipc",  "mnt", "net",
                                                "pid",    "user", "uts"};

Status GenerateProcessNamespaces(const QueryContext& ctx, RowWriter& out) {
  const HostFs& fs = ctx.fs();
  for (int64_t pid : PidsToScan(ctx)) {
    if (ctx.Cancelled()) break;
    uint64_t inodes[std::size(kNamespaceKinds)] = {};
    bool any = false;
    for (size_t i = 0; i < std::size(kNamespaceKinds); ++i) {
      int column = 1 + static_cast<int>(i);
      if (!ctx.IsUsed(column)) continue;
      inodes[i] = ReadNamespaceInode(fs, pid, kNamespaceKinds[i]);
      any = any || inodes[i] != 0;
    }
    // Nothing read (no namespace column used, or no link readable): keep the
    // row only if the process still exists.
    if (!any && !fs.Exists(ProcPidPath(pid, "ns"))) continue;
    Row& row = out.Add();
    row.Set(0, Value(pid));
    for (size_t i = 0; i < std::size(kNamespaceKinds); ++i)
      if (inodes[i] != 0) row.Set(1 + static_cast<int>(i), Value(std::to_string(inodes[i])));
  }
  return Status::Ok();
}

}  // namespace

void RegisterProcessNamespacesTable(TableRegistry& r) {
  std::vector<Column> columns = {{"pid", ColumnType::kInteger, kIndex | kOptimized, "", ""}};
  for (std::string_view kind : kNamespaceKinds)
    columns.push_back({std::string(kind) + "_namespace", ColumnType::kText, kNone, "", ""});
  r.Add(TableSchema{"process_namespaces",
                    "Linux namespaces (cgroup, ipc, mnt, net, pid, user, uts) of each process.",
                    std::move(columns)},
        GenerateProcessNamespaces);
}

}  // namespace warden
