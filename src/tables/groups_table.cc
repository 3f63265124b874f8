// The groups table: local groups from /etc/group. As in osquery, a gid that
// appears on several lines is listed once, with the name of its first line
// (what getgrgid answers). gid_signed reinterprets the gid as int32.
#include <cstdint>
#include <set>

#include "tables/passwd_reader.h"
#include "tables/user_tables.h"

namespace warden {

namespace {

void AddGroupRow(const GroupEntry& g, RowWriter& out) {
  Row& row = out.Add();
  row.Set("gid", static_cast<int64_t>(g.gid));
  row.Set("gid_signed", static_cast<int64_t>(static_cast<int32_t>(g.gid)));
  row.Set("groupname", g.name);
}

}  // namespace

void RegisterGroupsTable(TableRegistry& r) {
  r.Add(
      TableSchema{"groups",
                  "Local groups from /etc/group.",
                  {{"gid", ColumnType::kBigInt, kIndex, "", "Unsigned int64 group ID"},
                   {"gid_signed", ColumnType::kBigInt, kNone, "", "A signed int64 version of gid"},
                   {"groupname", ColumnType::kText, kNone, "", "Canonical local group name"},
                   {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput,
                    "", "Pids that contain a namespace (accepted, not used)"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        std::vector<GroupEntry> groups = ReadGroup(ctx.fs());
        if (auto gids = ctx.IntegerEquals("gid")) {
          for (int64_t gid : *gids) {
            if (gid < 0 || gid > static_cast<int64_t>(UINT32_MAX)) continue;
            if (const GroupEntry* g = FindGroupByGid(groups, static_cast<uint32_t>(gid)))
              AddGroupRow(*g, out);
          }
          return Status::Ok();
        }
        std::set<uint32_t> seen;
        for (const GroupEntry& g : groups)
          if (seen.insert(g.gid).second) AddGroupRow(g, out);
        return Status::Ok();
      });
}

}  // namespace warden
