// SqliteProblemRepository keeps problems, their history and drill-down
// findings in three tables of the agent's SQLite state file (problems,
// problem_history, problem_details); the file's other tables belong to the
// agent. Each write is one IMMEDIATE transaction, so a CLI reading the file
// meanwhile sees the state before or after, never half of it. The finding is
// stored as its Warden JSON, which keeps state files of earlier versions
// readable. Not thread-safe: one repository per thread (SQLite connections
// belong to one thread); several may share a file.
#pragma once

#include <memory>
#include <string>

#include "problems/problem_lifecycle.h"
#include "problems/problem_repository.h"
#include "sql/sqlite_database.h"

namespace warden {

class SqliteProblemRepository : public ProblemRepository {
 public:
  // Creates the tables when missing (read-write); NotFound when the file
  // cannot be opened.
  static Result<std::unique_ptr<SqliteProblemRepository>> Open(const std::string& path,
                                                               bool read_only);

  Result<std::vector<ProblemEvent>> Reconcile(const std::string& rule_id, const std::string& host,
                                              const Observation& seen, int64_t now,
                                              const BeforeCommit& before_commit = nullptr) override;
  Result<std::vector<ProblemEvent>> Raise(const std::vector<Finding>& findings,
                                          const std::string& host, int64_t now,
                                          const BeforeCommit& before_commit = nullptr) override;
  Result<ProblemEvent> Dismiss(const std::string& id_or_prefix, const std::string& comment,
                               int64_t until_epoch, int64_t now,
                               const BeforeCommit& before_commit = nullptr) override;
  Result<ProblemEvent> Undismiss(const std::string& id_or_prefix, const std::string& comment,
                                 int64_t now, const BeforeCommit& before_commit = nullptr) override;

  Result<std::vector<Problem>> List(const ProblemFilter& filter) override;
  Result<Problem> Get(const std::string& id_or_prefix) override;
  Result<std::vector<ProblemHistoryEntry>> History(const std::string& id) override;
  Result<std::vector<Finding>> Details(const std::string& id) override;
  Result<std::map<ProblemStatus, int64_t>> Counts() override;

 private:
  explicit SqliteProblemRepository(std::unique_ptr<SqliteDatabase> db) : db_(std::move(db)) {}
  Result<std::string> ResolveId(const std::string& id_or_prefix);
  Status Save(const ProblemChange& change);
  Status Write(const std::vector<ProblemChange>& changes, const std::vector<ProblemEvent>& events);
  std::unique_ptr<SqliteDatabase> db_;
};

}  // namespace warden
