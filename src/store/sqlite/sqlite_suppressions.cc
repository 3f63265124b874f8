#include "store/sqlite/sqlite_suppressions.h"

#include <algorithm>

#include "core/finding.h"  // Json
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

// The holds still in force: the problem is dismissed with the hold's comment.
constexpr std::string_view kHeldCondition =
    "fp.id = sh.problem_id AND fp.status = 'dismissed' AND fp.dismissed_comment = sh.comment";

constexpr std::string_view kSuppressionColumns =
    "id, kind, value, target_kind, target_label, target_host_ids, reason, expires_at, "
    "created_by_type, created_by_id, created_by_name, created_at, updated_at, "
    "(SELECT COUNT(*) FROM suppression_holds sh JOIN fleet_problems fp ON fp.id = "
    "sh.problem_id WHERE sh.suppression_id = suppressions.id AND fp.status = 'dismissed' AND "
    "fp.dismissed_comment = sh.comment)";

Suppression ReadSuppression(SqliteStatement& st) {
  Suppression s;
  s.id = st.Int(0);
  s.kind = ParseSuppressionKind(st.Text(1)).value_or(SuppressionKind::kRule);
  s.value = st.Text(2);
  const std::string kind = st.Text(3);
  s.target.kind = kind == "label"   ? RecipeTarget::Kind::kLabel
                  : kind == "hosts" ? RecipeTarget::Kind::kHosts
                                    : RecipeTarget::Kind::kAll;
  s.target.label = st.Text(4);
  Json ids = Json::parse(st.Text(5), nullptr, false);
  if (ids.is_array())
    for (const Json& id : ids)
      if (id.is_number_integer()) s.target.host_ids.push_back(id.get<int64_t>());
  s.reason = st.Text(6);
  s.expires_at = OptionalInt(st, 7);
  s.created_by.type = st.Text(8);
  s.created_by.id = st.Text(9);
  s.created_by.name = st.Text(10);
  s.created_at = st.Int(11);
  s.updated_at = st.Int(12);
  s.dismissed = st.Int(13);
  return s;
}

Result<std::optional<Suppression>> LoadSuppression(SqliteConnection& conn, int64_t id) {
  return QueryOne<Suppression>(
      conn, "SELECT " + std::string(kSuppressionColumns) + " FROM suppressions WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadSuppression);
}

Result<std::vector<Suppression>> LoadActive(SqliteConnection& conn, EpochMs now) {
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn.Statement("SELECT " + std::string(kSuppressionColumns) +
                                  " FROM suppressions WHERE expires_at IS NULL OR expires_at > ?1 "
                                  "ORDER BY id"));
  st->Bind(1, now);
  std::vector<Suppression> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadSuppression(*st));
  }
  return out;
}

}  // namespace

const ListTable& SuppressionListTable() {
  static const ListTable table{
      &SuppressionListSchema(),
      "suppressions",
      kSuppressionColumns,
      14,
      "id",
      {
          {"id", "id"},
          {"created_at", "created_at"},
          {"value", "value"},
          {"kind", "kind"},
          {"reason", "reason"},
      },
  };
  return table;
}

// ---- read side

Result<std::optional<Suppression>> SqliteSuppressionRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadSuppression(lease.conn(), id);
}

Result<ListPage<Suppression>> SqliteSuppressionRepository::List(const ListQuery& query) {
  return ListFromPool<Suppression>(pool_, SuppressionListTable(), query, ReadSuppression);
}

Status SqliteSuppressionRepository::Export(const ListQuery& query,
                                           const RowCallback<Suppression>& row) {
  return ExportFromPool<Suppression>(pool_, SuppressionListTable(), query, ReadSuppression, row);
}

Result<std::vector<Suppression>> SqliteSuppressionRepository::Active(EpochMs now) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadActive(lease.conn(), now);
}

// ---- write side

Result<std::optional<Suppression>> SqliteSuppressionWriter::Get(int64_t id) {
  return LoadSuppression(conn_, id);
}

Result<std::vector<Suppression>> SqliteSuppressionWriter::Active(EpochMs now) {
  return LoadActive(conn_, now);
}

