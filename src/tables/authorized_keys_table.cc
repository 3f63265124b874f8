// The authorized_keys table: the public keys that may log in as each local
// user, from ~/.ssh/authorized_keys and ~/.ssh/authorized_keys2 of every
// account in /etc/passwd (or only the uids a query asks for). One row per key
// line, with its options (from="...", command="...": NULL when none) and
// comment. sshd's AuthorizedKeysFile setting is not consulted: these are the
// default locations osquery reads. Unreadable or missing files are skipped,
// and so are those HostFs's user-area rule refuses (a symlink out of the
// home, a FIFO, another user's file, more than kMaxAuthorizedKeysBytes).
#include "tables/ssh_authorized_key_line.h"
#include "tables/user_home_dirs.h"
#include "tables/user_tables.h"

namespace warden {

namespace {
constexpr size_t kMaxAuthorizedKeysBytes = 16u << 20;
}  // namespace

void RegisterAuthorizedKeysTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "authorized_keys",
          "Public keys authorized to log in as each local user (~/.ssh/authorized_keys).",
          {{"uid", ColumnType::kBigInt, kAdditional, "", "The local owner of authorized_keys file"},
           {"algorithm", ColumnType::kText, kNone, "", "Key type"},
           {"key", ColumnType::kText, kNone, "", "Key encoded as base64"},
           {"options", ColumnType::kText, kNone, "", "Optional list of login options"},
           {"comment", ColumnType::kText, kNone, "", "Optional comment"},
           {"key_file", ColumnType::kText, kNone, "", "Path to the authorized_keys file"},
           {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput, "",
            "Pids that contain a namespace (accepted, not used)"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        for (const PasswdEntry& user : UsersToScan(ctx)) {
          if (ctx.Cancelled()) break;
          for (const char* name : {".ssh/authorized_keys", ".ssh/authorized_keys2"}) {
            auto text = ctx.fs().ReadUserFile(HomeArea(user), name, kMaxAuthorizedKeysBytes,
                                              CancelCheck(ctx));
            if (!text.ok()) continue;
            std::string path = HomeFilePath(user.home, name);
            for (AuthorizedKey& key : ParseAuthorizedKeys(*text)) {
              Row& row = out.Add();
              row.Set("uid", static_cast<int64_t>(user.uid));
              row.Set("algorithm", std::move(key.algorithm));
              row.Set("key", std::move(key.key));
              if (key.options) row.Set("options", std::move(*key.options));
              if (key.comment) row.Set("comment", std::move(*key.comment));
              row.Set("key_file", path);
            }
          }
        }
        return Status::Ok();
      });
}

}  // namespace warden
