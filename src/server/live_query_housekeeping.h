// The live queries' housekeeping, run by the server's periodic jobs:
// giving up hosts that did not answer before their campaign's deadline
// (their commands withdrawn, recorded as failed, so an agent that returns
// later does not run a query nobody waits for), and deleting the rows of
// campaigns older than the retention (the campaigns stay in the history);
// and deleting scheduled-query result rows older than theirs.
// Not here: the schedule (PeriodicJobs), the campaigns themselves.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "store/store.h"

namespace warden::server {

// Gives up the targets of campaigns whose deadline is at or before `now`.
// How many targets.
Result<int64_t> ExpireLiveQueryTargets(store::Store& store, store::EpochMs now);

// Deletes the rows of campaigns created before now - retention_ms. How many.
Result<int64_t> PruneLiveQueryResults(store::Store& store, store::EpochMs now,
                                      store::EpochMs retention_ms);

// Deletes scheduled-query result rows of runs before now - retention_ms.
// How many.
Result<int64_t> PruneScheduledQueryResults(store::Store& store, store::EpochMs now,
                                           store::EpochMs retention_ms);

}  // namespace warden::server
