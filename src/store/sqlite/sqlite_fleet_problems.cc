// The fleet's problems and their history.
#include <nlohmann/json.hpp>

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

constexpr std::string_view kProblemColumns =
    "id, host_id, hostname, agent_problem_id, rule_id, title, description, risk_rank, status, "
    "resource, first_detected_at, last_detected_at, status_changed_at, resolved_at, "
    "times_reopened, revision, dismissed_comment, dismissed_at, dismissed_until, "
    "dismissed_by_type, dismissed_by_id, dismissed_by_name, finding_json, details_json, "
    "updated_at, remediation, links_json, cloud_account_id, occurrences";
constexpr std::string_view kProblemSummaryColumns =
    "id, host_id, hostname, agent_problem_id, rule_id, title, description, risk_rank, status, "
    "resource, first_detected_at, last_detected_at, status_changed_at, resolved_at, "
    "times_reopened, revision, dismissed_comment, dismissed_at, dismissed_until, "
    "dismissed_by_type, dismissed_by_id, dismissed_by_name, NULL, NULL, "
    "updated_at, remediation, links_json, cloud_account_id, occurrences";

FleetProblem ReadProblem(SqliteStatement& st) {
  FleetProblem p;
  p.id = st.Int(0);
  p.host_id = st.IsNull(1) ? 0 : st.Int(1);
  p.hostname = st.Text(2);
  p.agent_problem_id = st.Text(3);
  p.rule_id = st.Text(4);
  p.title = st.Text(5);
  p.description = OptionalText(st, 6);
  int64_t rank = st.Int(7);
  p.risk_level = rank >= 1 && rank <= 5 ? static_cast<RiskLevel>(rank) : RiskLevel::kLow;
  p.status = ParseProblemStatus(st.Text(8)).value_or(ProblemStatus::kOpen);
  p.resource = st.Text(9);
  p.first_detected_at = st.Int(10);
  p.last_detected_at = st.Int(11);
  p.status_changed_at = st.Int(12);
  p.resolved_at = OptionalInt(st, 13);
  p.times_reopened = st.Int(14);
  p.revision = st.Int(15);
  if (!st.IsNull(16)) {
    ProblemDismissal d;
    d.comment = st.Text(16);
    d.at = OptionalInt(st, 17).value_or(0);
    d.until = OptionalInt(st, 18);
    d.by.type = OptionalText(st, 19).value_or("node");
    d.by.id = OptionalText(st, 20).value_or("");
    d.by.name = OptionalText(st, 21).value_or("");
    p.dismissal = std::move(d);
  }
  p.finding_json = st.IsNull(22) ? "{}" : st.Text(22);
  p.details_json = st.IsNull(23) ? "[]" : st.Text(23);
  p.updated_at = st.Int(24);
  p.remediation = OptionalText(st, 25);
  p.links_json = st.Text(26);
  p.cloud_account_id = OptionalInt(st, 27);
  p.occurrences = st.Int(28);
  return p;
}

constexpr std::string_view kHistoryColumns =
    "id, problem_id, revision, at, action, status, actor_type, actor_id, actor_name, comment";

ProblemHistoryRecord ReadHistory(SqliteStatement& st) {
  ProblemHistoryRecord h;
  h.id = st.Int(0);
  h.problem_id = st.Int(1);
  h.revision = st.Int(2);
  h.at = st.Int(3);
  h.action = st.Text(4);
  h.status = ParseProblemStatus(st.Text(5)).value_or(ProblemStatus::kOpen);
  h.actor.type = st.Text(6);
  h.actor.id = st.Text(7);
  h.actor.name = st.Text(8);
  h.comment = OptionalText(st, 9);
  return h;
}

