// The server's dismissal expiry: a dismissal made with `until` ends when that
// time passes, even when the problem's agent is offline or its detector only
// reports events (the runtime rules), so the fleet view never shows a
// problem as dismissed past the date a person chose. The problem is open
// again with the next revision, a `dismissal_expired` history entry by the
// system and an audit entry; the agent, which applies the same expiry on its
// own, later reports it reopened or resolved at that revision or above, and
// that report wins.
// Not here: dismissing (problems_handlers.cc), the schedule (PeriodicJobs).
#pragma once

#include <cstdint>

#include "core/status.h"
#include "store/store.h"

namespace warden::server {

// Ends every dismissal that expired at or before `now`, `batch` problems per
// store write. The number of problems reopened.
Result<int64_t> ExpireDismissals(store::Store& store, store::EpochMs now, int batch = 500);

}  // namespace warden::server
