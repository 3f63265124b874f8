// The live queries' housekeeping, run by the server's periodic jobs:
// giving up hosts that did not answer before their campaign's deadline
// (their commands withdrawn, recorded as failed, so an agent that returns
// later does not run a query nobody waits for).
// Not here: the schedule (PeriodicJobs), the campaigns themselves, deleting
// old rows (the server's retention jobs, server_app.cc).
#pragma once

#include <cstdint>

#include "core/status.h"
#include "store/store.h"

namespace warden::server {

// Gives up the targets of campaigns whose deadline is at or before `now`.
// How many targets.
Result<int64_t> ExpireLiveQueryTargets(store::Store& store, store::EpochMs now);

}  // namespace warden::server
