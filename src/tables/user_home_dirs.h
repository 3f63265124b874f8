// Which accounts the per-user file tables (authorized_keys, known_hosts,
// user_ssh_keys, shell_history) look at, and how they name files in a home
// directory. As in osquery, every account in /etc/passwd is scanned unless
// the query constrains uid (WHERE uid = 1000 reads one home directory only).
// Accounts that share a home directory are each scanned, so their rows repeat
// with each uid: that is what osquery returns and what a join on uid expects.
#pragma once

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

}  // namespace warden
