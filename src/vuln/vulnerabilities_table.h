// The `vulnerabilities` SQL table: the findings of `warden scan vulns` (with
// unfixed ones included; filter on `status`) for the host the query reads,
// matched against the local feed database. A Warden table, not an osquery
// one. Registered by the CLI's HostSession (not by RegisterBuiltinTables,
// which holds the osquery-compatible set and must not depend on src/vuln).
#pragma once

#include "sql/table.h"

namespace warden {

void RegisterVulnerabilitiesTable(TableRegistry& registry);

}  // namespace warden
