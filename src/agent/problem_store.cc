#include "agent/problem_store.h"

#include <algorithm>
#include <cctype>

#include "core/time_format.h"

namespace warden {

std::string_view ProblemStatusName(ProblemStatus status) {
  switch (status) {
    case ProblemStatus::kOpen:
      return "open";
    case ProblemStatus::kResolved:
      return "resolved";
    case ProblemStatus::kDismissed:
      return "dismissed";
  }
  return "open";
}

std::optional<ProblemStatus> ParseProblemStatus(std::string_view name) {
  for (ProblemStatus s :
       {ProblemStatus::kOpen, ProblemStatus::kResolved, ProblemStatus::kDismissed})
    if (ProblemStatusName(s) == name) return s;
  return std::nullopt;
}

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
    "status_changed, "
    "resolved_at, times_reopened, revision, dismissed_comment, dismissed_at, dismissed_until, "
    "finding, ocsf_extra";

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
  p.finding = ParseJsonOr(st.Text(16), Json::object());
  p.ocsf_extra = ParseJsonOr(st.Text(17), Json::object());
  return p;
}

// What counts as a change worth an "updated" event: the finding's identity,
// title, risk and attributes, not its evidence (pids, timestamps).
std::string Fingerprint(const Finding& f) {
  return f.title + "\x1f" + std::string(RiskLevelName(f.risk_level)) + "\x1f" + f.resource +
         "\x1f" + f.attributes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Fingerprint(const Problem& p) {
  Finding f = ProblemFinding(p);
  return Fingerprint(f);
}

std::string_view TrimComment(std::string_view c) {
  while (!c.empty() && std::isspace(static_cast<unsigned char>(c.front()))) c.remove_prefix(1);
  while (!c.empty() && std::isspace(static_cast<unsigned char>(c.back()))) c.remove_suffix(1);
  return c;
}

bool DismissalExpired(const Problem& p, int64_t now) {
  return p.status == ProblemStatus::kDismissed && p.dismissed_until > 0 && p.dismissed_until <= now;
}

ProblemEvent MakeEvent(const Problem& p, std::string action, std::string comment, int64_t now) {
  ProblemEvent e;
  e.action = std::move(action);
  e.at = now;
  e.comment = std::move(comment);
  e.problem = p;
  return e;
}

Problem NewProblem(const Finding& f, const std::string& rule_id, const std::string& host,
                   int64_t now) {
  Problem p;
  p.id = f.id;
  p.rule_id = rule_id;
  p.host = host;
  p.title = f.title;
  p.risk_level = f.risk_level;
  p.resource = f.resource;
  p.status = ProblemStatus::kOpen;
  p.first_detected = p.last_detected = p.status_changed = now;
  p.revision = 1;
  p.finding = FindingToJson(f);
  p.ocsf_extra = f.ocsf_extra;
  p.finding["first_seen"] = FormatRfc3339(p.first_detected);
  return p;
}

// A known problem detected again: takes the latest finding and, when the
// problem was resolved or its dismissal has expired, reopens it (`action`
// is then "reopened", else left empty).
void Redetect(const Finding& f, int64_t now, Problem* p, std::string* action,
              std::string* comment) {
  p->title = f.title;
  p->risk_level = f.risk_level;
  p->resource = f.resource;
  p->last_detected = now;
  p->finding = FindingToJson(f);
  p->finding["first_seen"] = FormatRfc3339(p->first_detected);
  p->ocsf_extra = f.ocsf_extra;
  if (p->status == ProblemStatus::kResolved) {
    p->status = ProblemStatus::kOpen;
    p->status_changed = now;
    p->resolved_at = 0;
    ++p->times_reopened;
    ++p->revision;
    *action = "reopened";
  } else if (DismissalExpired(*p, now)) {
    p->status = ProblemStatus::kOpen;
    p->status_changed = now;
    ++p->revision;
    *action = "reopened";
    *comment = "dismissal expired on " + FormatRfc3339(p->dismissed_until);
  }
}

}  // namespace

