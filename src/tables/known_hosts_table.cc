// The known_hosts table: the host keys each local user's SSH client trusts,
// from ~/.ssh/known_hosts of every account in /etc/passwd (or only the uids a
// query asks for). As in osquery, `key` is the whole trimmed line (markers,
// host patterns or their hashes, key type and key), one row per line that is
// not blank or a comment. The system-wide /etc/ssh/ssh_known_hosts is not a
// per-user file and is not read. The file is the user's: it is read under
// HostFs's user-area rule (no symlink out of the home, no FIFO, the user's
// own file, at most kMaxKnownHostsBytes); a file the rule refuses gives no
// rows. known_hosts_parser.h parses it.
#include "tables/known_hosts_parser.h"
#include "tables/user_home_dirs.h"
#include "tables/user_tables.h"

namespace warden {

namespace {
constexpr size_t kMaxKnownHostsBytes = 16u << 20;
constexpr const char* kKnownHostsFile = ".ssh/known_hosts";
}  // namespace

void RegisterKnownHostsTable(TableRegistry& r) {
  r.Add(TableSchema{"known_hosts",
                    "Host keys trusted by each local user's SSH client (~/.ssh/known_hosts).",
                    {{"uid", ColumnType::kBigInt, kIndex | kOptimized, "",
                      "The local user that owns the known_hosts file"},
                     {"key", ColumnType::kText, kNone, "", "parsed authorized keys line"},
                     {"key_file", ColumnType::kText, kNone, "", "Path to known_hosts file"}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          for (const PasswdEntry& user : UsersToScan(ctx)) {
            if (ctx.Cancelled()) break;
            auto text = ctx.fs().ReadUserFile(HomeArea(user), kKnownHostsFile, kMaxKnownHostsBytes,
                                              CancelCheck(ctx));
            if (!text.ok()) continue;
            std::string path = HomeFilePath(user.home, kKnownHostsFile);
            for (std::string_view line : ParseKnownHosts(*text)) {
              Row& row = out.Add();
              row.Set("uid", static_cast<int64_t>(user.uid));
              row.Set("key", line);
              row.Set("key_file", path);
            }
          }
          return Status::Ok();
        });
}

}  // namespace warden
