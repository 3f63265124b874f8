// Which accounts the per-user file tables (authorized_keys, known_hosts,
// user_ssh_keys, shell_history) look at, and how they name files in a home
// directory. As in osquery, every account in /etc/passwd is scanned unless
// the query constrains uid (WHERE uid = 1000 reads one home directory only).
// Accounts that share a home directory are each scanned, so their rows repeat
// with each uid: that is what osquery returns and what a join on uid expects.
//
// Files in a home are the user's to plant: the tables read them only through
// HostFs's user-area calls (ReadUserFile, ListUserDir, StatUserPath) on
// HomeArea(user), never with ReadFile on a joined path (see host_fs.h for
// the rule, docs/security.md for why).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/table.h"
#include "tables/passwd_reader.h"

namespace warden {

// The accounts to scan: every account whose uid the query asks for (all of
// them when two accounts share a uid, so a constraint never hides rows a full
// scan would show), or all accounts.
std::vector<PasswdEntry> UsersToScan(const QueryContext& ctx);

// home + "/" + relative, without doubling the slash ("/" + ".ssh" = "/.ssh").
std::string HomeFilePath(std::string_view home, std::string_view relative);

// The user-area of an account's home directory: the home from /etc/passwd,
// controlled by the account's uid.
UserArea HomeArea(const PasswdEntry& user);

// ctx.Cancelled() as a callable, for HostFs reads that poll the budget.
std::function<bool()> CancelCheck(const QueryContext& ctx);

}  // namespace warden