Result<std::unique_ptr<ProblemStore>> ProblemStore::Open(const std::string& path, bool read_only) {
  ASSIGN_OR_RETURN(auto db,
                   SqliteDatabase::Open(path, read_only ? SqliteDatabase::Mode::kReadOnly
                                                        : SqliteDatabase::Mode::kReadWriteCreate));
  if (!read_only) RETURN_IF_ERROR(db->Exec(kSchema));
  return std::unique_ptr<ProblemStore>(new ProblemStore(std::move(db)));
}

Status ProblemStore::Save(const Problem& p, bool insert) {
  const std::string sql =
      insert ? std::string("INSERT INTO problems(") + kColumns +
                   ", fingerprint) "
                   "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)"
             : "UPDATE problems SET rule_id=?2, host=?3, title=?4, risk_level=?5, resource=?6, "
               "status=?7, "
               "first_detected=?8, last_detected=?9, status_changed=?10, resolved_at=?11, "
               "times_reopened=?12, "
               "revision=?13, dismissed_comment=?14, dismissed_at=?15, dismissed_until=?16, "
               "finding=?17, "
               "ocsf_extra=?18, fingerprint=?19 WHERE id=?1";
  ASSIGN_OR_RETURN(SqliteStatement st, db_->Prepare(sql));
  st.Bind(1, p.id)
      .Bind(2, p.rule_id)
      .Bind(3, p.host)
      .Bind(4, p.title)
      .Bind(5, RiskLevelName(p.risk_level));
  st.Bind(6, p.resource)
      .Bind(7, ProblemStatusName(p.status))
      .Bind(8, p.first_detected)
      .Bind(9, p.last_detected);
  st.Bind(10, p.status_changed)
      .Bind(11, p.resolved_at)
      .Bind(12, p.times_reopened)
      .Bind(13, p.revision);
  st.Bind(14, p.dismissed_comment).Bind(15, p.dismissed_at).Bind(16, p.dismissed_until);
  st.Bind(17, p.finding.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .Bind(18, p.ocsf_extra.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .Bind(19, Fingerprint(p));
  return st.Run();
}

Status ProblemStore::AddHistory(const ProblemEvent& e) {
  ASSIGN_OR_RETURN(
      SqliteStatement st,
      db_->Prepare(
          "INSERT OR REPLACE INTO problem_history(problem_id, revision, at, action, status, "
          "comment) VALUES(?,?,?,?,?,?)"));
  st.Bind(1, e.problem.id).Bind(2, e.problem.revision).Bind(3, e.at).Bind(4, e.action);
  st.Bind(5, ProblemStatusName(e.problem.status)).Bind(6, e.comment);
  return st.Run();
}

Result<std::vector<ProblemEvent>> ProblemStore::Reconcile(const std::string& rule_id,
                                                          const std::string& host,
                                                          const DetectorObservation& seen,
                                                          int64_t now,
                                                          const BeforeCommit& before_commit) {
  ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  std::map<std::string, Problem> existing;
  {
    ASSIGN_OR_RETURN(SqliteStatement st, db_->Prepare(std::string("SELECT ") + kColumns +
                                                      " FROM problems WHERE rule_id=? AND host=?"));
    st.Bind(1, rule_id).Bind(2, host);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      Problem p = ReadProblem(st);
      existing.emplace(p.id, std::move(p));
    }
  }
  std::vector<ProblemEvent> events;
  auto emit = [&](const Problem& p, std::string action, std::string comment) {
    events.push_back(MakeEvent(p, std::move(action), std::move(comment), now));
  };

  std::set<std::string> seen_ids;
  for (const Finding& f : seen.findings) {
    if (!seen_ids.insert(f.id).second) continue;  // a detector reporting one condition twice
    auto it = existing.find(f.id);
    if (it == existing.end()) {
      Problem p = NewProblem(f, rule_id, host, now);
      RETURN_IF_ERROR(Save(p, /*insert=*/true));
      emit(p, "opened", "");
    } else {
      Problem& p = it->second;
      const bool changed = Fingerprint(p) != Fingerprint(f);
      std::string action, comment;
      Redetect(f, now, &p, &action, &comment);
      if (action.empty() && p.status == ProblemStatus::kOpen && changed) {
        ++p.revision;
        action = "updated";
      }
      RETURN_IF_ERROR(Save(p, /*insert=*/false));
      if (!action.empty()) emit(p, action, comment);
    }
  }
  for (auto& [id, p] : existing) {
    if (seen_ids.count(id)) continue;
    if (p.status == ProblemStatus::kOpen || DismissalExpired(p, now)) {
      std::string comment = p.status == ProblemStatus::kDismissed
                                ? "dismissal expired on " + FormatRfc3339(p.dismissed_until)
                                : "";
      p.status = ProblemStatus::kResolved;
      p.status_changed = now;
      p.resolved_at = now;
      ++p.revision;
      RETURN_IF_ERROR(Save(p, /*insert=*/false));
      emit(p, "resolved", comment);
    }
  }
  for (const ProblemEvent& e : events) RETURN_IF_ERROR(AddHistory(e));

  // Drill-down findings: replaced for every problem seen on this run.
  {
    ASSIGN_OR_RETURN(SqliteStatement del,
                     db_->Prepare("DELETE FROM problem_details WHERE problem_id=?"));
    ASSIGN_OR_RETURN(SqliteStatement ins,
                     db_->Prepare("INSERT OR REPLACE INTO problem_details(problem_id, detail_id, "
                                  "finding) VALUES(?,?,?)"));
    for (const std::string& id : seen_ids) {
      auto d = seen.details.find(id);
      del.Bind(1, id);
      RETURN_IF_ERROR(del.Run());
      if (d == seen.details.end()) continue;
      for (const Finding& f : d->second) {
        ins.Bind(1, id).Bind(2, f.id).Bind(
            3, FindingToJson(f).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        RETURN_IF_ERROR(ins.Run());
      }
    }
  }
  if (before_commit) RETURN_IF_ERROR(before_commit(events));
  RETURN_IF_ERROR(txn->Commit());
  return events;
}

Result<std::vector<ProblemEvent>> ProblemStore::Raise(const std::vector<Finding>& findings,
                                                      const std::string& host, int64_t now,
                                                      const BeforeCommit& before_commit) {
  if (findings.empty()) return std::vector<ProblemEvent>{};
  ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(SqliteStatement get,
                   db_->Prepare(std::string("SELECT ") + kColumns + " FROM problems WHERE id=?"));
  std::vector<ProblemEvent> events;
  std::map<std::string, Problem> touched;  // one write per problem per call
  std::map<std::string, bool> inserted;
  for (const Finding& f : findings) {
    auto it = touched.find(f.id);
    if (it == touched.end()) {
      get.Bind(1, f.id);
      ASSIGN_OR_RETURN(bool row, get.Step());
      if (row) {
        it = touched.emplace(f.id, ReadProblem(get)).first;
        inserted[f.id] = false;
      }
      get.Reset();
    }
    std::string action, comment;
    int64_t before = 0;  // occurrences so far (Redetect replaces the finding)
    if (it != touched.end()) {
      const Json& seen = it->second.finding;
      if (seen.contains("occurrences") && seen["occurrences"].is_number_integer())
        before = seen["occurrences"].get<int64_t>();
    }
    if (it == touched.end()) {
      it = touched.emplace(f.id, NewProblem(f, f.rule_id, host, now)).first;
      inserted[f.id] = true;
      action = "opened";
    } else {
      Redetect(f, now, &it->second, &action, &comment);
    }
    Problem& p = it->second;
    // Occurrences, for people: an open runtime problem absorbs repeats
    // silently (each firing still reaches the sinks as an event record).
    p.finding["occurrences"] = before + 1;
    if (!action.empty()) events.push_back(MakeEvent(p, std::move(action), std::move(comment), now));
  }
  for (auto& [id, p] : touched) RETURN_IF_ERROR(Save(p, inserted[id]));
  for (const ProblemEvent& e : events) RETURN_IF_ERROR(AddHistory(e));
  if (before_commit) RETURN_IF_ERROR(before_commit(events));
  RETURN_IF_ERROR(txn->Commit());
  return events;
}

Result<std::string> ProblemStore::ResolveId(const std::string& id_or_prefix) {
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

Result<ProblemEvent> ProblemStore::Dismiss(const std::string& id_or_prefix,
                                           const std::string& comment, int64_t until_epoch,
                                           int64_t now, const BeforeCommit& before_commit) {
  if (std::string(TrimComment(comment)).empty())
    return InvalidArgument("--comment: a dismissal needs a comment saying why");
  ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(std::string id, ResolveId(id_or_prefix));
  ASSIGN_OR_RETURN(Problem p, Get(id));
  p.status = ProblemStatus::kDismissed;
  p.status_changed = now;
  p.dismissed_comment = comment;
  p.dismissed_at = now;
  p.dismissed_until = until_epoch;
  ++p.revision;
  RETURN_IF_ERROR(Save(p, /*insert=*/false));
  ProblemEvent e = MakeEvent(p, "dismissed", comment, now);
  RETURN_IF_ERROR(AddHistory(e));
  if (before_commit) RETURN_IF_ERROR(before_commit({e}));
  RETURN_IF_ERROR(txn->Commit());
  return e;
}

Result<std::vector<Problem>> ProblemStore::List(const ProblemFilter& filter) {
  ASSIGN_OR_RETURN(
      SqliteStatement st,
      db_->Prepare(std::string("SELECT ") + kColumns +
                   " FROM problems WHERE (?1 = '' OR rule_id = ?1) ORDER BY "
                   "CASE status WHEN 'open' THEN 0 WHEN 'dismissed' THEN 1 ELSE 2 END, "
                   "last_detected DESC, id"));
  st.Bind(1, filter.rule_id);
  std::vector<Problem> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Problem p = ReadProblem(st);
    if (!filter.statuses.empty() && !filter.statuses.count(p.status)) continue;
    out.push_back(std::move(p));
  }
  // Within a status, riskier first (stable: recency order is kept for ties).
  std::stable_sort(out.begin(), out.end(), [](const Problem& a, const Problem& b) {
    if (a.status != b.status) return false;
    return static_cast<int>(a.risk_level) > static_cast<int>(b.risk_level);
  });
  return out;
}

Result<Problem> ProblemStore::Get(const std::string& id_or_prefix) {
  ASSIGN_OR_RETURN(std::string id, ResolveId(id_or_prefix));
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare(std::string("SELECT ") + kColumns + " FROM problems WHERE id=?"));
  st.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("no problem with id '" + id + "'");
  return ReadProblem(st);
}

Result<std::vector<ProblemHistoryEntry>> ProblemStore::History(const std::string& id) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("SELECT revision, at, action, status, comment FROM "
                                "problem_history WHERE problem_id=? ORDER BY revision"));
  st.Bind(1, id);
  std::vector<ProblemHistoryEntry> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ProblemHistoryEntry h;
    h.revision = st.Int(0);
    h.at = st.Int(1);
    h.action = st.Text(2);
    h.status = ParseProblemStatus(st.Text(3)).value_or(ProblemStatus::kOpen);
    h.comment = st.Text(4);
    out.push_back(std::move(h));
  }
  return out;
}

