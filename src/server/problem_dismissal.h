// One problem dismissed or undismissed on the server, inside the caller's
// Store::Write: the lifecycle's rule (src/problems: a comment is mandatory,
// an expiry must be in the future, only a dismissed problem is
// undismissed), the new state with the next revision, its history entry,
// the audit entry and a `dismiss` / `undismiss` command for the problem's
// agent. The agent applies the command to its own store and reports the
// problem back at that revision or above; the store keeps who dismissed it
// when the comment is the same, and never goes back to an older revision,
// so the agent's report confirms the server's change rather than undoing
// it. The caller wakes the host's long-poll once the write is committed
// (DismissalOutcome::command_host).
// Used by dismissProblem, the bulk operations (problems_handlers.cc) and
// suppressions (suppression_matching.h). Not here: HTTP, choosing problems.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace warden::server {

struct DismissalChange {
  bool dismiss = true;
  std::string comment;        // mandatory to dismiss; optional to undismiss
  int64_t until_seconds = 0;  // 0: no expiry
  store::ProblemActor actor;  // who the history and the dismissal name
  std::string command_created_by;
  // The audit entry's actor, action and request; target and before/after
  // are filled here.
  store::AuditEntry audit;
  store::EpochMs now = 0;
};

struct DismissalOutcome {
  std::optional<store::FleetProblem> after;  // nullopt: no such problem
  std::optional<std::string> refused;        // the lifecycle's reason; nothing written
  // The problem's host runs osquery, which takes no dismiss commands;
  // nothing written.
  std::optional<std::string> unavailable;
  int64_t command_host = 0;  // a command was queued for this host (0: none)
};

Result<DismissalOutcome> ChangeProblemDismissal(store::StoreWriter& w, int64_t problem_id,
                                                const DismissalChange& change);

}  // namespace warden::server
