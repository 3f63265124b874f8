// The user_ssh_keys table: the private keys lying in each local user's ~/.ssh
// directory (every account in /etc/passwd, or the uids a query asks for), and
// whether a passphrase protects them. Every regular file directly in ~/.ssh
// is looked at, whatever its name; files that are not private keys (public
// keys, config, known_hosts) give no row. See ssh_private_key.h for the
// formats understood and how the columns are computed. The directory and its
// files are the user's: they are read under HostFs's user-area rule (no
// symlink out of the home, regular files of the user only, checked on the
// opened file); files over 1 MiB are skipped unread: no key is that large.
#include <algorithm>

#include "tables/ssh_private_key.h"
#include "tables/user_home_dirs.h"
#include "tables/user_tables.h"

namespace warden {

namespace {
constexpr size_t kMaxKeyFileBytes = 1u << 20;
}  // namespace

void RegisterUserSshKeysTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "user_ssh_keys",
          "Private SSH keys in each local user's ~/.ssh and whether they are encrypted.",
          {{"uid", ColumnType::kBigInt, kAdditional | kOptimized, "",
            "The local user that owns the key file"},
           {"path", ColumnType::kText, kIndex, "", "Path to key file"},
           {"encrypted", ColumnType::kInteger, kNone, "", "1 if key is encrypted, 0 otherwise"},
           {"key_type", ColumnType::kText, kNone, "",
            "The type of the private key (rsa, dsa, ec, ed25519...), or the empty string"},
           {"key_group_name", ColumnType::kText, kNone, "",
            "The group (curve) of the private key, for EC keys"},
           {"key_length", ColumnType::kInteger, kNone, "",
            "The cryptographic length of the key in bits; -1 if unavailable"},
           {"key_security_bits", ColumnType::kInteger, kNone, "",
            "Bits of security as defined in NIST SP800-57; -1 if unavailable"},
           {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput, "",
            "Pids that contain a namespace (accepted, not used)"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        for (const PasswdEntry& user : UsersToScan(ctx)) {
          if (ctx.Cancelled()) break;
          const UserArea home = HomeArea(user);
          auto names = ctx.fs().ListUserDir(home, ".ssh");
          if (!names.ok()) continue;
          std::sort(names->begin(), names->end());
          for (const std::string& name : *names) {
            if (ctx.Cancelled()) break;
            std::string relative = ".ssh/" + name;
            auto contents =
                ctx.fs().ReadUserFile(home, relative, kMaxKeyFileBytes, CancelCheck(ctx));
            if (!contents.ok()) continue;  // not a regular file of the user's, or too large
            std::string path = HomeFilePath(user.home, relative);
            std::optional<SshPrivateKeyInfo> key = InspectSshPrivateKey(*contents);
            if (!key) continue;
            Row& row = out.Add();
            row.Set("uid", static_cast<int64_t>(user.uid));
            row.Set("path", path);
            row.Set("encrypted", key->encrypted);
            row.Set("key_type", key->key_type);
            row.Set("key_group_name", key->key_group_name);
            row.Set("key_length", key->key_length);
            row.Set("key_security_bits", key->key_security_bits);
          }
        }
        return Status::Ok();
      });
}

}  // namespace warden