Result<std::vector<Json>> ProblemStore::Details(const std::string& id) {
  ASSIGN_OR_RETURN(
      SqliteStatement st,
      db_->Prepare("SELECT finding FROM problem_details WHERE problem_id=? ORDER BY detail_id"));
  st.Bind(1, id);
  std::vector<Json> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ParseJsonOr(st.Text(0), Json::object()));
  }
  return out;
}

Result<std::map<ProblemStatus, int64_t>> ProblemStore::Counts() {
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

Finding ProblemFinding(const Problem& p) {
  Finding f;
  const Json& j = p.finding;
  auto str = [&](const char* k) {
    return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
  };
  f.id = p.id;
  f.rule_id = p.rule_id;
  f.title = p.title;
  f.description = str("description");
  f.risk_level = p.risk_level;
  f.source = str("source");
  f.resource = p.resource;
  f.first_seen = p.first_detected;
  f.last_seen = p.last_detected;
  f.remediation = str("remediation");
  if (j.contains("links") && j["links"].is_array())
    for (const auto& l : j["links"])
      if (l.is_string()) f.links.push_back(l.get<std::string>());
  if (j.contains("evidence")) f.evidence = j["evidence"];
  static const std::set<std::string> kCommon = {
      "id",       "rule_id",    "title",     "description", "risk_level", "source",
      "resource", "first_seen", "last_seen", "remediation", "links",      "evidence"};
  for (const auto& [k, v] : j.items())
    if (!kCommon.count(k)) f.attributes[k] = v;
  f.ocsf_extra = p.ocsf_extra;
  return f;
}

Json ProblemToJson(const Problem& p) {
  Json j = Json::object();
  j["id"] = p.id;
  j["rule_id"] = p.rule_id;
  j["title"] = p.title;
  j["risk_level"] = RiskLevelName(p.risk_level);
  j["status"] = ProblemStatusName(p.status);
  j["host"] = p.host;
  j["resource"] = p.resource;
  j["first_detected"] = FormatRfc3339(p.first_detected);
  j["last_detected"] = FormatRfc3339(p.last_detected);
  j["status_changed"] = FormatRfc3339(p.status_changed);
  j["resolved_at"] = p.resolved_at ? Json(FormatRfc3339(p.resolved_at)) : Json(nullptr);
  j["times_reopened"] = p.times_reopened;
  j["revision"] = p.revision;
  if (p.status == ProblemStatus::kDismissed || p.dismissed_at) {
    j["dismissed"] = {
        {"comment", p.dismissed_comment},
        {"at", FormatRfc3339(p.dismissed_at)},
        {"until", p.dismissed_until ? Json(FormatRfc3339(p.dismissed_until)) : Json(nullptr)}};
  } else {
    j["dismissed"] = nullptr;
  }
  j["finding"] = p.finding;
  return j;
}

std::string ProblemEventId(const ProblemEvent& e) {
  return e.problem.id + "." + std::to_string(e.problem.revision);
}

Json ProblemEventToJson(const ProblemEvent& e) {
  Json j = Json::object();
  j["record_id"] = ProblemEventId(e);
  j["event"] = e.action;
  j["event_time"] = FormatRfc3339(e.at);
  j["comment"] = e.comment.empty() ? Json(nullptr) : Json(e.comment);
  const Json problem = ProblemToJson(e.problem);
  for (auto it = problem.begin(); it != problem.end(); ++it) j[it.key()] = it.value();
  return j;
}

Json ProblemEventToOcsf(const ProblemEvent& e) {
  const Problem& p = e.problem;
  Finding f = ProblemFinding(p);
  const OcsfClass cls =
      p.rule_id == "HOST-VULN" ? OcsfClass::kVulnerabilityFinding : OcsfClass::kDetectionFinding;
  Json j = FindingToOcsf(f, cls);
  int activity_id = 2;
  std::string activity = "Update";
  if (e.action == "opened") {
    activity_id = 1;
    activity = "Create";
  } else if (e.action == "resolved") {
    activity_id = 3;
    activity = "Close";
  }
  j["activity_id"] = activity_id;
  j["activity_name"] = activity;
  j["type_uid"] = static_cast<int>(cls) * 100 + activity_id;
  j["time"] = e.at * 1000;
  switch (p.status) {
    case ProblemStatus::kOpen:
      j["status_id"] = e.action == "opened" ? 1 : 2;
      j["status"] = e.action == "opened" ? "New" : "In Progress";
      break;
    case ProblemStatus::kDismissed:
      j["status_id"] = 3;
      j["status"] = "Suppressed";
      break;
    case ProblemStatus::kResolved:
      j["status_id"] = 4;
      j["status"] = "Resolved";
      break;
  }
  if (!e.comment.empty()) j["comment"] = e.comment;
  j["metadata"]["uid"] = ProblemEventId(e);
  j["metadata"]["event_code"] = e.action;
  j["device"] = {{"hostname", p.host}, {"type_id", 0}};
  return j;
}

}  // namespace warden
