// Scan progress: what the agent channel's reports mean for scans and
// detector runs, applied inside the store write that stores the report.
//
//   a command is delivered    its scan target or live query target (if
//                             any) moves to running
//   a command result arrives  recorded on the command; the first time, a
//                             live_query result moves its live query target
//                             to done (output.rows, output.duration_ms) or
//                             error (the agent's message); otherwise a
//                             run_detector result's runs (output.runs, the
//                             spec's RunDetectorOutput) become detector runs
//                             with trigger run_now and the asking scan, and
//                             the scan target moves to succeeded (result
//                             succeeded) or failed (anything else)
//   a status record arrives   each detector job's last run, and the run going
//                             on now, become detector runs (trigger schedule)
//
// Both ways a result can arrive (POST .../commands/{id}/result and a
// command_results record) go through RecordCommandResult, so they mean the
// same. Not here: HTTP, queuing commands (command_hub.h, scans_handlers.cc),
// validating record bodies (record_ingest.h).
#pragma once

#include <cstdint>
#include <vector>

#include "core/finding.h"  // Json
#include "store/store.h"

namespace warden::server {

// Marks the commands delivered at `at` and their scan targets running.
Status MarkCommandsDelivered(store::StoreWriter& w, const std::vector<int64_t>& command_ids,
                             store::EpochMs at);

// Records the result of command `command_id` of host `host_id` and, when
// it is the first result, applies it to the command's scan and runs.
Result<store::CommandResultUpdate> RecordCommandResult(store::StoreWriter& w, int64_t host_id,
                                                       int64_t command_id,
                                                       const store::AgentCommandOutcome& outcome);

// The detector runs one status record's `jobs` (JobStatus list) name: the
// last run of each detector job, and the run going on now when the job is
// running and says since when (host_id left 0). Entries that are not
// detector jobs, or lack what a run needs, are skipped.
std::vector<store::DetectorRun> DetectorRunsFromStatusJobs(const Json& jobs);

// The detector runs of a run_detector result's output (RunDetectorOutput)
// for host `host_id`; malformed entries are skipped.
std::vector<store::DetectorRun> DetectorRunsFromRunOutput(int64_t host_id, const Json& output);

}  // namespace warden::server
