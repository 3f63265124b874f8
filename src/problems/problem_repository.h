// ProblemRepository is where problems and their history are kept: the agent's
// SQLite state file now (sqlite_problem_repository.h), the server's store
// next. Each write operation applies the lifecycle (problem_lifecycle.h) to
// what is stored and records the result atomically:
//   - `before_commit` runs inside the write, with the state-changing events
//     (not `occurred`). The agent hands them to the sinks' durable queues
//     there, so an event is either queued and committed, or queued and
//     replayed with the same (id, revision) after a crash: at-least-once,
//     never lost. An error from it abandons the whole write.
//   - the events returned are those same state-changing events.
// Problem ids may be given as a prefix of at least 6 characters when it is
// unambiguous. A repository is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "problems/problem.h"

namespace warden {

struct ProblemFilter {
  std::set<ProblemStatus> statuses;  // empty = all
  std::string rule_id;               // "" = all
};

class ProblemRepository {
 public:
  using BeforeCommit = std::function<Status(const std::vector<ProblemEvent>&)>;
  virtual ~ProblemRepository() = default;

  // ReconcileProblems over every problem of `rule_id` on `host`; the
  // drill-down findings of each problem seen are replaced by `seen.details`.
  virtual Result<std::vector<ProblemEvent>> Reconcile(const std::string& rule_id,
                                                      const std::string& host,
                                                      const Observation& seen, int64_t now,
                                                      const BeforeCommit& before_commit) = 0;
  // RaiseProblems for the findings of event-like detectors.
  virtual Result<std::vector<ProblemEvent>> Raise(const std::vector<Finding>& findings,
                                                  const std::string& host, int64_t now,
                                                  const BeforeCommit& before_commit) = 0;
  virtual Result<ProblemEvent> Dismiss(const std::string& id_or_prefix, const std::string& comment,
                                       int64_t until_epoch, int64_t now,
                                       const BeforeCommit& before_commit) = 0;
  virtual Result<ProblemEvent> Undismiss(const std::string& id_or_prefix,
                                         const std::string& comment, int64_t now,
                                         const BeforeCommit& before_commit) = 0;

  // Open first, then dismissed, then resolved; riskier first within a
  // status, then the most recently detected.
  virtual Result<std::vector<Problem>> List(const ProblemFilter& filter) = 0;
  virtual Result<Problem> Get(const std::string& id_or_prefix) = 0;
  virtual Result<std::vector<ProblemHistoryEntry>> History(const std::string& id) = 0;
  // The drill-down findings of a problem, by detail id.
  virtual Result<std::vector<Finding>> Details(const std::string& id) = 0;
  // Number of problems per status.
  virtual Result<std::map<ProblemStatus, int64_t>> Counts() = 0;
};

}  // namespace warden
