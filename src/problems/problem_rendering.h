// The outward shapes of problems and their events: Warden JSON (what `warden
// agent problems --format json` prints and what sinks receive as a problem
// record's body) and OCSF 1.1 findings (for sinks set to `format: ocsf`).
// Rendering only: nothing here decides a lifecycle or reads storage.
#pragma once

#include "core/finding.h"
#include "problems/problem.h"

namespace warden {

// The problem's latest finding as Warden JSON: FindingToJson plus
// "occurrences" for event-like problems.
Json ProblemFindingToJson(const Problem& problem);
// The problem as Warden JSON (lifecycle keys plus the latest finding).
Json ProblemToJson(const Problem& problem);
// A problem event as a record: {"record_id", "event", "event_time", "comment", <problem keys>}.
Json ProblemEventToJson(const ProblemEvent& event);
// The event as an OCSF 1.1 finding: class 2002 for HOST-VULN, 2004 otherwise;
// activity Create/Update/Close and status New/Suppressed/Resolved follow the event.
Json ProblemEventToOcsf(const ProblemEvent& event);
// A problem's current state as OCSF, as if its last event had just happened
// (for exports of the problem list).
Json ProblemToOcsf(const Problem& problem);

}  // namespace warden
