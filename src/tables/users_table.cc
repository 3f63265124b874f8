// The users table: local accounts from /etc/passwd, one row per line, in file
// order, as osquery's getpwent loop returns them (a uid or username
// constraint filters that list; see below). uid/gid are the unsigned
// values; uid_signed/gid_signed reinterpret them as int32 (4294967294 is -2),
// as osquery does. uuid is "" on Linux (a macOS/Windows concept). Accounts
// from non-files NSS sources (LDAP, sssd, systemd dynamic users) are not
// listed: see passwd_reader.h.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tables/passwd_reader.h"
#include "tables/user_tables.h"

namespace warden {

namespace {

void AddUserRow(const PasswdEntry& u, RowWriter& out) {
  Row& row = out.Add();
  row.Set("uid", static_cast<int64_t>(u.uid));
  row.Set("gid", static_cast<int64_t>(u.gid));
  row.Set("uid_signed", static_cast<int64_t>(static_cast<int32_t>(u.uid)));
  row.Set("gid_signed", static_cast<int64_t>(static_cast<int32_t>(u.gid)));
  row.Set("username", u.name);
  row.Set("description", u.gecos);
  row.Set("directory", u.home);
  row.Set("shell", u.shell);
  row.Set("uuid", "");
}

}  // namespace

void RegisterUsersTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "users",
          "Local user accounts from /etc/passwd.",
          {{"uid", ColumnType::kBigInt, kIndex, "", "User ID"},
           {"gid", ColumnType::kBigInt, kNone, "", "Group ID (unsigned)"},
           {"uid_signed", ColumnType::kBigInt, kNone, "", "User ID as int64 signed"},
           {"gid_signed", ColumnType::kBigInt, kNone, "", "Default group ID as int64 signed"},
           {"username", ColumnType::kText, kAdditional, "", "Username"},
           {"description", ColumnType::kText, kNone, "", "Optional user description (GECOS)"},
           {"directory", ColumnType::kText, kNone, "", "User's home directory"},
           {"shell", ColumnType::kText, kNone, "", "User's configured default shell"},
           {"uuid", ColumnType::kText, kIndex, "nocase", "User's UUID (empty on Linux)"},
           {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput, "",
            "Pids that contain a namespace (accepted, not used)"},
           {"include_remote", ColumnType::kInteger, kHidden | kAdditional | kEchoInput, "",
            "Include remote (LDAP/AD) accounts (accepted; only local files are read)"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        std::vector<PasswdEntry> users = ReadPasswd(ctx.fs());
        // Constraints filter the scan; unlike osquery's getpwuid lookup
        // they do not stop at the first match: WHERE uid = 0 must show a
        // second uid-0 account ("toor"), the classic backdoor.
        std::optional<std::vector<int64_t>> uids = ctx.IntegerEquals("uid");
        std::optional<std::vector<std::string>> names = ctx.TextEquals("username");
        for (const PasswdEntry& u : users) {
          if (uids &&
              std::find(uids->begin(), uids->end(), static_cast<int64_t>(u.uid)) == uids->end())
            continue;
          if (names && std::find(names->begin(), names->end(), u.name) == names->end()) continue;
          AddUserRow(u, out);
        }
        return Status::Ok();
      });
}

}  // namespace warden
