// The problem lifecycle as pure functions: given the problems known so far,
// what a detector reports now, and the time, they return the problems to
// write and the events that happened. No storage, no clock, no threads, so
// the agent's SQLite repository and the server's fleet store apply the same
// rules, and tests drive them with any sequence of times.
//
// For detectors that see states (open ports, vulnerabilities), reconciling
// one rule's problems on one host:
//   new condition                   -> open      (opened)
//   open, still there, changed      -> open      (updated; volatile evidence
//                                                 such as a pid is no change)
//   open, gone on a later run       -> resolved  (resolved)
//   resolved, back again            -> open      (reopened)
//   dismissed by the user           -> stays dismissed while detected or not;
//                                      when its expiry passes it becomes open
//                                      (reopened, still there) or resolved
//                                      (resolved, gone)
// For detectors that see events (the runtime rules), raising:
//   new condition                   -> open      (opened)
//   open, or dismissed and not expired, seen again -> unchanged (occurred;
//                                      occurrences + 1, latest evidence kept)
//   resolved, or dismissal expired  -> open      (reopened)
//   nothing is ever resolved by absence.
// By the user: dismiss (a comment is mandatory, an optional expiry) and
// undismiss (back to open; a detector that no longer sees it resolves it on
// its next run).
// Every event but `occurred` bumps the problem's revision.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "problems/problem.h"

namespace warden {

// A problem to write: inserted when is_new, else replaced.
struct ProblemChange {
  Problem problem;
  bool is_new = false;
};

struct LifecycleOutcome {
  std::vector<ProblemChange> changes;  // one per problem touched, in no promised order
  std::vector<ProblemEvent> events;    // in the order they happened
};

// `existing` is every known problem of `rule_id` on `host`. Each problem seen
// is written (its last_detected moves) even when no event happens. A finding
// id reported twice in one observation counts once.
LifecycleOutcome ReconcileProblems(const std::vector<Problem>& existing, const std::string& rule_id,
                                   const std::string& host, const Observation& seen, int64_t now);

// `known` holds the stored problems whose ids appear among `findings` (others
// may be there and are ignored). Problems take the finding's rule id.
LifecycleOutcome RaiseProblems(const std::vector<Problem>& known,
                               const std::vector<Finding>& findings, const std::string& host,
                               int64_t now);

// InvalidArgument when the comment is blank.
Status CheckDismissalComment(const std::string& comment);
// `until` 0 = no expiry; otherwise it must be after `now` (InvalidArgument:
// a dismissal that has already expired would be silently undone).
Result<ProblemEvent> DismissProblem(Problem problem, const std::string& comment, int64_t until,
                                    int64_t now);
// InvalidArgument when the problem is not dismissed.
Result<ProblemEvent> UndismissProblem(Problem problem, const std::string& comment, int64_t now);

// What counts as a change worth an "updated" event: title, risk, resource and
// attributes, not evidence (pids, timestamps).
std::string ProblemFingerprint(const Finding& finding);

}  // namespace warden
