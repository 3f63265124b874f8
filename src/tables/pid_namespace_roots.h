// osquery's hidden pid_with_namespace column: "read this file as process N
// sees it". Warden answers it by reading under /proc/N/root, the root of N's
// mount namespace, through HostFs. Shared by the tables that read one
// configuration file (etc_hosts, dns_resolvers).
#pragma once

#include <cstdint>
#include <string>
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

}  // namespace warden