Result<std::optional<FleetProblem>> LoadProblem(SqliteConnection& conn, int64_t id) {
  return QueryOne<FleetProblem>(
      conn, "SELECT " + std::string(kProblemColumns) + " FROM fleet_problems WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadProblem);
}

Result<std::optional<FleetProblem>> LoadByAgentId(SqliteConnection& conn, int64_t host_id,
                                                  std::string_view agent_id) {
  static const std::string sql =
      "SELECT " + std::string(kProblemColumns) +
      " FROM fleet_problems WHERE host_id = ?1 AND agent_problem_id = ?2";
  return QueryOne<FleetProblem>(
      conn, sql, [&](SqliteStatement& st) { st.Bind(1, host_id).Bind(2, agent_id); }, ReadProblem);
}

Result<std::optional<FleetProblem>> LoadByCloudId(SqliteConnection& conn, int64_t account_id,
                                                  std::string_view problem_id) {
  static const std::string sql =
      "SELECT " + std::string(kProblemColumns) +
      " FROM fleet_problems WHERE cloud_account_id = ?1 AND agent_problem_id = ?2";
  return QueryOne<FleetProblem>(
      conn, sql, [&](SqliteStatement& st) { st.Bind(1, account_id).Bind(2, problem_id); },
      ReadProblem);
}

// Binds every column but id as ?1..?28, in kProblemColumns order.
void BindProblem(SqliteStatement& st, const FleetProblem& p) {
  if (p.cloud_account_id)
    st.BindNull(1);
  else
    st.Bind(1, p.host_id);
  st.Bind(2, p.hostname).Bind(3, p.agent_problem_id).Bind(4, p.rule_id).Bind(5, p.title);
  BindOptionalText(st, 6, p.description);
  st.Bind(7, static_cast<int64_t>(p.risk_level))
      .Bind(8, ProblemStatusName(p.status))
      .Bind(9, p.resource)
      .Bind(10, p.first_detected_at)
      .Bind(11, p.last_detected_at)
      .Bind(12, p.status_changed_at);
  BindOptional(st, 13, p.resolved_at);
  st.Bind(14, p.times_reopened).Bind(15, p.revision);
  if (p.dismissal) {
    st.Bind(16, p.dismissal->comment).Bind(17, p.dismissal->at);
    BindOptional(st, 18, p.dismissal->until);
    st.Bind(19, p.dismissal->by.type).Bind(20, p.dismissal->by.id).Bind(21, p.dismissal->by.name);
  } else {
    for (int i = 16; i <= 21; ++i) st.BindNull(i);
  }
  st.Bind(22, p.finding_json).Bind(23, p.details_json).Bind(24, p.updated_at);
  BindOptionalText(st, 25, p.remediation);
  st.Bind(26, p.links_json);
  BindOptional(st, 27, p.cloud_account_id);
  st.Bind(28, p.occurrences);
}

// What lists show of a finding without parsing it: its non-empty
// `remediation` string and its `links` strings (as the API's problem does).
void DeriveFromFinding(const nlohmann::ordered_json& finding, FleetProblem& p) {
  p.remediation.reset();
  if (auto it = finding.find("remediation");
      it != finding.end() && it->is_string() && !it->get<std::string>().empty()) {
    p.remediation = it->get<std::string>();
  }
  nlohmann::ordered_json links = nlohmann::ordered_json::array();
  if (auto it = finding.find("links"); it != finding.end() && it->is_array()) {
    for (const auto& l : *it)
      if (l.is_string()) links.push_back(l);
  }
  p.links_json = links.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Whether `text` is one JSON value that opens with `open` ('{': an object,
// '[': an array). Checked without building the document: the writer stores
// the text as it is.
bool IsJsonOf(std::string_view text, char open) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == open && nlohmann::json::accept(text);
}

// Migration 006's count table and text index, kept by the writer for
// inserts and updates (a trigger would make SQLite keep a statement journal
// for each insert, a quarter of the ingest rate); a host's problems deleted
// with it are kept by that migration's delete triggers.
Status CountProblem(SqliteConnection& conn, const FleetProblem& p, int64_t delta) {
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn.Statement("INSERT INTO fleet_problem_counts (rule_id, status, "
                                  "risk_rank, n) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (rule_id, "
                                  "status, risk_rank) DO UPDATE SET n = n + excluded.n"));
  st->Bind(1, p.rule_id)
      .Bind(2, ProblemStatusName(p.status))
      .Bind(3, static_cast<int64_t>(p.risk_level))
      .Bind(4, delta);
  return st->Run();
}

Status IndexProblemText(SqliteConnection& conn, int64_t id, const FleetProblem& p, bool remove) {
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn.Statement(remove ? "INSERT INTO fleet_problems_text (fleet_problems_text, rowid, "
                              "title, hostname, rule_id) VALUES ('delete', ?1, ?2, ?3, ?4)"
                            : "INSERT INTO fleet_problems_text (rowid, title, hostname, rule_id) "
                              "VALUES (?1, ?2, ?3, ?4)"));
  st->Bind(1, id).Bind(2, p.title).Bind(3, p.hostname).Bind(4, p.rule_id);
  return st->Run();
}

