// ProblemStore keeps the tracked, deduplicated conditions (problems) a user
// acts on, in the agent's SQLite state file. Detectors report what they see
// now; Reconcile turns that into the lifecycle:
//   new condition                   -> open      (event "opened")
//   open, still there, changed      -> open      (event "updated"; volatile
//                                                 evidence such as a pid does
//                                                 not count as a change)
//   open, gone on a later run       -> resolved  (event "resolved")
//   resolved, back again            -> open      (event "reopened")
//   dismissed by the user           -> stays dismissed while detected or not;
//                                      when its expiry passes it becomes open
//                                      (still there) or resolved (gone)
// Every event is kept in the problem's history with a revision number; a
// problem's (id, revision) names one event for ever, which is what sinks use
// as the record id for de-duplication. Each problem can carry per-item
// findings for drill-down (the CVEs of the host vulnerability problem).
// Crash safety: a reconcile is one IMMEDIATE transaction; the caller's
// `before_commit` hook (which hands the events to the sinks' durable queues)
// runs inside it, so an event is either queued and committed, or queued and
// replayed with the same (id, revision) after a crash: at-least-once, never
// lost. Not thread-safe: one store per thread (the CLI opens its own).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/status.h"
#include "sql/sqlite_database.h"

namespace warden {

enum class ProblemStatus { kOpen, kResolved, kDismissed };
std::string_view ProblemStatusName(ProblemStatus status);  // "open", "resolved", "dismissed"
std::optional<ProblemStatus> ParseProblemStatus(std::string_view name);

struct Problem {
  std::string id;
  std::string rule_id;
  std::string host;
  std::string title;
  RiskLevel risk_level = RiskLevel::kLow;
  std::string resource;
  ProblemStatus status = ProblemStatus::kOpen;
  int64_t first_detected = 0;  // epoch seconds
  int64_t last_detected = 0;
  int64_t status_changed = 0;
  int64_t resolved_at = 0;  // 0 = not resolved
  int64_t times_reopened = 0;
  int64_t revision = 0;
  std::string dismissed_comment;
  int64_t dismissed_at = 0;
  int64_t dismissed_until = 0;       // 0 = no expiry
  Json finding = Json::object();     // FindingToJson of the latest detection
  Json ocsf_extra = Json::object();  // the finding's class-specific OCSF objects
};

struct ProblemEvent {
  std::string action;  // opened, updated, resolved, reopened, dismissed
  int64_t at = 0;
  std::string comment;
  Problem problem;  // the problem after the event
};

struct ProblemHistoryEntry {
  int64_t revision = 0;
  int64_t at = 0;
  std::string action;
  ProblemStatus status = ProblemStatus::kOpen;
  std::string comment;
};

// What a detector saw on one run: each finding is one problem (finding.id is
// the problem id); `details` optionally lists drill-down findings per problem.
struct DetectorObservation {
  std::vector<Finding> findings;
  std::map<std::string, std::vector<Finding>> details;
};

struct ProblemFilter {
  std::set<ProblemStatus> statuses;  // empty = all
  std::string rule_id;               // "" = all
};

class ProblemStore {
 public:
  // Creates the schema when missing (read-write) or fails with NotFound.
  static Result<std::unique_ptr<ProblemStore>> Open(const std::string& path, bool read_only);

  using BeforeCommit = std::function<Status(const std::vector<ProblemEvent>&)>;
  // Reconciles every problem of `rule_id` on `host` with what the rule sees now.
  Result<std::vector<ProblemEvent>> Reconcile(const std::string& rule_id, const std::string& host,
                                              const DetectorObservation& seen, int64_t now,
                                              const BeforeCommit& before_commit = nullptr);
  // For detectors that see events rather than states (the runtime rules):
  // each finding opens its problem (finding.id) or, when it is known, counts
  // one more occurrence and keeps the latest evidence; a resolved problem or
  // one whose dismissal expired is reopened, a dismissed one stays dismissed.
  // Nothing is ever resolved by absence. Problems take the finding's rule id.
  Result<std::vector<ProblemEvent>> Raise(const std::vector<Finding>& findings,
                                          const std::string& host, int64_t now,
                                          const BeforeCommit& before_commit = nullptr);
  // Dismisses a problem (comment mandatory; until_epoch 0 = no expiry). A
  // problem id prefix of at least 6 characters is accepted when unambiguous.
  Result<ProblemEvent> Dismiss(const std::string& id_or_prefix, const std::string& comment,
                               int64_t until_epoch, int64_t now,
                               const BeforeCommit& before_commit = nullptr);

  Result<std::vector<Problem>> List(const ProblemFilter& filter);
  Result<Problem> Get(const std::string& id_or_prefix);
  Result<std::vector<ProblemHistoryEntry>> History(const std::string& id);
  Result<std::vector<Json>> Details(const std::string& id);
  // Number of problems per status.
  Result<std::map<ProblemStatus, int64_t>> Counts();

  SqliteDatabase& db() { return *db_; }

 private:
  explicit ProblemStore(std::unique_ptr<SqliteDatabase> db) : db_(std::move(db)) {}
  Result<std::string> ResolveId(const std::string& id_or_prefix);
  Status Save(const Problem& p, bool insert);
  Status AddHistory(const ProblemEvent& e);
  std::unique_ptr<SqliteDatabase> db_;
};

// The problem as Warden JSON (lifecycle keys plus the latest finding).
Json ProblemToJson(const Problem& problem);
// A problem event as a record: {"event": ..., "event_time": ..., "comment": ..., <problem keys>}.
Json ProblemEventToJson(const ProblemEvent& event);
// The event as an OCSF 1.1 finding: class 2002 for HOST-VULN, 2004 otherwise;
// activity Create/Update/Close and status New/Suppressed/Resolved follow the event.
Json ProblemEventToOcsf(const ProblemEvent& event);
// The record id of a problem event: "<problem id>.<revision>".
std::string ProblemEventId(const ProblemEvent& event);
// The Finding a problem was built from (for renderers that take a Finding).
Finding ProblemFinding(const Problem& problem);

}  // namespace warden
