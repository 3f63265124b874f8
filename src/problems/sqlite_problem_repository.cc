#include "problems/sqlite_problem_repository.h"

#include <algorithm>

#include "problems/problem_lifecycle.h"
#include "problems/problem_rendering.h"

namespace warden {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS problems(
  id TEXT PRIMARY KEY,
  rule_id TEXT NOT NULL,
  host TEXT NOT NULL,
  title TEXT NOT NULL,
  risk_level TEXT NOT NULL,
  resource TEXT NOT NULL,
  status TEXT NOT NULL,
  first_detected INTEGER NOT NULL,
  last_detected INTEGER NOT NULL,
  status_changed INTEGER NOT NULL,
  resolved_at INTEGER NOT NULL DEFAULT 0,
  times_reopened INTEGER NOT NULL DEFAULT 0,
  revision INTEGER NOT NULL,
  dismissed_comment TEXT NOT NULL DEFAULT '',
  dismissed_at INTEGER NOT NULL DEFAULT 0,
  dismissed_until INTEGER NOT NULL DEFAULT 0,
  fingerprint TEXT NOT NULL,
  finding TEXT NOT NULL,
  ocsf_extra TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS problems_by_rule ON problems(rule_id, host);
CREATE TABLE IF NOT EXISTS problem_history(
  problem_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  status TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(problem_id, revision));
CREATE TABLE IF NOT EXISTS problem_details(
  problem_id TEXT NOT NULL,
  detail_id TEXT NOT NULL,
  finding TEXT NOT NULL,
  PRIMARY KEY(problem_id, detail_id));
)sql";

constexpr const char* kColumns =
    "id, rule_id, host, title, risk_level, resource, status, first_detected, last_detected, "
    "status_changed, resolved_at, times_reopened, revision, dismissed_comment, dismissed_at, "
    "dismissed_until, finding, ocsf_extra";

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Json ParseJsonOr(const std::string& text, Json fallback) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? fallback : j;
}

Problem ReadProblem(const SqliteStatement& st) {
  Problem p;
  p.id = st.Text(0);
  p.rule_id = st.Text(1);
  p.host = st.Text(2);
  p.title = st.Text(3);
  p.risk_level = ParseRiskLevel(st.Text(4)).value_or(RiskLevel::kLow);
  p.resource = st.Text(5);
  p.status = ParseProblemStatus(st.Text(6)).value_or(ProblemStatus::kOpen);
  p.first_detected = st.Int(7);
  p.last_detected = st.Int(8);
  p.status_changed = st.Int(9);
  p.resolved_at = st.Int(10);
  p.times_reopened = st.Int(11);
  p.revision = st.Int(12);
  p.dismissed_comment = st.Text(13);
  p.dismissed_at = st.Int(14);
  p.dismissed_until = st.Int(15);
  Json finding = ParseJsonOr(st.Text(16), Json::object());
  if (auto it = finding.find("occurrences"); it != finding.end()) {
    if (it->is_number_integer()) p.occurrences = it->get<int64_t>();
    finding.erase(it);
  }
  p.finding = FindingFromJson(finding);
  p.finding.ocsf_extra = ParseJsonOr(st.Text(17), Json::object());
  return p;
}

// The stored fingerprint column (kept for earlier readers of the file).
std::string StoredFingerprint(const Problem& p) {
  Finding f = p.finding;
  f.title = p.title;
  f.risk_level = p.risk_level;
  f.resource = p.resource;
  if (p.occurrences > 0) f.attributes["occurrences"] = p.occurrences;
  return ProblemFingerprint(f);
}

template <typename Row>
Result<std::vector<Row>> ReadAll(SqliteStatement& st, Row (*read)(const SqliteStatement&)) {
  std::vector<Row> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(read(st));
  }
  return out;
}

std::vector<ProblemEvent> StateChanges(std::vector<ProblemEvent> events) {
  events.erase(std::remove_if(events.begin(), events.end(),
                              [](const ProblemEvent& e) { return !IsStateChange(e.action); }),
               events.end());
  return events;
}

}  // namespace

Result<std::unique_ptr<SqliteProblemRepository>> SqliteProblemRepository::Open(
    const std::string& path, bool read_only) {
  ASSIGN_OR_RETURN(auto db,
                   SqliteDatabase::Open(path, read_only ? SqliteDatabase::Mode::kReadOnly
                                                        : SqliteDatabase::Mode::kReadWriteCreate));
  if (!read_only) RETURN_IF_ERROR(db->Exec(kSchema));
  return std::unique_ptr<SqliteProblemRepository>(new SqliteProblemRepository(std::move(db)));
}

