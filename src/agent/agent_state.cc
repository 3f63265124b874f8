#include "agent/agent_state.h"

#include <chrono>
#include <nlohmann/json.hpp>

namespace warden {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS job_runs(
  name TEXT PRIMARY KEY, started_ms INTEGER NOT NULL, duration_ms INTEGER NOT NULL, ok INTEGER NOT NULL,
  result TEXT NOT NULL, runs INTEGER NOT NULL, failures INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS running_job(one INTEGER PRIMARY KEY CHECK (one = 1), name TEXT NOT NULL,
  started_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS denylist(name TEXT PRIMARY KEY, until_ms INTEGER NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS differential(name TEXT PRIMARY KEY, sql_hash TEXT NOT NULL, epoch INTEGER NOT NULL,
  counter INTEGER NOT NULL, rows TEXT NOT NULL);
)sql";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::unique_ptr<AgentStateStore>> AgentStateStore::Open(const std::string& path) {
  ASSIGN_OR_RETURN(auto db, SqliteDatabase::Open(path, SqliteDatabase::Mode::kReadWriteCreate));
  RETURN_IF_ERROR(db->Exec(kSchema));
  return std::unique_ptr<AgentStateStore>(new AgentStateStore(std::move(db)));
}

Status AgentStateStore::SaveJobRun(const JobRunRecord& r) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("INSERT OR REPLACE INTO job_runs VALUES(?,?,?,?,?,?,?)"));
  st.Bind(1, r.name)
      .Bind(2, r.started_ms)
      .Bind(3, r.duration_ms)
      .Bind(4, int64_t{r.ok ? 1 : 0})
      .Bind(5, r.result);
  st.Bind(6, r.runs).Bind(7, r.failures);
  return st.Run();
}

Result<std::map<std::string, JobRunRecord>> AgentStateStore::LoadJobRuns() {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("SELECT name, started_ms, duration_ms, ok, result, runs, "
                                "failures FROM job_runs"));
  std::map<std::string, JobRunRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    JobRunRecord r;
    r.name = st.Text(0);
    r.started_ms = st.Int(1);
    r.duration_ms = st.Int(2);
    r.ok = st.Int(3) != 0;
    r.result = st.Text(4);
    r.runs = st.Int(5);
    r.failures = st.Int(6);
    out[r.name] = r;
  }
  return out;
}

Status AgentStateStore::MarkRunning(const std::string& job) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("INSERT OR REPLACE INTO running_job VALUES(1, ?, ?)"));
  st.Bind(1, job).Bind(2, NowMs());
  return st.Run();
}

Status AgentStateStore::ClearRunning() { return db_->Exec("DELETE FROM running_job"); }

Result<std::optional<std::string>> AgentStateStore::RunningJob() {
  ASSIGN_OR_RETURN(SqliteStatement st, db_->Prepare("SELECT name FROM running_job"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.Text(0));
}

Status AgentStateStore::Denylist(const std::string& job, int64_t until_ms,
                                 const std::string& reason) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("INSERT OR REPLACE INTO denylist VALUES(?,?,?)"));
  st.Bind(1, job).Bind(2, until_ms).Bind(3, reason);
  return st.Run();
}

Result<std::map<std::string, std::pair<int64_t, std::string>>> AgentStateStore::Denylisted(
    int64_t now_ms) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("SELECT name, until_ms, reason FROM denylist WHERE until_ms > ?"));
  st.Bind(1, now_ms);
  std::map<std::string, std::pair<int64_t, std::string>> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out[st.Text(0)] = {st.Int(1), st.Text(2)};
  }
  return out;
}

Result<DifferentialState> AgentStateStore::LoadDifferential(const std::string& name) {
  ASSIGN_OR_RETURN(
      SqliteStatement st,
      db_->Prepare("SELECT sql_hash, epoch, counter, rows FROM differential WHERE name=?"));
  st.Bind(1, name);
  DifferentialState s;
  s.name = name;
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return s;
  s.exists = true;
  s.sql_hash = st.Text(0);
  s.epoch = st.Int(1);
  s.counter = st.Int(2);
  nlohmann::json rows = nlohmann::json::parse(st.Text(3), nullptr, false);
  if (rows.is_array())
    for (const auto& r : rows)
      if (r.is_string()) s.rows.push_back(r.get<std::string>());
  return s;
}

Status AgentStateStore::SaveDifferential(const DifferentialState& s) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("INSERT OR REPLACE INTO differential VALUES(?,?,?,?,?)"));
  st.Bind(1, s.name)
      .Bind(2, s.sql_hash)
      .Bind(3, s.epoch)
      .Bind(4, s.counter)
      .Bind(5,
            nlohmann::json(s.rows).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return st.Run();
}

}  // namespace warden
