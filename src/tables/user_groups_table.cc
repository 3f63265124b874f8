// The user_groups table: which groups each local user belongs to, one
// (uid, gid) row per membership: the primary gid from /etc/passwd first, then
// every /etc/group line that lists the user, as getgrouplist(3) reports them
// (osquery's source). A uid on several passwd lines is listed once, for its
// first account, as in osquery.
#include <cstdint>
#include <set>

#include "tables/passwd_reader.h"
#include "tables/user_tables.h"

namespace warden {

void RegisterUserGroupsTable(TableRegistry& r) {
  r.Add(TableSchema{"user_groups",
                    "Local user-to-group memberships (primary and supplementary).",
                    {{"uid", ColumnType::kBigInt, kIndex | kOptimized, "", "User ID"},
                     {"gid", ColumnType::kBigInt, kIndex, "", "Group ID"}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          std::vector<PasswdEntry> users = ReadPasswd(ctx.fs());
          std::vector<GroupEntry> groups = ReadGroup(ctx.fs());
          auto emit = [&](const PasswdEntry& u) {
            for (uint32_t gid : GroupIdsOfUser(u, groups)) {
              Row& row = out.Add();
              row.Set("uid", static_cast<int64_t>(u.uid));
              row.Set("gid", static_cast<int64_t>(gid));
            }
          };
          if (auto uids = ctx.IntegerEquals("uid")) {
            for (int64_t uid : *uids) {
              if (uid < 0 || uid > static_cast<int64_t>(UINT32_MAX)) continue;
              if (const PasswdEntry* u = FindUserByUid(users, static_cast<uint32_t>(uid))) emit(*u);
            }
            return Status::Ok();
          }
          std::set<uint32_t> seen;
          for (const PasswdEntry& u : users) {
            if (ctx.Cancelled()) break;
            if (seen.insert(u.uid).second) emit(u);
          }
          return Status::Ok();
        });
}

}  // namespace warden