Status SqliteProblemRepository::Save(const ProblemChange& change) {
  const Problem& p = change.problem;
  const std::string sql =
      change.is_new
          ? std::string("INSERT INTO problems(") + kColumns +
                ", fingerprint) "
                "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)"
          : "UPDATE problems SET rule_id=?2, host=?3, title=?4, risk_level=?5, resource=?6, "
            "status=?7, first_detected=?8, last_detected=?9, status_changed=?10, "
            "resolved_at=?11, times_reopened=?12, revision=?13, dismissed_comment=?14, "
            "dismissed_at=?15, dismissed_until=?16, finding=?17, ocsf_extra=?18, "
            "fingerprint=?19 WHERE id=?1";
  ASSIGN_OR_RETURN(SqliteStatement st, db_->Prepare(sql));
  st.Bind(1, p.id).Bind(2, p.rule_id).Bind(3, p.host).Bind(4, p.title);
  st.Bind(5, RiskLevelName(p.risk_level)).Bind(6, p.resource).Bind(7, ProblemStatusName(p.status));
  st.Bind(8, p.first_detected).Bind(9, p.last_detected).Bind(10, p.status_changed);
  st.Bind(11, p.resolved_at).Bind(12, p.times_reopened).Bind(13, p.revision);
  st.Bind(14, p.dismissed_comment).Bind(15, p.dismissed_at).Bind(16, p.dismissed_until);
  st.Bind(17, Dump(ProblemFindingToJson(p)))
      .Bind(18, Dump(p.finding.ocsf_extra))
      .Bind(19, StoredFingerprint(p));
  return st.Run();
}

Status SqliteProblemRepository::Write(const std::vector<ProblemChange>& changes,
                                      const std::vector<ProblemEvent>& events) {
  for (const ProblemChange& c : changes) RETURN_IF_ERROR(Save(c));
  ASSIGN_OR_RETURN(
      SqliteStatement st,
      db_->Prepare("INSERT OR REPLACE INTO problem_history(problem_id, revision, at, action, "
                   "status, comment) VALUES(?,?,?,?,?,?)"));
  for (const ProblemEvent& e : events) {
    if (!IsStateChange(e.action)) continue;
    st.Bind(1, e.problem.id).Bind(2, e.problem.revision).Bind(3, e.at);
    st.Bind(4, ProblemActionName(e.action)).Bind(5, ProblemStatusName(e.problem.status));
    st.Bind(6, e.comment);
    RETURN_IF_ERROR(st.Run());
  }
  return Status::Ok();
}

Result<std::vector<ProblemEvent>> SqliteProblemRepository::Reconcile(
    const std::string& rule_id, const std::string& host, const Observation& seen, int64_t now,
    const BeforeCommit& before_commit) {
  ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(SqliteStatement st, db_->Prepare(std::string("SELECT ") + kColumns +
                                                    " FROM problems WHERE rule_id=? AND host=?"));
  st.Bind(1, rule_id).Bind(2, host);
  ASSIGN_OR_RETURN(std::vector<Problem> existing, ReadAll(st, ReadProblem));
  LifecycleOutcome outcome = ReconcileProblems(existing, rule_id, host, seen, now);
  RETURN_IF_ERROR(Write(outcome.changes, outcome.events));

  // Drill-down findings: replaced for every problem seen on this run.
  ASSIGN_OR_RETURN(SqliteStatement del,
                   db_->Prepare("DELETE FROM problem_details WHERE problem_id=?"));
  ASSIGN_OR_RETURN(SqliteStatement ins,
                   db_->Prepare("INSERT OR REPLACE INTO problem_details(problem_id, detail_id, "
                                "finding) VALUES(?,?,?)"));
  std::set<std::string> seen_ids;
  for (const Finding& f : seen.findings) seen_ids.insert(f.id);
  for (const std::string& id : seen_ids) {
    del.Bind(1, id);
    RETURN_IF_ERROR(del.Run());
    auto d = seen.details.find(id);
    if (d == seen.details.end()) continue;
    for (const Finding& f : d->second) {
      ins.Bind(1, id).Bind(2, f.id).Bind(3, Dump(FindingToJson(f)));
      RETURN_IF_ERROR(ins.Run());
    }
  }
  std::vector<ProblemEvent> events = StateChanges(std::move(outcome.events));
  if (before_commit) RETURN_IF_ERROR(before_commit(events));
  RETURN_IF_ERROR(txn->Commit());
  return events;
}

Result<std::vector<ProblemEvent>> SqliteProblemRepository::Raise(
    const std::vector<Finding>& findings, const std::string& host, int64_t now,
    const BeforeCommit& before_commit) {
  if (findings.empty()) return std::vector<ProblemEvent>{};
  ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(SqliteStatement get,
                   db_->Prepare(std::string("SELECT ") + kColumns + " FROM problems WHERE id=?"));
  std::vector<Problem> known;
  std::set<std::string> looked_up;
  for (const Finding& f : findings) {
    if (!looked_up.insert(f.id).second) continue;
    get.Bind(1, f.id);
    ASSIGN_OR_RETURN(bool row, get.Step());
    if (row) known.push_back(ReadProblem(get));
    get.Reset();
  }
  LifecycleOutcome outcome = RaiseProblems(known, findings, host, now);
  RETURN_IF_ERROR(Write(outcome.changes, outcome.events));
  std::vector<ProblemEvent> events = StateChanges(std::move(outcome.events));
  if (before_commit) RETURN_IF_ERROR(before_commit(events));
  RETURN_IF_ERROR(txn->Commit());
  return events;
}

