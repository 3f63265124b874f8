// process_memory_map: one row per mapped memory region of each process, from
// /proc/<pid>/maps, in osquery's form: start/end as "0x"-prefixed hex text,
// offset and inode as integers, pseudo = 1 for regions with a name but no
// backing inode ([heap], [stack], [vdso], ...). `WHERE pid = N` reads only
// that process; processes that exit or hide their maps give no rows.
#include <array>

#include "core/strings.h"
#include "tables/proc_reader.h"
#include "tables/process_tables.h"

namespace warden {
namespace {

enum MemoryMapColumn : int {
  kPid,
  kStart,
  kEnd,
  kPermissions,
  kOffset,
  kDevice,
  kInode,
  kPath,
  kPseudo,
};

// One maps line: "start-end perms offset dev inode [path]". The path starts
// after the inode's run of spaces and may itself contain spaces.
void AddMapRow(int64_t pid, std::string_view line, RowWriter& out) {
  std::array<std::string_view, 5> f;
  size_t i = 0;
  for (auto& field : f) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    field = line.substr(start, i - start);
    if (field.empty()) return;  // truncated line
  }
  size_t dash = f[0].find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == f[0].size()) return;
  int64_t offset = 0, inode = 0;
  if (!ParseInt64(f[2], &offset, 16)) offset = -1;
  if (!ParseInt64(f[4], &inode)) return;
  std::string_view path = TrimWhitespace(line.substr(i));

  Row& row = out.Add();
  row.Set(kPid, Value(pid));
  row.Set(kStart, Value("0x" + std::string(f[0].substr(0, dash))));
  row.Set(kEnd, Value("0x" + std::string(f[0].substr(dash + 1))));
  row.Set(kPermissions, Value(std::string(f[1])));
  row.Set(kOffset, Value(offset));
  row.Set(kDevice, Value(std::string(f[3])));
  row.Set(kInode, Value(inode));
  row.Set(kPath, Value(std::string(path)));
  row.Set(kPseudo, Value(int64_t{inode == 0 && !path.empty() ? 1 : 0}));
}

Status GenerateProcessMemoryMap(const QueryContext& ctx, RowWriter& out) {
  const HostFs& fs = ctx.fs();
  for (int64_t pid : PidsToScan(ctx)) {
    if (ctx.Cancelled()) break;
    auto maps = fs.ReadFile(ProcPidPath(pid, "maps"));
    if (!maps.ok()) continue;
    std::string_view rest = *maps;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      AddMapRow(pid, rest.substr(0, nl), out);
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
  }
  return Status::Ok();
}

}  // namespace

void RegisterProcessMemoryMapTable(TableRegistry& r) {
  using T = ColumnType;
  r.Add(TableSchema{"process_memory_map",
                    "Memory regions mapped by each running process (/proc/<pid>/maps).",
                    {{"pid", T::kInteger, kIndex | kOptimized, "", ""},
                     {"start", T::kText, kNone, "", ""},
                     {"end", T::kText, kNone, "", ""},
                     {"permissions", T::kText, kNone, "", ""},
                     {"offset", T::kBigInt, kNone, "", ""},
                     {"device", T::kText, kNone, "", ""},
                     {"inode", T::kInteger, kNone, "", ""},
                     {"path", T::kText, kNone, "", ""},
                     {"pseudo", T::kInteger, kNone, "", ""}}},
        GenerateProcessMemoryMap);
}

}  // namespace warden
