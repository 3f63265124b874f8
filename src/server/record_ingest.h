// Record ingest: turns one pushAgentRecords batch of one host into store
// changes and applies them in ONE Store::Write, with a ledger claim per
// record, so the batch is stored whole or not at all and a record already
// stored (a resend after a lost acknowledgement) is counted as a duplicate
// and not applied again. The caller acknowledges only once the returned
// Pending resolves, i.e. after the commit.
//
// Two steps, so that the store's writer thread does only store work:
// PrepareRecordBatch (any thread) checks each record's body beyond the
// spec's schema (times, enums, numbers) and converts it to typed rows;
// IngestRecordBatch queues the write.
//
// What each kind does:
//   problems         upsert the host's problem (never back to an older
//                    revision) + one history entry per lifecycle action
//                    (`occurred` updates the problem only); a problem
//                    opened or reopened that an active suppression covers
//                    is then dismissed with the suppression's reason and
//                    expiry and its agent told (suppression_matching.h;
//                    the active suppressions are read once per batch, and
//                    only when such a problem arrives)
//   status           the host's detector states (jobs of kind detector),
//                    and their last and current runs as detector runs
//                    (scan_progress.h); its scheduled-query jobs (kind
//                    query: last run, rows, next run)
//   inventory        packages / ports snapshots replace the previous ones;
//                    os records the snapshot time
//   command_results  the result of a command, with what it means for its
//                    scan (scan_progress.h; unknown or already answered
//                    commands are ignored: the ledger has the record)
//   results          a scheduled query's result line (osquery's shape:
//                    name, action added/removed with `columns`, or
//                    snapshot with `snapshot` rows; unixTime, epoch,
//                    counter): one stored row per result row, under the
//                    query's name, at the record's time
//   events, query_results  claimed in the ledger only (no repository
//                    stores them yet)
// Not here: HTTP, authentication, schema validation (the dispatcher did
// it), vulnerability matching of new package snapshots (IngestOutcome says
// when one arrived).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/finding.h"  // Json
#include "store/store.h"

namespace warden::server {

// The host a batch came from.
struct IngestHost {
  int64_t id = 0;
  std::string hostname;
  // Its labels, for the suppressions that target labels (empty: only
  // suppressions of all hosts or naming its id apply).
  std::vector<std::string> labels;
};

struct ProblemRecordRows {
  store::FleetProblem problem;  // host_id and hostname filled by ingest
  std::string action;           // the agent's event name
  store::EpochMs at = 0;
  std::optional<std::string> comment;
};

struct StatusRecordRows {
  std::vector<store::DetectorState> detectors;
  std::vector<store::DetectorRun> runs;         // host_id filled by ingest
  std::vector<store::HostQueryJob> query_jobs;  // host_id filled by ingest
};

// One result line's rows (host_id and hostname filled by ingest).
struct ScheduledResultRows {
  std::vector<store::ScheduledResultRow> rows;
};

struct PackagesSnapshot {
  std::vector<store::HostPackage> packages;
};

struct PortsSnapshot {
  std::vector<store::HostPort> ports;
};

struct OsSnapshot {};

struct CommandResultRows {
  int64_t command_id = 0;
  store::AgentCommandOutcome outcome;
};

// Kinds stored in the ledger only.
struct LedgerOnly {};

struct PreparedRecord {
  std::string id;
  std::string kind;
  store::EpochMs time_ms = 0;
  std::variant<LedgerOnly, ProblemRecordRows, StatusRecordRows, PackagesSnapshot, PortsSnapshot,
               OsSnapshot, CommandResultRows, ScheduledResultRows>
      rows;
};

// What is wrong with a batch: a JSON pointer into it ("/records/3/body/
// first_detected") and why.
struct RecordBatchError {
  std::string field;
  std::string message;
};

struct PreparedRecordBatch {
  std::string batch_id;
  std::vector<PreparedRecord> records;
  std::optional<RecordBatchError> error;  // set: nothing is to be stored
};

struct IngestOutcome {
  int64_t accepted = 0;    // stored now
  int64_t duplicates = 0;  // stored before (by the host's record id)
  // A newer package snapshot replaced the host's packages (its
  // vulnerabilities must be matched again, outside this transaction).
  bool packages_changed = false;
  // A problem opened or reopened was covered by a suppression and stored
  // dismissed; its `dismiss` command waits for the host's agent (wake it).
  bool commands_queued = false;
};

// `batch` is an AgentRecordBatch body (validated against the spec or not:
// anything malformed becomes `error`, never a crash).
PreparedRecordBatch PrepareRecordBatch(const Json& batch);

// Queues the batch's store write. `now` is the ledger's received time.
// Fails (in the Pending) with kUnavailable when the store's queue is full,
// InvalidArgument when a row is refused by the store; then nothing of the
// batch was stored.
store::Pending<IngestOutcome> IngestRecordBatch(store::Store& store, const IngestHost& host,
                                                PreparedRecordBatch batch, store::EpochMs now);

// The agent's job outcome words as the API's RunOutcome ("ok" ->
// "succeeded", "error" -> "failed", "stopped" -> "timed_out"); nullopt for
// words it does not know.
std::optional<std::string> RunOutcomeFromAgent(std::string_view agent_outcome);

// The rows a scheduled query's run returned as the agent's job summary
// says ("12 rows (snapshot)", "12 rows, 3 added, 1 removed"); nullopt
// when it does not say.
std::optional<int64_t> RowsFromJobResult(std::string_view result);

// True for addresses that only the host itself can reach (127.0.0.0/8, ::1).
bool IsLoopbackAddress(std::string_view address);

}  // namespace warden::server
