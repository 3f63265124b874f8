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

}  // namespace warden::server
