// process_envs: one row per environment variable of each process, from the
// NUL-separated /proc/<pid>/environ (the environment the process started
// with; later setenv() calls are invisible to the kernel). `WHERE pid = N`
// reads only that process. Processes that exit, or whose environ is not
// readable (other users' processes when not root), give no rows.
#include "tables/proc_reader.h"
#include "tables/process_tables.h"

namespace warden {
namespace {

enum ProcessEnvColumn : int { kPid, kKey, kValue };

Status GenerateProcessEnvs(const QueryContext& ctx, RowWriter& out) {
  const HostFs& fs = ctx.fs();
  for (int64_t pid : PidsToScan(ctx)) {
    if (ctx.Cancelled()) break;
    auto environ = fs.ReadProcFile(ProcPidPath(pid, "environ"));
    if (!environ.ok()) continue;
    ForEachEnvironmentEntry(*environ, [&](std::string_view key, std::string_view value) {
      Row& row = out.Add();
      row.Set(kPid, Value(pid));
      row.Set(kKey, Value(std::string(key)));
      row.Set(kValue, Value(std::string(value)));
    });
  }
  return Status::Ok();
}

}  // namespace

void RegisterProcessEnvsTable(TableRegistry& r) {
  r.Add(TableSchema{"process_envs",
                    "Environment variables of running processes, as each process started.",
                    {{"pid", ColumnType::kInteger, kIndex | kOptimized, "", ""},
                     {"key", ColumnType::kText, kNone, "", ""},
                     {"value", ColumnType::kText, kNone, "", ""}}},
        GenerateProcessEnvs);
}

}  // namespace warden
