// osquery's hidden pid_with_namespace column: "read this file as process N
// sees it". Warden answers it by reading under /proc/N/root, the root of N's
// mount namespace, through HostFs. Shared by the tables that read one
// configuration file (etc_hosts, dns_resolvers).
//
// A process's root may be a tree its (unprivileged) user built in a mount
// namespace of their own, with /etc/hosts a symlink to "/etc/shadow". Opened
// as "/proc/N/root/etc/hosts", that absolute symlink would resolve against
// Warden's root, the host's, and hand back the host's file; so files are read
// through a HostFs rooted at /proc/N/root, where symlinks stay inside it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/table.h"

namespace warden {

struct NamespaceRoot {
  std::string prefix;  // "" for the host, "/proc/N/root" for process N
  int64_t pid = 0;     // the value of pid_with_namespace on the rows (0 = host)
};

// One root per pid in `pid_with_namespace = ...` (0 is the host's own root,
// the value host rows carry; negative pids are ignored), or the host's own
// root when the query does not constrain the column.
std::vector<NamespaceRoot> NamespaceRootsToRead(const QueryContext& ctx);

// ForEachLine of `path` as the root's process sees it: through ctx.fs() for
// the host, through a HostFs rooted at the process's root otherwise.
Status ForEachLineInRoot(const QueryContext& ctx, const NamespaceRoot& root, std::string_view path,
                         const std::function<bool(std::string_view)>& fn);

}  // namespace warden
