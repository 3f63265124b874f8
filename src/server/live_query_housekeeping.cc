#include "server/live_query_housekeeping.h"

#include <vector>

namespace warden::server {

Result<int64_t> ExpireLiveQueryTargets(store::Store& store, store::EpochMs now) {
  return store
      .Write([now](store::StoreWriter& w) -> Result<int64_t> {
        ASSIGN_OR_RETURN(std::vector<store::WithdrawnCommand> given_up,
                         w.live_queries().ExpireTargets(now));
        for (const store::WithdrawnCommand& c : given_up) {
          store::AgentCommandOutcome outcome;
          outcome.status = "failed";
          outcome.error = "the live query's deadline passed before the host answered";
          outcome.finished_at = now;
          RETURN_IF_ERROR(w.commands().RecordResult(c.host_id, c.command_id, outcome).status());
        }
        return static_cast<int64_t>(given_up.size());
      })
      .Wait();
}

Result<int64_t> PruneLiveQueryResults(store::Store& store, store::EpochMs now,
                                      store::EpochMs retention_ms) {
  return store
      .Write([now, retention_ms](store::StoreWriter& w) {
        return w.live_queries().PruneResults(now - retention_ms, now);
      })
      .Wait();
}

Result<int64_t> PruneScheduledQueryResults(store::Store& store, store::EpochMs now,
                                           store::EpochMs retention_ms) {
  return store
      .Write([now, retention_ms](store::StoreWriter& w) {
        return w.scheduled_results().PruneBefore(now - retention_ms);
      })
      .Wait();
}

}  // namespace warden::server