Result<std::string> SqliteProblemRepository::ResolveId(const std::string& id_or_prefix) {
  if (id_or_prefix.empty()) return InvalidArgument("problem id: empty");
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("SELECT id FROM problems WHERE id = ?1 OR "
                                "(length(?1) >= 6 AND substr(id, 1, length(?1)) = ?1) LIMIT 3"));
  st.Bind(1, id_or_prefix);
  std::vector<std::string> ids;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ids.push_back(st.Text(0));
  }
  if (std::find(ids.begin(), ids.end(), id_or_prefix) != ids.end()) return id_or_prefix;
  if (ids.empty())
    return NotFound("no problem with id '" + id_or_prefix + "' (see warden agent problems)");
  if (ids.size() > 1)
    return InvalidArgument("problem id prefix '" + id_or_prefix +
                           "' is ambiguous; give more of it");
  return ids[0];
}

Result<ProblemEvent> SqliteProblemRepository::Dismiss(const std::string& id_or_prefix,
                                                      const std::string& comment,
                                                      int64_t until_epoch, int64_t now,
                                                      const BeforeCommit& before_commit) {
  RETURN_IF_ERROR(CheckDismissalComment(comment));
  ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(Problem p, Get(id_or_prefix));
  ASSIGN_OR_RETURN(ProblemEvent e, DismissProblem(std::move(p), comment, until_epoch, now));
  RETURN_IF_ERROR(Write({{e.problem, false}}, {e}));
  if (before_commit) RETURN_IF_ERROR(before_commit({e}));
  RETURN_IF_ERROR(txn->Commit());
  return e;
}

Result<ProblemEvent> SqliteProblemRepository::Undismiss(const std::string& id_or_prefix,
                                                        const std::string& comment, int64_t now,
                                                        const BeforeCommit& before_commit) {
  ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(Problem p, Get(id_or_prefix));
  ASSIGN_OR_RETURN(ProblemEvent e, UndismissProblem(std::move(p), comment, now));
  RETURN_IF_ERROR(Write({{e.problem, false}}, {e}));
  if (before_commit) RETURN_IF_ERROR(before_commit({e}));
  RETURN_IF_ERROR(txn->Commit());
  return e;
}

Result<std::vector<Problem>> SqliteProblemRepository::List(const ProblemFilter& filter) {
  ASSIGN_OR_RETURN(
      SqliteStatement st,
      db_->Prepare(std::string("SELECT ") + kColumns +
                   " FROM problems WHERE (?1 = '' OR rule_id = ?1) ORDER BY "
                   "CASE status WHEN 'open' THEN 0 WHEN 'dismissed' THEN 1 ELSE 2 END, "
                   "last_detected DESC, id"));
  st.Bind(1, filter.rule_id);
  ASSIGN_OR_RETURN(std::vector<Problem> all, ReadAll(st, ReadProblem));
  std::vector<Problem> out;
  for (Problem& p : all)
    if (filter.statuses.empty() || filter.statuses.count(p.status)) out.push_back(std::move(p));
  // Within a status, riskier first (stable: recency order is kept for ties).
  std::stable_sort(out.begin(), out.end(), [](const Problem& a, const Problem& b) {
    if (a.status != b.status) return false;
    return static_cast<int>(a.risk_level) > static_cast<int>(b.risk_level);
  });
  return out;
}

Result<Problem> SqliteProblemRepository::Get(const std::string& id_or_prefix) {
  ASSIGN_OR_RETURN(std::string id, ResolveId(id_or_prefix));
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare(std::string("SELECT ") + kColumns + " FROM problems WHERE id=?"));
  st.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("no problem with id '" + id + "'");
  return ReadProblem(st);
}

Result<std::vector<ProblemHistoryEntry>> SqliteProblemRepository::History(const std::string& id) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("SELECT revision, at, action, status, comment FROM "
                                "problem_history WHERE problem_id=? ORDER BY revision"));
  st.Bind(1, id);
  return ReadAll<ProblemHistoryEntry>(st, [](const SqliteStatement& row) {
    ProblemHistoryEntry h;
    h.revision = row.Int(0);
    h.at = row.Int(1);
    h.action = ParseProblemAction(row.Text(2)).value_or(ProblemAction::kUpdated);
    h.status = ParseProblemStatus(row.Text(3)).value_or(ProblemStatus::kOpen);
    h.comment = row.Text(4);
    return h;
  });
}

Result<std::vector<Finding>> SqliteProblemRepository::Details(const std::string& id) {
  ASSIGN_OR_RETURN(
      SqliteStatement st,
      db_->Prepare("SELECT finding FROM problem_details WHERE problem_id=? ORDER BY detail_id"));
  st.Bind(1, id);
  return ReadAll<Finding>(st, [](const SqliteStatement& row) {
    return FindingFromJson(ParseJsonOr(row.Text(0), Json::object()));
  });
}

Result<std::map<ProblemStatus, int64_t>> SqliteProblemRepository::Counts() {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("SELECT status, count(*) FROM problems GROUP BY status"));
  std::map<ProblemStatus, int64_t> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (auto s = ParseProblemStatus(st.Text(0))) out[*s] = st.Int(1);
  }
  return out;
}

}  // namespace warden
