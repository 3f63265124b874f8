#include "server/dismissal_expiry.h"

#include <string>
#include <vector>

#include "core/time_format.h"
#include "server/handler_support.h"
#include "server/rest_handlers.h"

namespace warden::server {

Result<int64_t> ExpireDismissals(store::Store& store, store::EpochMs now, int batch) {
  int64_t total = 0;
  while (true) {
    auto done = store
                    .Write([&](store::StoreWriter& w) -> Result<int64_t> {
                      ASSIGN_OR_RETURN(std::vector<store::FleetProblem> expired,
                                       w.problems().ExpiredDismissals(now, batch));
                      for (const store::FleetProblem& before : expired) {
                        store::FleetProblem after = before;
                        const std::string comment = "dismissal expired on " +
                                                    FormatRfc3339(*before.dismissal->until / 1000);
                        after.status = ProblemStatus::kOpen;
                        after.dismissal.reset();
                        after.revision = before.revision + 1;
                        after.status_changed_at = now;
                        after.updated_at = now;
                        ASSIGN_OR_RETURN(store::ProblemUpsert stored, w.problems().Upsert(after));
                        store::ProblemHistoryRecord h;
                        h.problem_id = before.id;
                        h.revision = stored.problem.revision;
                        h.at = now;
                        h.action = "dismissal_expired";
                        h.status = stored.problem.status;
                        h.actor.type = "system";
                        h.comment = comment;
                        RETURN_IF_ERROR(w.problems().AppendHistory(h).status());
                        store::AuditEntry entry;
                        entry.time = now;
                        entry.actor_type = store::ActorType::kSystem;
                        entry.action = "expireDismissal";
                        entry.target_type = "problem";
                        entry.target_id = std::to_string(before.id);
                        entry.before_json = AuditJson(ProblemJson(before, false));
                        entry.after_json = AuditJson(ProblemJson(stored.problem, false));
                        RETURN_IF_ERROR(w.audit().Append(entry).status());
                      }
                      return static_cast<int64_t>(expired.size());
                    })
                    .Wait();
    if (!done.ok()) return done.status();
    total += *done;
    if (*done < batch) return total;
  }
}

}  // namespace warden::server
