// Scans: run-now requests ("run these detectors on these hosts now") and
// their per-host targets. A scan is created with one pending target per host
// it asks, each with the run_detector command that asks it; a target moves
// to running when its agent takes the command and to succeeded or failed
// when the agent's result arrives (or failed when its host is revoked
// first). The scan keeps its counts with every move, and its state follows
// from them: done when no target is pending or running, running when some
// target was taken or answered, pending otherwise. Reads are thread-safe;
// writes run inside a store transaction (see store.h).
// Not here: choosing the hosts (by id, label or all), the commands
// themselves (agent_command_repository.h), or what the runs found
// (detector_run_repository.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/fleet_problem_repository.h"  // ProblemActor
#include "store/list_query.h"

namespace warden::store {

enum class ScanTargetState { kPending, kRunning, kSucceeded, kFailed };
std::string_view ScanTargetStateName(ScanTargetState state);  // "pending", ...

struct ScanCounts {
  int64_t targeted = 0;
  int64_t pending = 0;
  int64_t running = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
};

struct Scan {
  int64_t id = 0;
  EpochMs requested_at = 0;
  ProblemActor requested_by;          // who asked (the spec's Actor)
  std::string scope;                  // hosts, labels or all
  std::vector<int64_t> host_ids;      // the hosts asked for by id (scope hosts)
  std::vector<std::string> labels;    // the labels asked for (scope labels)
  std::vector<std::string> rule_ids;  // empty: every detector enabled on each host
  std::string state;                  // pending, running, done
  ScanCounts counts;
  EpochMs updated_at = 0;
};

struct NewScan {
  EpochMs requested_at = 0;
  ProblemActor requested_by;
  std::string scope;
  std::vector<int64_t> host_ids;
  std::vector<std::string> labels;
  std::vector<std::string> rule_ids;
};

struct ScanTarget {
  int64_t scan_id = 0;
  int64_t host_id = 0;
  int64_t command_id = 0;
  ScanTargetState state = ScanTargetState::kPending;
  std::optional<std::string> error;  // why it failed, when the agent or the server said
  EpochMs updated_at = 0;
};

// Fields: id, requested_at (sortable; default requested_at, newest first);
// state (text, equality); host_id (equality: scans that targeted the host).
const ListSchema& ScanListSchema();

class ScanRepository {
 public:
  virtual ~ScanRepository() = default;
  virtual Result<std::optional<Scan>> Get(int64_t id) = 0;
  virtual Result<ListPage<Scan>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<Scan>& row) = 0;
  // The scan's targets, by host id.
  virtual Result<std::vector<ScanTarget>> Targets(int64_t scan_id) = 0;
  // How many of the scan's pending targets are on hosts last seen before
  // `seen_before` (offline: they take the command when they return).
  virtual Result<int64_t> CountPendingOnHostsSeenBefore(int64_t scan_id, EpochMs seen_before) = 0;
};

class ScanWriter {
 public:
  virtual ~ScanWriter() = default;
  // A new scan with no targets yet (state pending, counts zero).
  // InvalidArgument for a scope other than hosts, labels or all.
  virtual Result<Scan> Create(const NewScan& scan) = 0;
  // Adds a pending target: host `host_id`, asked by command `command_id`.
  // InvalidArgument when the scan has a target on that host already.
  virtual Status AddTarget(int64_t scan_id, int64_t host_id, int64_t command_id, EpochMs at) = 0;
  // Moves the target asked by command `command_id` to `state`: running
  // (delivered), succeeded or failed (answered). A target only moves
  // forward (pending -> running -> succeeded/failed; pending straight to an
  // answer too); anything else changes nothing. Returns the scan's id when
  // the command is a scan's and its target moved.
  virtual Result<std::optional<int64_t>> MoveTargetOfCommand(int64_t command_id,
                                                             ScanTargetState state,
                                                             std::optional<std::string> error,
                                                             EpochMs at) = 0;
  // Fails every pending or running target of host `host_id` with `error`
  // (the host was revoked: it takes no commands any more). How many.
  virtual Result<int64_t> FailTargetsOfHost(int64_t host_id, const std::string& error,
                                            EpochMs at) = 0;
};

}  // namespace warden::store
