// Scheduled-query results and jobs: the rows agents report for the
// queries they run on a schedule (the server's, named "srv:<saved query>",
// and the agent's own, under the agent's names), kept per query and per
// host over time, and each host's scheduled-query jobs as its latest status
// reports them (last run, rows, next run).
//
// A result line of osquery's shape becomes one stored row per result row:
// a differential line's `columns` (action added or removed), each row of a
// snapshot (action snapshot). Rows older than the retention are pruned.
//
// Reads are thread-safe; writes run inside a store transaction (store.h).
// Not here: parsing the agents' records (the server's record_ingest.h),
// which hosts a schedule targets, HTTP.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct ScheduledResultRow {
  int64_t id = 0;
  int64_t host_id = 0;
  std::string hostname;
  std::string name;    // the query's name as the agent runs it
  std::string action;  // added, removed, snapshot
  EpochMs run_at = 0;  // when the run that produced it happened
  int64_t epoch = 0;
  int64_t counter = 0;
  std::string row_json;  // a JSON object (column -> value)
};

// One scheduled-query job of a host as its status reported it.
struct HostQueryJob {
  int64_t host_id = 0;
  std::string name;
  std::optional<EpochMs> last_run_at;
  std::optional<int64_t> duration_ms;
  std::optional<std::string> outcome;  // the agent's word: ok, error, skipped, stopped
  std::optional<std::string> result;   // the agent's summary of the last run
  std::optional<int64_t> last_rows;    // rows the last run returned, when the summary says
  std::optional<EpochMs> next_run_at;
  bool running = false;
  int64_t runs = 0;
  int64_t failures = 0;
  EpochMs reported_at = 0;  // the status record's time
};

// Fields: id, run_at (sortable; default run_at, newest first); name (text,
// equality); host_id (integer, equality); action (text); run_at
// (time ranges).
const ListSchema& ScheduledResultListSchema();

class ScheduledResultRepository {
 public:
  virtual ~ScheduledResultRepository() = default;
  virtual Result<ListPage<ScheduledResultRow>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<ScheduledResultRow>& row) = 0;
  // The host's jobs as last reported, by name.
  virtual Result<std::vector<HostQueryJob>> HostJobs(int64_t host_id) = 0;
};

class ScheduledResultWriter {
 public:
  virtual ~ScheduledResultWriter() = default;
  // Stores `rows` (their ids are ignored). InvalidArgument for a row
  // without a name or with an unknown action.
  virtual Status Append(const std::vector<ScheduledResultRow>& rows) = 0;
  // Replaces the host's jobs with `jobs` as of `reported_at`, unless a
  // newer report is stored already (then nothing changes: false).
  virtual Result<bool> ReplaceHostJobs(int64_t host_id, const std::vector<HostQueryJob>& jobs,
                                       EpochMs reported_at) = 0;
  // Deletes the rows of runs before `before`. How many.
  virtual Result<int64_t> PruneBefore(EpochMs before) = 0;
};

}  // namespace warden::store
