// The authorized_keys table: the public keys that may log in as each local
// user, from ~/.ssh/authorized_keys and ~/.ssh/authorized_keys2 of every
// account in /etc/passwd (or only the uids a query asks for). One row per key
// line, with its options (from="...", command="...": NULL when none) and
// comment. sshd's AuthorizedKeysFile setting is not consulted: these are the
// default locations osquery reads. Unreadable or missing files are skipped.
#include "core/strings.h"
#include "tables/ssh_authorized_key_line.h"
#include "tables/user_home_dirs.h"
#include "tables/user_tables.h"

namespace warden {

void RegisterAuthorizedKeysTable(TableRegistry& r) {
  r.Add(TableSchema{"authorized_keys",
                    "Public keys authorized to log in as each local user (~/.ssh/authorized_keys).",
                    {{"uid", ColumnType::kBigInt, kAdditional, "",
                      "The local owner of authorized_keys file"},
                     {"algorithm", ColumnType::kText, kNone, "", "Key type"},
                     {"key", ColumnType::kText, kNone, "", "Key encoded as base64"},
                     {"options", ColumnType::kText, kNone, "", "Optional list of login options"},
                     {"comment", ColumnType::kText, kNone, "", "Optional comment"},
                     {"key_file", ColumnType::kText, kNone, "", "Path to the authorized_keys file"},
                     {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional, "",
                      "Pids that contain a namespace (accepted, not used)"}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          for (const PasswdEntry& user : UsersToScan(ctx)) {
            if (ctx.Cancelled()) break;
            for (const char* name : {".ssh/authorized_keys", ".ssh/authorized_keys2"}) {
              std::string path = HomeFilePath(user.home, name);
              auto text = ctx.fs().ReadFile(path);
              if (!text.ok()) continue;
              for (std::string_view line : SplitString(*text, '\n')) {
                std::optional<AuthorizedKey> key = ParseAuthorizedKeyLine(line);
                if (!key) continue;
                Row& row = out.Add();
                row.Set("uid", static_cast<int64_t>(user.uid));
                row.Set("algorithm", key->algorithm);
                row.Set("key", key->key);
                if (key->options) row.Set("options", *key->options);
                if (key->comment) row.Set("comment", *key->comment);
                row.Set("key_file", path);
              }
            }
          }
          return Status::Ok();
        });
}

}  // namespace warden