// Keeps the count table and text index true for a row that was `before`
// (nullopt: newly inserted) and is now `after`.
Status KeepListIndexes(SqliteConnection& conn, int64_t id,
                       const std::optional<FleetProblem>& before, const FleetProblem& after) {
  const bool counted_same = before && before->rule_id == after.rule_id &&
                            before->status == after.status &&
                            before->risk_level == after.risk_level;
  if (!counted_same) {
    if (before) RETURN_IF_ERROR(CountProblem(conn, *before, -1));
    RETURN_IF_ERROR(CountProblem(conn, after, 1));
  }
  const bool text_same = before && before->title == after.title &&
                         before->hostname == after.hostname && before->rule_id == after.rule_id;
  if (!text_same) {
    if (before) RETURN_IF_ERROR(IndexProblemText(conn, id, *before, /*remove=*/true));
    RETURN_IF_ERROR(IndexProblemText(conn, id, after, /*remove=*/false));
  }
  return Status::Ok();
}

}  // namespace

const ListTable& FleetProblemListTable() {
  static const ListTable table{
      &FleetProblemListSchema(),
      "fleet_problems",
      kProblemColumns,
      29,
      "id",
      {
          {"id", "id"},
          {"last_detected_at", "last_detected_at"},
          {"first_detected_at", "first_detected_at"},
          {"risk_level", "risk_rank"},
          {"rule_id", "rule_id"},
          {"status", "status"},
          {"title", "title"},
          {"hostname", "hostname"},
          {"host_id", "host_id"},
          {"resource", "resource"},
          {"agent_problem_id", "agent_problem_id"},
          {"label", "host_id IN (SELECT host_id FROM host_labels WHERE label = ?)",
           ListColumn::Kind::kMembership},
          {"account_id", "cloud_account_id"},
          {"subject", "(CASE WHEN cloud_account_id IS NULL THEN 'host' ELSE 'cloud' END) = ?",
           ListColumn::Kind::kMembership},
      },
      {},
      ListCountTable{"fleet_problem_counts", "n", {"status", "risk_level", "rule_id"}},
      ListTextIndex{"id IN (SELECT rowid FROM fleet_problems_text WHERE fleet_problems_text "
                    "MATCH ?)",
                    {"title", "hostname", "rule_id"}},
  };
  return table;
}

// The problem list without finding_json and details_json (NULLs in their
// places, read as "{}" and "[]").
const ListTable& FleetProblemSummaryListTable() {
  static const ListTable table = [] {
    ListTable t = FleetProblemListTable();
    t.select = kProblemSummaryColumns;
    return t;
  }();
  return table;
}

const ListTable& ProblemHistoryListTable() {
  static const ListTable table{
      &ProblemHistoryListSchema(),
      "fleet_problem_history",
      kHistoryColumns,
      10,
      "id",
      {
          {"id", "id"},
          {"revision", "revision"},
          {"at", "at"},
          {"problem_id", "problem_id"},
          {"action", "action"},
      },
  };
  return table;
}

