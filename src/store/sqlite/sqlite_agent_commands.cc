// Commands queued for agents.
#include <nlohmann/json.hpp>

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

constexpr std::string_view kCommandColumns =
    "id, host_id, type, args_json, created_at, created_by, delivered_at, deliveries, "
    "finished_at, result_status, result_error, result_output_json";

AgentCommandRow ReadCommand(SqliteStatement& st) {
  AgentCommandRow c;
  c.id = st.Int(0);
  c.host_id = st.Int(1);
  c.type = st.Text(2);
  c.args_json = st.Text(3);
  c.created_at = st.Int(4);
  c.created_by = st.Text(5);
  c.delivered_at = OptionalInt(st, 6);
  c.deliveries = st.Int(7);
  c.finished_at = OptionalInt(st, 8);
  c.result_status = OptionalText(st, 9);
  c.result_error = OptionalText(st, 10);
  c.result_output_json = OptionalText(st, 11);
  return c;
}

Result<std::optional<AgentCommandRow>> LoadCommand(SqliteConnection& conn, int64_t id) {
  return QueryOne<AgentCommandRow>(
      conn, "SELECT " + std::string(kCommandColumns) + " FROM agent_commands WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadCommand);
}

}  // namespace

const ListTable& AgentCommandListTable() {
  static const ListTable table{
      &AgentCommandListSchema(),
      "agent_commands",
      kCommandColumns,
      12,
      "id",
      {
          {"id", "id"},
          {"created_at", "created_at"},
          {"host_id", "host_id"},
          {"type", "type"},
          {"finished", "finished_at", ListColumn::Kind::kPresent},
      },
  };
  return table;
}

Result<std::optional<AgentCommandRow>> SqliteAgentCommandRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadCommand(lease.conn(), id);
}

Result<std::vector<AgentCommandRow>> SqliteAgentCommandRepository::Pending(int64_t host_id,
                                                                           EpochMs redeliver_before,
                                                                           int64_t limit) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      lease.conn().Statement("SELECT " + std::string(kCommandColumns) +
                             " FROM agent_commands WHERE host_id = ?1 AND finished_at IS NULL "
                             "AND (delivered_at IS NULL OR delivered_at < ?2) ORDER BY id "
                             "LIMIT ?3"));
  st->Bind(1, host_id).Bind(2, redeliver_before).Bind(3, limit);
  std::vector<AgentCommandRow> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadCommand(*st));
  }
  return out;
}

Result<ListPage<AgentCommandRow>> SqliteAgentCommandRepository::List(const ListQuery& query) {
  return ListFromPool<AgentCommandRow>(pool_, AgentCommandListTable(), query, ReadCommand);
}

Result<AgentCommandRow> SqliteAgentCommandWriter::Create(const NewAgentCommand& c) {
  if (c.host_id <= 0) return InvalidArgument("command: no host");
  if (c.type.empty()) return InvalidArgument("command: type must not be empty");
  if (!nlohmann::json::parse(c.args_json, nullptr, false).is_object())
    return InvalidArgument("command: args is not a JSON object");
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn_.Statement("INSERT INTO agent_commands (host_id, type, args_json, created_at, "
                      "created_by) VALUES (?1, ?2, ?3, ?4, ?5)"));
  st->Bind(1, c.host_id)
      .Bind(2, c.type)
      .Bind(3, c.args_json)
      .Bind(4, c.created_at)
      .Bind(5, c.created_by);
  RETURN_IF_ERROR(st->Run());
  AgentCommandRow out;
  out.id = InsertedId(conn_);
  out.host_id = c.host_id;
  out.type = c.type;
  out.args_json = c.args_json;
  out.created_at = c.created_at;
  out.created_by = c.created_by;
  return out;
}

Status SqliteAgentCommandWriter::MarkDelivered(const std::vector<int64_t>& ids, EpochMs at) {
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn_.Statement("UPDATE agent_commands SET delivered_at = ?2, deliveries = "
                                   "deliveries + 1 WHERE id = ?1 AND finished_at IS NULL"));
  for (int64_t id : ids) {
    st->Bind(1, id).Bind(2, at);
    RETURN_IF_ERROR(st->Run());
    st->Reset();
  }
  return Status::Ok();
}

Result<CommandResultUpdate> SqliteAgentCommandWriter::RecordResult(
    int64_t host_id, int64_t id, const AgentCommandOutcome& outcome) {
  if (outcome.status != "succeeded" && outcome.status != "failed" && outcome.status != "rejected")
    return InvalidArgument("command result: status must be succeeded, failed or rejected");
  if (outcome.output_json &&
      !nlohmann::json::parse(*outcome.output_json, nullptr, false).is_object())
    return InvalidArgument("command result: output is not a JSON object");
  ASSIGN_OR_RETURN(std::optional<AgentCommandRow> row, LoadCommand(conn_, id));
  if (!row || row->host_id != host_id) return CommandResultUpdate::kNotFound;
  if (row->finished_at) {
    bool same = row->result_status == outcome.status && row->result_error == outcome.error;
    return same ? CommandResultUpdate::kSameAgain : CommandResultUpdate::kConflict;
  }
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn_.Statement("UPDATE agent_commands SET finished_at = ?2, result_status = "
                                   "?3, result_error = ?4, result_output_json = ?5 WHERE id = "
                                   "?1"));
  st->Bind(1, id).Bind(2, outcome.finished_at).Bind(3, outcome.status);
  BindOptionalText(*st, 4, outcome.error);
  BindOptionalText(*st, 5, outcome.output_json);
  RETURN_IF_ERROR(st->Run());
  return CommandResultUpdate::kRecorded;
}

}  // namespace warden::store
