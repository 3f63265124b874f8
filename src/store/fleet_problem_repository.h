// The fleet's problems: one row per subject and problem id, the latest
// state reported for it (or a person set on the server), with its
// lifecycle history (action, who, when, comment). A problem's subject is a
// host (its agent's problem id) or a cloud account (the id the server gives
// a CloudTrail check: rule and resource or principal), never both. The lifecycle rules are
// src/problems' pure functions, applied by the agent and by the server's
// own jobs; this repository only stores their outcome. An upsert never
// moves a problem back to an older revision, so records delivered out of
// order cannot undo a newer state. Reads are thread-safe; writes run inside
// a store transaction (see store.h).
// Not here: deciding lifecycle transitions, rendering problems as JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/risk_level.h"
#include "core/status.h"
#include "problems/problem.h"
#include "store/list_query.h"

namespace warden::store {

// Who did something to a problem: the agent of its host (kNode), a person
// or token, or the server itself (dismissal expiry).
struct ProblemActor {
  std::string type = "node";  // "node", "user", "token", "system" (the spec's ActorType)
  std::string id;
  std::string name;
};

struct ProblemDismissal {
  std::string comment;
  ProblemActor by;
  EpochMs at = 0;
  std::optional<EpochMs> until;  // nullopt: no expiry
};

struct FleetProblem {
  int64_t id = 0;       // the server's id
  int64_t host_id = 0;  // 0 for a cloud account's problem
  // Set for a cloud account's problem (host_id 0); `hostname` then holds
  // the account's name.
  std::optional<int64_t> cloud_account_id;
  std::string hostname;
  std::string agent_problem_id;  // the problem's id on its agent (the finding id)
  std::string rule_id;
  std::string title;
  std::optional<std::string> description;
  RiskLevel risk_level = RiskLevel::kLow;
  ProblemStatus status = ProblemStatus::kOpen;
  std::string resource;
  EpochMs first_detected_at = 0;
  EpochMs last_detected_at = 0;
  EpochMs status_changed_at = 0;
  std::optional<EpochMs> resolved_at;
  int64_t times_reopened = 0;
  int64_t revision = 0;
  std::optional<ProblemDismissal> dismissal;  // set while dismissed
  std::string finding_json = "{}";            // the latest finding (Warden JSON object)
  std::string details_json = "[]";            // drill-down findings (JSON array)
  // From the finding, kept beside it so lists need not parse it (Upsert
  // sets both): its non-empty `remediation` string, and its `links` strings
  // as a compact JSON array.
  std::optional<std::string> remediation;
  std::string links_json = "[]";
  EpochMs updated_at = 0;  // when the server last wrote it
  // How many times it was detected (a cloud check that fires again on the
  // same account, rule and resource counts here instead of adding a
  // problem); the writer stores what it is given (host problems: 1).
  int64_t occurrences = 1;
};

struct ProblemHistoryRecord {
  int64_t id = 0;
  int64_t problem_id = 0;
  int64_t revision = 0;
  EpochMs at = 0;
  std::string action;  // the spec's ProblemAction: opened, updated, ..., dismissal_expired
  ProblemStatus status = ProblemStatus::kOpen;
  ProblemActor actor;
  std::optional<std::string> comment;
};

struct ProblemUpsert {
  FleetProblem problem;  // the stored row (id filled in)
  bool created = false;
  // False when the stored revision was newer than the one offered: nothing
  // was changed (an old event that arrived late).
  bool applied = false;
};

// Fields: id, last_detected_at, first_detected_at, title, rule_id, status,
// hostname (text/time, sortable, filterable; default -last_detected_at);
// risk_level (integer rank 1 low .. 5 extreme, sortable, range filters:
// min_risk_level = risk_level ge N); host_id (integer, equality: one host's
// problems, each sort backed by a (host_id, sort, id) index); resource,
// agent_problem_id (text, equality); label (a label of the problem's host,
// equality); account_id (integer, equality: one cloud account's problems);
// subject (text, equality: "host" or "cloud"). A filter `contains` over title, hostname and rule_id
// together (the API's `q`) is answered from a trigram index when the text has at least three
// characters. The total of a list filtered by status, risk_level and rule_id only (or not at all)
// is read from per-(rule, status, risk) counts, so it stays exact and cheap at a million rows.
const ListSchema& FleetProblemListSchema();
// Fields: id, revision (sortable; default revision), at (time, sortable,
// range); problem_id (equality, required in practice: one problem's
// history); action (text, equality).
const ListSchema& ProblemHistoryListSchema();

class FleetProblemRepository {
 public:
  virtual ~FleetProblemRepository() = default;
  virtual Result<std::optional<FleetProblem>> Get(int64_t id) = 0;
  virtual Result<std::optional<FleetProblem>> FindByAgentId(int64_t host_id,
                                                            std::string_view agent_problem_id) = 0;
  virtual Result<std::optional<FleetProblem>> FindByCloudId(int64_t cloud_account_id,
                                                            std::string_view problem_id) = 0;
  virtual Result<ListPage<FleetProblem>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<FleetProblem>& row) = 0;
  // As Export, with finding_json and details_json left "{}" and "[]": for
  // outputs that show neither (CSV), reading a fraction of each row.
  virtual Status ExportWithoutFinding(const ListQuery& query,
                                      const RowCallback<FleetProblem>& row) = 0;
  virtual Result<ListPage<ProblemHistoryRecord>> ListHistory(const ListQuery& query) = 0;
  virtual Status ExportHistory(const ListQuery& query,
                               const RowCallback<ProblemHistoryRecord>& row) = 0;
};

class FleetProblemWriter {
 public:
  virtual ~FleetProblemWriter() = default;
  virtual Result<std::optional<FleetProblem>> Get(int64_t id) = 0;
  // Inserts the problem of (host_id, agent_problem_id) - or, with
  // cloud_account_id set, of (cloud_account_id, agent_problem_id) - or
  // replaces it when
  // the offered revision is at least the stored one (the id, first
  // detection and the earlier of the two first_detected_at are kept, and
  // so is who dismissed it when both are dismissed with the same comment:
  // an agent reporting back a dismissal made on the server does not know
  // who made it).
  // InvalidArgument when neither or both of host_id and cloud_account_id
  // are given, or agent_problem_id or rule_id is missing,
  // or finding_json / details_json is not a JSON object / array.
  virtual Result<ProblemUpsert> Upsert(const FleetProblem& problem) = 0;
  virtual Result<std::optional<FleetProblem>> FindByCloudId(int64_t cloud_account_id,
                                                            std::string_view problem_id) = 0;
  // Appends one history entry; its id.
  virtual Result<int64_t> AppendHistory(const ProblemHistoryRecord& entry) = 0;
  // Up to `limit` dismissed problems whose dismissal ended at or before
  // `now`, the earliest expiry first.
  virtual Result<std::vector<FleetProblem>> ExpiredDismissals(EpochMs now, int limit) = 0;
};

}  // namespace warden::store
