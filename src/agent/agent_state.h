// AgentStateStore is the agent's own bookkeeping in the state file (the same
// SQLite file as the problems, separate tables): each job's last run (so
// `status` and the schedule survive restarts), the job running right now (a
// crash marker: a scheduled query still marked running when the agent starts
// again is the one that took it down, and is denylisted for a while), the
// denylist itself, and each differential query's previous results with its
// epoch and counter. Not thread-safe: one instance per thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/sqlite_database.h"

namespace warden {

struct JobRunRecord {
  std::string name;
  int64_t started_ms = 0;
  int64_t duration_ms = 0;
  bool ok = true;
  std::string result;  // "ok: 3 open problems" / "error: ..." / "skipped: ..."
  int64_t runs = 0;
  int64_t failures = 0;
};

struct DifferentialState {
  std::string name;
  std::string sql_hash;  // a changed query starts a new epoch
  int64_t epoch = 0;
  int64_t counter = 0;            // runs of this epoch so far
  std::vector<std::string> rows;  // canonical JSON text of each row, sorted
  bool exists = false;
};

class AgentStateStore {
 public:
  static Result<std::unique_ptr<AgentStateStore>> Open(const std::string& path);

  Status SaveJobRun(const JobRunRecord& run);
  Result<std::map<std::string, JobRunRecord>> LoadJobRuns();

  // The crash marker. MarkRunning commits before the job starts.
  Status MarkRunning(const std::string& job);
  Status ClearRunning();
  Result<std::optional<std::string>> RunningJob();

  Status Denylist(const std::string& job, int64_t until_ms, const std::string& reason);
  // Jobs denylisted past now_ms, with their expiry and reason.
  Result<std::map<std::string, std::pair<int64_t, std::string>>> Denylisted(int64_t now_ms);

  Result<DifferentialState> LoadDifferential(const std::string& name);
  Status SaveDifferential(const DifferentialState& state);

 private:
  explicit AgentStateStore(std::unique_ptr<SqliteDatabase> db) : db_(std::move(db)) {}
  std::unique_ptr<SqliteDatabase> db_;
};

}  // namespace warden
