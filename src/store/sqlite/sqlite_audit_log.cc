// The audit log.
#include <nlohmann/json.hpp>

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

constexpr std::string_view kAuditColumns =
    "id, occurred_at, actor_type, actor_id, actor_name, action, target_type, target_id, "
    "source_ip, request_id, before_json, after_json";

AuditEntry ReadEntry(SqliteStatement& st) {
  AuditEntry e;
  e.id = st.Int(0);
  e.time = st.Int(1);
  e.actor_type = ParseActorType(st.Text(2)).value_or(ActorType::kSystem);
  e.actor_id = st.Text(3);
  e.actor_name = st.Text(4);
  e.action = st.Text(5);
  e.target_type = st.Text(6);
  e.target_id = st.Text(7);
  e.source_ip = st.Text(8);
  e.request_id = st.Text(9);
  if (!st.IsNull(10)) e.before_json = st.Text(10);
  if (!st.IsNull(11)) e.after_json = st.Text(11);
  return e;
}

Status CheckJson(const std::optional<std::string>& json, std::string_view what) {
  if (json && !nlohmann::json::accept(*json))
    return InvalidArgument(std::string(what) + ": not a JSON document");
  return Status::Ok();
}

}  // namespace

const ListTable& AuditListTable() {
  static const ListTable table{
      &AuditListSchema(),
      "audit_log",
      kAuditColumns,
      12,
      "id",
      {
          {"id", "id"},
          {"time", "occurred_at"},
          {"action", "action"},
          {"actor_type", "actor_type"},
          {"actor_id", "actor_id"},
          {"actor_name", "actor_name"},
          {"target_type", "target_type"},
          {"target_id", "target_id"},
          {"source_ip", "source_ip"},
          {"request_id", "request_id"},
      },
  };
  return table;
}

Result<std::optional<AuditEntry>> SqliteAuditLog::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return QueryOne<AuditEntry>(
      lease.conn(), "SELECT " + std::string(kAuditColumns) + " FROM audit_log WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadEntry);
}

Result<ListPage<AuditEntry>> SqliteAuditLog::List(const ListQuery& query) {
  return ListFromPool<AuditEntry>(pool_, AuditListTable(), query, ReadEntry);
}

Status SqliteAuditLog::Export(const ListQuery& query, const RowCallback<AuditEntry>& row) {
  return ExportFromPool<AuditEntry>(pool_, AuditListTable(), query, ReadEntry, row);
}

Result<int64_t> SqliteAuditWriter::Append(const AuditEntry& e) {
  if (e.action.empty()) return InvalidArgument("audit entry: action must not be empty");
  RETURN_IF_ERROR(CheckJson(e.before_json, "audit entry: before"));
  RETURN_IF_ERROR(CheckJson(e.after_json, "audit entry: after"));
  ASSIGN_OR_RETURN(
      ScopedStatement ins,
      conn_.Statement("INSERT INTO audit_log (occurred_at, actor_type, actor_id, actor_name, "
                      "action, target_type, target_id, source_ip, request_id, before_json, "
                      "after_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  ins->Bind(1, e.time)
      .Bind(2, ActorTypeName(e.actor_type))
      .Bind(3, e.actor_id)
      .Bind(4, e.actor_name)
      .Bind(5, e.action)
      .Bind(6, e.target_type)
      .Bind(7, e.target_id)
      .Bind(8, e.source_ip)
      .Bind(9, e.request_id);
  BindOptionalText(*ins, 10, e.before_json);
  BindOptionalText(*ins, 11, e.after_json);
  RETURN_IF_ERROR(ins->Run());
  return InsertedId(conn_);
}

Result<int64_t> SqliteAuditWriter::DeleteOlderThan(EpochMs cutoff) {
  return RunCountingChanges(conn_, "DELETE FROM audit_log WHERE occurred_at < ?1",
                            [&](SqliteStatement& st) { st.Bind(1, cutoff); });
}

}  // namespace warden::store