Result<std::optional<FleetProblem>> SqliteFleetProblemRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadProblem(lease.conn(), id);
}

Result<std::optional<FleetProblem>> SqliteFleetProblemRepository::FindByAgentId(
    int64_t host_id, std::string_view agent_problem_id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadByAgentId(lease.conn(), host_id, agent_problem_id);
}

Result<std::optional<FleetProblem>> SqliteFleetProblemRepository::FindByCloudId(
    int64_t cloud_account_id, std::string_view problem_id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadByCloudId(lease.conn(), cloud_account_id, problem_id);
}

Result<std::optional<FleetProblem>> SqliteFleetProblemWriter::FindByCloudId(
    int64_t cloud_account_id, std::string_view problem_id) {
  return LoadByCloudId(conn_, cloud_account_id, problem_id);
}

Result<ListPage<FleetProblem>> SqliteFleetProblemRepository::List(const ListQuery& query) {
  return ListFromPool<FleetProblem>(pool_, FleetProblemListTable(), query, ReadProblem);
}

Status SqliteFleetProblemRepository::Export(const ListQuery& query,
                                            const RowCallback<FleetProblem>& row) {
  return ExportFromPool<FleetProblem>(pool_, FleetProblemListTable(), query, ReadProblem, row);
}

Status SqliteFleetProblemRepository::ExportWithoutFinding(const ListQuery& query,
                                                          const RowCallback<FleetProblem>& row) {
  return ExportFromPool<FleetProblem>(pool_, FleetProblemSummaryListTable(), query, ReadProblem,
                                      row);
}

Result<ListPage<ProblemHistoryRecord>> SqliteFleetProblemRepository::ListHistory(
    const ListQuery& query) {
  return ListFromPool<ProblemHistoryRecord>(pool_, ProblemHistoryListTable(), query, ReadHistory);
}

Status SqliteFleetProblemRepository::ExportHistory(const ListQuery& query,
                                                   const RowCallback<ProblemHistoryRecord>& row) {
  return ExportFromPool<ProblemHistoryRecord>(pool_, ProblemHistoryListTable(), query, ReadHistory,
                                              row);
}

Result<std::optional<FleetProblem>> SqliteFleetProblemWriter::Get(int64_t id) {
  return LoadProblem(conn_, id);
}