Result<Suppression> SqliteSuppressionWriter::Create(const NewSuppression& s) {
  if (s.value.empty()) return InvalidArgument("value: must not be empty");
  if (s.reason.empty()) return InvalidArgument("reason: must not be empty");
  RecipeTarget t = s.target;
  std::sort(t.host_ids.begin(), t.host_ids.end());
  t.host_ids.erase(std::unique(t.host_ids.begin(), t.host_ids.end()), t.host_ids.end());
  if (t.kind == RecipeTarget::Kind::kLabel && t.label.empty())
    return InvalidArgument("target.label: a label target needs a label");
  if (t.kind == RecipeTarget::Kind::kHosts && t.host_ids.empty())
    return InvalidArgument("target.host_ids: a hosts target needs at least one host");
  if (t.kind != RecipeTarget::Kind::kLabel) t.label.clear();
  if (t.kind != RecipeTarget::Kind::kHosts) t.host_ids.clear();
  ASSIGN_OR_RETURN(
      ScopedStatement ins,
      conn_.Statement("INSERT INTO suppressions (kind, value, target_kind, target_label, "
                      "target_host_ids, reason, expires_at, created_by_type, created_by_id, "
                      "created_by_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                      "?7, ?8, ?9, ?10, ?11, ?11)"));
  ins->Bind(1, SuppressionKindName(s.kind))
      .Bind(2, s.value)
      .Bind(3, RecipeTargetKindName(t.kind))
      .Bind(4, t.label)
      .Bind(5, Json(t.host_ids).dump())
      .Bind(6, s.reason);
  BindOptional(*ins, 7, s.expires_at);
  ins->Bind(8, s.created_by.type)
      .Bind(9, s.created_by.id)
      .Bind(10, s.created_by.name)
      .Bind(11, s.created_at);
  RETURN_IF_ERROR(ins->Run());
  ASSIGN_OR_RETURN(std::optional<Suppression> created, LoadSuppression(conn_, InsertedId(conn_)));
  if (!created) return Internal("suppression: not found after insert");
  return *created;
}

Result<std::optional<Suppression>> SqliteSuppressionWriter::Update(int64_t id,
                                                                   const SuppressionChange& c) {
  ASSIGN_OR_RETURN(std::optional<Suppression> current, LoadSuppression(conn_, id));
  if (!current) return current;
  Suppression next = *current;
  if (c.reason) {
    if (c.reason->empty()) return InvalidArgument("reason: must not be empty");
    next.reason = *c.reason;
  }
  if (c.expires_at) next.expires_at = *c.expires_at;
  next.updated_at = std::max(c.updated_at, current->updated_at);
  ASSIGN_OR_RETURN(ScopedStatement upd,
                   conn_.Statement("UPDATE suppressions SET reason = ?2, expires_at = ?3, "
                                   "updated_at = ?4 WHERE id = ?1"));
  upd->Bind(1, id).Bind(2, next.reason);
  BindOptional(*upd, 3, next.expires_at);
  upd->Bind(4, next.updated_at);
  RETURN_IF_ERROR(upd->Run());
  return LoadSuppression(conn_, id);
}

Result<bool> SqliteSuppressionWriter::Delete(int64_t id) {
  ASSIGN_OR_RETURN(ScopedStatement holds,
                   conn_.Statement("DELETE FROM suppression_holds WHERE suppression_id = ?1"));
  holds->Bind(1, id);
  RETURN_IF_ERROR(holds->Run());
  ASSIGN_OR_RETURN(int64_t changed,
                   RunCountingChanges(conn_, "DELETE FROM suppressions WHERE id = ?1",
                                      [&](SqliteStatement& st) { st.Bind(1, id); }));
  return changed > 0;
}

Result<std::vector<int64_t>> SqliteSuppressionWriter::HeldProblems(int64_t suppression_id) {
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn_.Statement("SELECT sh.problem_id FROM suppression_holds sh JOIN "
                                   "fleet_problems fp ON " +
                                   std::string(kHeldCondition) +
                                   " WHERE sh.suppression_id = ?1 ORDER BY sh.problem_id"));
  st->Bind(1, suppression_id);
  std::vector<int64_t> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(st->Int(0));
  }
  return out;
}

Status SqliteSuppressionWriter::Hold(int64_t problem_id,
                                     const std::vector<int64_t>& suppression_ids,
                                     const std::string& comment) {
  RETURN_IF_ERROR(Release(problem_id));
  ASSIGN_OR_RETURN(ScopedStatement ins,
                   conn_.Statement("INSERT INTO suppression_holds (suppression_id, problem_id, "
                                   "comment) VALUES (?1, ?2, ?3)"));
  std::vector<int64_t> ids = suppression_ids;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (int64_t id : ids) {
    ins->Bind(1, id).Bind(2, problem_id).Bind(3, comment);
    RETURN_IF_ERROR(ins->Run());
  }
  return Status::Ok();
}

Status SqliteSuppressionWriter::Release(int64_t problem_id) {
  ASSIGN_OR_RETURN(ScopedStatement del,
                   conn_.Statement("DELETE FROM suppression_holds WHERE problem_id = ?1"));
  del->Bind(1, problem_id);
  return del->Run();
}

}  // namespace warden::store
