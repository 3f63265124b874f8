// Detector runs: when each detector ran on a host, how long, how it ended
// and when it runs next, as the host's agent reported them - every run
// asked for by a scan (run-now results), and the last run of each detector
// at each status heartbeat. A run is identified by host, rule and start
// time, so the same run reported twice (by a status record and by its
// run-now result) is one row holding what both said. Reads are
// thread-safe; writes run inside a store transaction (see store.h).
// Retention: PruneBefore deletes runs by their start time (the server's
// housekeeping calls it; a host's current detector state is kept apart, in
// host_inventory_repository.h, and does not go with its runs).
// Not here: the runs between two heartbeats that no report named (the
// agent reports only its jobs' last runs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct DetectorRun {
  int64_t id = 0;
  int64_t host_id = 0;
  std::string rule_id;
  EpochMs started_at = 0;
  std::optional<EpochMs> finished_at;  // nullopt while running
  std::optional<int64_t> duration_ms;  // nullopt while running
  // The spec's RunOutcome: succeeded, failed, timed_out, skipped, running.
  std::string outcome = "running";
  std::optional<std::string> result;
  std::optional<EpochMs> next_run_at;
  std::string trigger = "schedule";  // schedule, start, run_now
  std::optional<int64_t> scan_id;
  std::optional<int64_t> command_id;
};

// Fields: id, started_at, rule_id, duration_ms (sortable; default
// started_at, newest first); host_id (equality; every sort has a
// (host_id, sort, id) index); outcome (text, equality); rule_id and
// started_at filter too.
const ListSchema& DetectorRunListSchema();

class DetectorRunRepository {
 public:
  virtual ~DetectorRunRepository() = default;
  virtual Result<ListPage<DetectorRun>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<DetectorRun>& row) = 0;
};

class DetectorRunWriter {
 public:
  virtual ~DetectorRunWriter() = default;
  // Records one reported run (its id is ignored). Reported again, a run
  // keeps what it knew and learns the rest: a finished outcome replaces
  // `running` (never the other way), a run-now's trigger, scan and command
  // stay, a next run time is kept unless a new one is given. Runs of the
  // same host and rule still `running` that started before this one are
  // closed as failed: the agent runs a detector once at a time, so they
  // ended without a report (the agent stopped). A finished run newer than
  // the host's detector state (host_inventory_repository.h) moves that
  // state to it, so a run-now shows on the host before the next heartbeat.
  // InvalidArgument for a run without host, rule or start, or with an
  // outcome or trigger the spec does not have.
  virtual Status Record(const DetectorRun& run) = 0;
  // Deletes the runs that started before `before`; how many.
  virtual Result<int64_t> PruneBefore(EpochMs before) = 0;
};

}  // namespace warden::store