Result<ProblemUpsert> SqliteFleetProblemWriter::Upsert(const FleetProblem& offered) {
  const bool cloud = offered.cloud_account_id.has_value();
  if (cloud && (*offered.cloud_account_id <= 0 || offered.host_id != 0))
    return InvalidArgument("problem: a cloud account's problem has no host");
  if (!cloud && offered.host_id <= 0) return InvalidArgument("problem: no host");
  if (offered.agent_problem_id.empty()) return InvalidArgument("problem: id must not be empty");
  if (offered.rule_id.empty()) return InvalidArgument("problem: rule_id must not be empty");
  // The finding is parsed once for the columns lists show (remediation,
  // links); the details are only checked.
  nlohmann::ordered_json finding =
      nlohmann::ordered_json::parse(offered.finding_json, nullptr, false);
  if (!finding.is_object()) return InvalidArgument("problem: finding is not a JSON object");
  if (!IsJsonOf(offered.details_json, '['))
    return InvalidArgument("problem: details is not a JSON array");

  ASSIGN_OR_RETURN(std::optional<FleetProblem> stored,
                   cloud ? LoadByCloudId(conn_, *offered.cloud_account_id, offered.agent_problem_id)
                         : LoadByAgentId(conn_, offered.host_id, offered.agent_problem_id));
  ProblemUpsert out;
  if (stored && stored->revision > offered.revision) {
    out.problem = std::move(*stored);
    return out;
  }
  FleetProblem p = offered;
  DeriveFromFinding(finding, p);
  if (stored) p.first_detected_at = std::min(stored->first_detected_at, p.first_detected_at);
  if (stored && stored->dismissal && p.dismissal &&
      stored->dismissal->comment == p.dismissal->comment)
    p.dismissal->by = stored->dismissal->by;
  if (stored) {
    ASSIGN_OR_RETURN(
        ScopedStatement st,
        conn_.Statement(
            "UPDATE fleet_problems SET host_id = ?1, hostname = ?2, "
            "agent_problem_id = ?3, rule_id = ?4, title = ?5, description = ?6, "
            "risk_rank = ?7, status = ?8, resource = ?9, first_detected_at = ?10, "
            "last_detected_at = ?11, status_changed_at = ?12, resolved_at = ?13, "
            "times_reopened = ?14, revision = ?15, dismissed_comment = ?16, "
            "dismissed_at = ?17, dismissed_until = ?18, dismissed_by_type = ?19, "
            "dismissed_by_id = ?20, dismissed_by_name = ?21, finding_json = ?22, "
            "details_json = ?23, updated_at = ?24, remediation = ?25, "
            "links_json = ?26, cloud_account_id = ?27, occurrences = ?28 WHERE id = ?29"));
    BindProblem(*st, p);
    st->Bind(29, stored->id);
    RETURN_IF_ERROR(st->Run());
    p.id = stored->id;
    RETURN_IF_ERROR(KeepListIndexes(conn_, p.id, stored, p));
  } else {
    ASSIGN_OR_RETURN(
        ScopedStatement st,
        conn_.Statement("INSERT INTO fleet_problems (host_id, hostname, agent_problem_id, "
                        "rule_id, title, description, risk_rank, status, resource, "
                        "first_detected_at, last_detected_at, status_changed_at, resolved_at, "
                        "times_reopened, revision, dismissed_comment, dismissed_at, "
                        "dismissed_until, dismissed_by_type, dismissed_by_id, "
                        "dismissed_by_name, finding_json, details_json, updated_at, "
                        "remediation, links_json, cloud_account_id, occurrences) VALUES (?1, ?2, "
                        "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
                        "?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)"));
    BindProblem(*st, p);
    RETURN_IF_ERROR(st->Run());
    p.id = InsertedId(conn_);
    RETURN_IF_ERROR(KeepListIndexes(conn_, p.id, std::nullopt, p));
    out.created = true;
  }
  out.applied = true;
  out.problem = std::move(p);
  return out;
}

Result<int64_t> SqliteFleetProblemWriter::AppendHistory(const ProblemHistoryRecord& e) {
  if (e.problem_id <= 0) return InvalidArgument("problem history: no problem");
  if (e.action.empty()) return InvalidArgument("problem history: action must not be empty");
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn_.Statement("INSERT INTO fleet_problem_history (problem_id, revision, at, action, "
                      "status, actor_type, actor_id, actor_name, comment) VALUES (?1, ?2, ?3, "
                      "?4, ?5, ?6, ?7, ?8, ?9)"));
  st->Bind(1, e.problem_id)
      .Bind(2, e.revision)
      .Bind(3, e.at)
      .Bind(4, e.action)
      .Bind(5, ProblemStatusName(e.status))
      .Bind(6, e.actor.type)
      .Bind(7, e.actor.id)
      .Bind(8, e.actor.name);
  BindOptionalText(*st, 9, e.comment);
  RETURN_IF_ERROR(st->Run());
  return InsertedId(conn_);
}

Result<std::vector<FleetProblem>> SqliteFleetProblemWriter::ExpiredDismissals(EpochMs now,
                                                                              int limit) {
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn_.Statement("SELECT " + std::string(kProblemColumns) +
                                   " FROM fleet_problems WHERE dismissed_until IS NOT NULL AND "
                                   "dismissed_until <= ?1 AND status = 'dismissed' "
                                   "ORDER BY dismissed_until, id LIMIT ?2"));
  st->Bind(1, now).Bind(2, static_cast<int64_t>(limit));
  std::vector<FleetProblem> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadProblem(*st));
  }
  return out;
}

}  // namespace warden::store
