// Live queries (campaigns) with their targets and rows.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> StringsFromJson(std::string_view json) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  std::vector<std::string> out;
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

// ---- campaigns

constexpr std::string_view kQueryColumns =
    "id, created_at, created_by_type, created_by_id, created_by_name, sql_text, targets_json, "
    "rerun_of, deadline_at, offline_deadline_at, state, targeted_hosts, pending_hosts, "
    "running_hosts, done_hosts, error_hosts, offline_hosts, cancelled_hosts, stored_rows, "
    "stored_bytes, max_rows, max_bytes, truncated_at, columns_json, finished_at, "
    "results_pruned_at, changes, updated_at, saved_query_id";

LiveQuery ReadQuery(SqliteStatement& st) {
  LiveQuery q;
  q.id = st.Int(0);
  q.created_at = st.Int(1);
  q.created_by.type = st.Text(2);
  q.created_by.id = st.Text(3);
  q.created_by.name = st.Text(4);
  q.sql = st.Text(5);
  q.targets = LiveQueryTargetSpecFromJson(st.Text(6));
  q.rerun_of = OptionalInt(st, 7);
  q.deadline_at = st.Int(8);
  q.offline_deadline_at = OptionalInt(st, 9);
  q.state = st.Text(10);
  q.counts.targeted = st.Int(11);
  q.counts.pending = st.Int(12);
  q.counts.running = st.Int(13);
  q.counts.done = st.Int(14);
  q.counts.error = st.Int(15);
  q.counts.offline = st.Int(16);
  q.counts.cancelled = st.Int(17);
  q.stored_rows = st.Int(18);
  q.stored_bytes = st.Int(19);
  q.max_rows = st.Int(20);
  q.max_bytes = st.Int(21);
  q.truncated_at = OptionalInt(st, 22);
  q.columns = StringsFromJson(st.Text(23));
  q.finished_at = OptionalInt(st, 24);
  q.results_pruned_at = OptionalInt(st, 25);
  q.changes = st.Int(26);
  q.updated_at = st.Int(27);
  q.saved_query_id = OptionalInt(st, 28);
  return q;
}

Result<std::optional<LiveQuery>> LoadQuery(SqliteConnection& conn, int64_t id) {
  return QueryOne<LiveQuery>(
      conn, "SELECT " + std::string(kQueryColumns) + " FROM live_queries WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadQuery);
}

// ---- targets

constexpr std::string_view kTargetColumns =
    "id, query_id, host_id, hostname, command_id, state, returned_rows, stored_rows, "
    "duration_ms, error, columns_json, chunks, started_at, finished_at, change_seq, updated_at";

LiveQueryTarget ReadTarget(SqliteStatement& st) {
  LiveQueryTarget t;
  t.id = st.Int(0);
  t.query_id = st.Int(1);
  t.host_id = st.Int(2);
  t.hostname = st.Text(3);
  t.command_id = OptionalInt(st, 4);
  t.state = ParseLiveQueryTargetState(st.Text(5)).value_or(LiveQueryTargetState::kPending);
  t.returned_rows = st.Int(6);
  t.stored_rows = st.Int(7);
  if (t.state == LiveQueryTargetState::kDone || t.state == LiveQueryTargetState::kError)
    t.duration_ms = st.Int(8);
  t.error = OptionalText(st, 9);
  t.columns = StringsFromJson(st.Text(10));
  t.chunks = st.Int(11);
  t.started_at = OptionalInt(st, 12);
  t.finished_at = OptionalInt(st, 13);
  t.change_seq = st.Int(14);
  t.updated_at = st.Int(15);
  return t;
}

Result<std::optional<LiveQueryTarget>> LoadTargetOfCommand(SqliteConnection& conn,
                                                           int64_t command_id) {
  return QueryOne<LiveQueryTarget>(
      conn,
      "SELECT " + std::string(kTargetColumns) + " FROM live_query_targets WHERE command_id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, command_id); }, ReadTarget);
}

bool MayMove(LiveQueryTargetState from, LiveQueryTargetState to) {
  if (from == LiveQueryTargetState::kPending) return to != LiveQueryTargetState::kPending;
  if (from == LiveQueryTargetState::kRunning)
    return to != LiveQueryTargetState::kPending && to != LiveQueryTargetState::kRunning &&
           to != LiveQueryTargetState::kOffline;
  return false;
}

// The counter column of a state (fixed names, never input).
std::string CountColumn(LiveQueryTargetState state) {
  return std::string(LiveQueryTargetStateName(state)) + "_hosts";
}

// The campaign's state from its counts (after every count change): a
// cancelled campaign stays cancelled.
constexpr std::string_view kRestateQuery =
    "UPDATE live_queries SET state = CASE WHEN state = 'cancelled' THEN 'cancelled' WHEN "
    "pending_hosts + running_hosts = 0 THEN 'done' ELSE 'running' END, finished_at = CASE WHEN "
    "finished_at IS NULL AND (state = 'cancelled' OR pending_hosts + running_hosts = 0) THEN ?2 "
    "ELSE finished_at END WHERE id = ?1";

Status RestateQuery(SqliteConnection& conn, int64_t query_id, EpochMs at) {
  ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(kRestateQuery));
  st->Bind(1, query_id).Bind(2, at);
  return st->Run();
}

// Counts one more change of the campaign's targets and stamps target
// `target_id` with it.
Status NoteTargetChange(SqliteConnection& conn, int64_t query_id, int64_t target_id) {
  int64_t changes = 0;
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn.Statement("UPDATE live_queries SET changes = changes + 1 WHERE id = ?1 "
                                    "RETURNING changes"));
    st->Bind(1, query_id);
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return Internal("live query " + std::to_string(query_id) + ": gone");
    changes = st->Int(0);
    ASSIGN_OR_RETURN(bool more, st->Step());
    (void)more;
  }
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn.Statement("UPDATE live_query_targets SET change_seq = ?2 WHERE id = ?1"));
  st->Bind(1, target_id).Bind(2, changes);
  return st->Run();
}

// Moves `target` to `state` (when it may move), with the campaign's counts.
// Whether it moved.
Result<bool> MoveTarget(SqliteConnection& conn, const LiveQueryTarget& target,
                        LiveQueryTargetState state, const LiveQueryAnswer* answer, EpochMs at) {
  if (!MayMove(target.state, state)) return false;
  {
    ASSIGN_OR_RETURN(
        ScopedStatement st,
        conn.Statement("UPDATE live_query_targets SET state = ?2, updated_at = ?3, started_at = "
                       "CASE WHEN ?2 = 'running' THEN ?3 ELSE started_at END, finished_at = CASE "
                       "WHEN ?2 IN ('done', 'error', 'offline', 'cancelled') THEN ?3 ELSE "
                       "finished_at END, returned_rows = COALESCE(?4, returned_rows), duration_ms "
                       "= COALESCE(?5, duration_ms), error = COALESCE(?6, error) WHERE id = ?1"));
    st->Bind(1, target.id).Bind(2, LiveQueryTargetStateName(state)).Bind(3, at);
    BindOptional(*st, 4,
                 answer != nullptr ? std::optional<int64_t>(answer->returned_rows) : std::nullopt);
    BindOptional(*st, 5, answer != nullptr ? answer->duration_ms : std::nullopt);
    BindOptionalText(*st, 6, answer != nullptr ? answer->error : std::nullopt);
    RETURN_IF_ERROR(st->Run());
  }
  const std::string from = CountColumn(target.state);
  const std::string to = CountColumn(state);
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn.Statement("UPDATE live_queries SET " + from + " = " + from + " - 1, " +
                                    to + " = " + to + " + 1, updated_at = ?2 WHERE id = ?1"));
    st->Bind(1, target.query_id).Bind(2, at);
    RETURN_IF_ERROR(st->Run());
  }
  RETURN_IF_ERROR(RestateQuery(conn, target.query_id, at));
  RETURN_IF_ERROR(NoteTargetChange(conn, target.query_id, target.id));
  return true;
}

// Every target of campaign `query_id` (0: of every running campaign whose
// deadline is at or before `deadline`) still pending or running.
Result<std::vector<LiveQueryTarget>> OpenTargets(SqliteConnection& conn, int64_t query_id,
                                                 EpochMs deadline) {
  std::string sql = "SELECT " + std::string(kTargetColumns) +
                    " FROM live_query_targets WHERE state IN ('pending', 'running') AND ";
  sql += query_id > 0 ? "query_id = ?1"
                      : "query_id IN (SELECT id FROM live_queries WHERE state = 'running' AND "
                        "deadline_at <= ?2)";
  sql += " ORDER BY id";
  ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(sql));
  if (query_id > 0)
    st->Bind(1, query_id);
  else
    st->Bind(2, deadline);
  std::vector<LiveQueryTarget> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadTarget(*st));
  }
  return out;
}

// Columns first seen first: `into` gains the columns of `more` it lacks.
bool MergeColumns(std::vector<std::string>* into, const std::vector<std::string>& more) {
  bool changed = false;
  for (const std::string& c : more) {
    if (std::find(into->begin(), into->end(), c) == into->end()) {
      into->push_back(c);
      changed = true;
    }
  }
  return changed;
}

LiveQueryRow ReadRow(SqliteStatement& st) {
  LiveQueryRow r;
  r.id = st.Int(0);
  r.query_id = st.Int(1);
  r.host_id = st.Int(2);
  r.row_json = st.Text(3);
  return r;
}

}  // namespace

std::string LiveQueryTargetSpecToJson(const LiveQueryTargetSpec& spec) {
  return Dump(nlohmann::json{{"host_ids", spec.host_ids},
                             {"labels", spec.labels},
                             {"all", spec.all},
                             {"os_ids", spec.os_ids}});
}

LiveQueryTargetSpec LiveQueryTargetSpecFromJson(std::string_view json) {
  LiveQueryTargetSpec spec;
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return spec;
  if (auto it = j.find("host_ids"); it != j.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_number_integer()) spec.host_ids.push_back(v.get<int64_t>());
  if (auto it = j.find("labels"); it != j.end()) spec.labels = StringsFromJson(it->dump());
  if (auto it = j.find("os_ids"); it != j.end()) spec.os_ids = StringsFromJson(it->dump());
  spec.all = j.value("all", false);
  return spec;
}

const ListTable& LiveQueryListTable() {
  static const ListTable table{
      &LiveQueryListSchema(),
      "live_queries",
      kQueryColumns,
      29,
      "id",
      {
          {"id", "id"},
          {"created_at", "created_at"},
          {"state", "state"},
          {"host_id", "id IN (SELECT query_id FROM live_query_targets WHERE host_id = ?)",
           ListColumn::Kind::kMembership},
          {"created_by", "created_by_type || ':' || created_by_id = ?",
           ListColumn::Kind::kMembership},
          {"saved_query_id", "saved_query_id"},
      },
  };
  return table;
}

const ListTable& LiveQueryTargetListTable() {
  static const ListTable table{
      &LiveQueryTargetListSchema(),
      "live_query_targets",
      kTargetColumns,
      16,
      "id",
      {
          {"id", "id"},
          {"host_id", "host_id"},
          {"returned_rows", "returned_rows"},
          {"duration_ms", "duration_ms"},
          {"query_id", "query_id"},
          {"state", "state"},
      },
  };
  return table;
}

const ListTable& LiveQueryRowListTable() {
  static const ListTable table{
      &LiveQueryRowListSchema(),
      "live_query_rows",
      "id, query_id, host_id, row_json",
      4,
      "id",
      {
          {"id", "id"},
          {"host_id", "host_id"},
          {"query_id", "query_id"},
      },
  };
  return table;
}

// ---- read side

Result<std::optional<LiveQuery>> SqliteLiveQueryRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadQuery(lease.conn(), id);
}

Result<ListPage<LiveQuery>> SqliteLiveQueryRepository::List(const ListQuery& query) {
  return ListFromPool<LiveQuery>(pool_, LiveQueryListTable(), query, ReadQuery);
}

Status SqliteLiveQueryRepository::Export(const ListQuery& query,
                                         const RowCallback<LiveQuery>& row) {
  return ExportFromPool<LiveQuery>(pool_, LiveQueryListTable(), query, ReadQuery, row);
}

Result<std::optional<LiveQueryTarget>> SqliteLiveQueryRepository::Target(int64_t query_id,
                                                                         int64_t host_id) {
  ReadPool::Lease lease = pool_.Acquire();
  return QueryOne<LiveQueryTarget>(
      lease.conn(),
      "SELECT " + std::string(kTargetColumns) +
          " FROM live_query_targets WHERE query_id = ?1 AND host_id = ?2",
      [&](SqliteStatement& st) { st.Bind(1, query_id).Bind(2, host_id); }, ReadTarget);
}

Result<std::optional<LiveQueryTarget>> SqliteLiveQueryRepository::TargetOfCommand(
    int64_t command_id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadTargetOfCommand(lease.conn(), command_id);
}

Result<ListPage<LiveQueryTarget>> SqliteLiveQueryRepository::ListTargets(const ListQuery& query) {
  return ListFromPool<LiveQueryTarget>(pool_, LiveQueryTargetListTable(), query, ReadTarget);
}

Status SqliteLiveQueryRepository::ExportTargets(const ListQuery& query,
                                                const RowCallback<LiveQueryTarget>& row) {
  return ExportFromPool<LiveQueryTarget>(pool_, LiveQueryTargetListTable(), query, ReadTarget, row);
}

Result<std::vector<LiveQueryTarget>> SqliteLiveQueryRepository::TargetsChangedAfter(
    int64_t query_id, int64_t after) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT " + std::string(kTargetColumns) +
                                          " FROM live_query_targets WHERE query_id = ?1 AND "
                                          "change_seq > ?2 ORDER BY id"));
  st->Bind(1, query_id).Bind(2, after);
  std::vector<LiveQueryTarget> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadTarget(*st));
  }
  return out;
}

Result<ListPage<LiveQueryRow>> SqliteLiveQueryRepository::ListRows(const ListQuery& query) {
  return ListFromPool<LiveQueryRow>(pool_, LiveQueryRowListTable(), query, ReadRow);
}

Status SqliteLiveQueryRepository::ExportRows(const ListQuery& query,
                                             const RowCallback<LiveQueryRow>& row) {
  return ExportFromPool<LiveQueryRow>(pool_, LiveQueryRowListTable(), query, ReadRow, row);
}

Result<std::vector<LiveQueryRow>> SqliteLiveQueryRepository::RowsAfter(int64_t query_id,
                                                                       int64_t after_id,
                                                                       int64_t limit) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT id, query_id, host_id, row_json FROM "
                                          "live_query_rows WHERE query_id = ?1 AND id > ?2 "
                                          "ORDER BY id LIMIT ?3"));
  st->Bind(1, query_id).Bind(2, after_id).Bind(3, limit);
  std::vector<LiveQueryRow> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadRow(*st));
  }
  return out;
}

Status SqliteLiveQueryRepository::HostRows(
    int64_t query_id, int64_t host_id,
    const std::function<Status(const std::string& row_json)>& row) {
  // Page by page, so a slow consumer never holds a read open for long.
  constexpr int64_t kPage = 1000;
  int64_t after = 0;
  for (;;) {
    std::vector<std::pair<int64_t, std::string>> page;
    {
      ReadPool::Lease lease = pool_.Acquire();
      ASSIGN_OR_RETURN(ScopedStatement st,
                       lease.conn().Statement("SELECT id, row_json FROM live_query_rows WHERE "
                                              "query_id = ?1 AND host_id = ?2 AND id > ?3 "
                                              "ORDER BY id LIMIT ?4"));
      st->Bind(1, query_id).Bind(2, host_id).Bind(3, after).Bind(4, kPage);
      for (;;) {
        ASSIGN_OR_RETURN(bool more, st->Step());
        if (!more) break;
        page.emplace_back(st->Int(0), st->Text(1));
      }
    }
    for (const auto& [id, json] : page) RETURN_IF_ERROR(row(json));
    if (static_cast<int64_t>(page.size()) < kPage) return Status::Ok();
    after = page.back().first;
  }
}

// ---- write side

Result<LiveQuery> SqliteLiveQueryWriter::Create(const NewLiveQuery& query) {
  if (query.sql.empty()) return InvalidArgument("live query: the SQL is empty");
  if (query.max_rows <= 0 || query.max_bytes <= 0)
    return InvalidArgument("live query: max_rows and max_bytes must be positive");
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn_.Statement(
          "INSERT INTO live_queries (created_at, created_by_type, created_by_id, "
          "created_by_name, sql_text, targets_json, rerun_of, deadline_at, "
          "offline_deadline_at, state, max_rows, max_bytes, updated_at, saved_query_id) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'running', ?10, ?11, ?1, ?12) "
          "RETURNING id"));
  st->Bind(1, query.created_at)
      .Bind(2, query.created_by.type)
      .Bind(3, query.created_by.id)
      .Bind(4, query.created_by.name)
      .Bind(5, query.sql)
      .Bind(6, LiveQueryTargetSpecToJson(query.targets));
  BindOptional(*st, 7, query.rerun_of);
  st->Bind(8, query.deadline_at);
  BindOptional(*st, 9, query.offline_deadline_at);
  st->Bind(10, query.max_rows).Bind(11, query.max_bytes);
  BindOptional(*st, 12, query.saved_query_id);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Internal("live_queries: INSERT returned no id");
  LiveQuery out;
  out.id = st->Int(0);
  ASSIGN_OR_RETURN(bool more, st->Step());
  (void)more;
  out.created_at = query.created_at;
  out.created_by = query.created_by;
  out.sql = query.sql;
  out.targets = query.targets;
  out.rerun_of = query.rerun_of;
  out.deadline_at = query.deadline_at;
  out.offline_deadline_at = query.offline_deadline_at;
  out.state = "running";
  out.max_rows = query.max_rows;
  out.max_bytes = query.max_bytes;
  out.updated_at = query.created_at;
  out.saved_query_id = query.saved_query_id;
  return out;
}

Status SqliteLiveQueryWriter::AddTarget(int64_t query_id, int64_t host_id,
                                        const std::string& hostname,
                                        std::optional<int64_t> command_id,
                                        LiveQueryTargetState state, EpochMs at) {
  if (state != LiveQueryTargetState::kPending && state != LiveQueryTargetState::kOffline)
    return InvalidArgument("live query target: a new target is pending or offline");
  ASSIGN_OR_RETURN(int64_t added,
                   RunCountingChanges(conn_,
                                      "INSERT INTO live_query_targets (query_id, host_id, "
                                      "hostname, command_id, state, updated_at, finished_at) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?5 = 'offline' "
                                      "THEN ?6 END) ON CONFLICT (query_id, host_id) DO NOTHING",
                                      [&](SqliteStatement& st) {
                                        st.Bind(1, query_id).Bind(2, host_id).Bind(3, hostname);
                                        BindOptional(st, 4, command_id);
                                        st.Bind(5, LiveQueryTargetStateName(state)).Bind(6, at);
                                      }));
  if (added == 0)
    return InvalidArgument("live query " + std::to_string(query_id) + ": host " +
                           std::to_string(host_id) + " is targeted already");
  const std::string column = CountColumn(state);
  ASSIGN_OR_RETURN(
      int64_t counted,
      RunCountingChanges(conn_,
                         "UPDATE live_queries SET targeted_hosts = targeted_hosts + "
                         "1, " +
                             column + " = " + column + " + 1, updated_at = ?2 WHERE id = ?1",
                         [&](SqliteStatement& st) { st.Bind(1, query_id).Bind(2, at); }));
  if (counted == 0)
    return InvalidArgument("live query " + std::to_string(query_id) + ": no such live query");
  return RestateQuery(conn_, query_id, at);
}

Result<std::optional<int64_t>> SqliteLiveQueryWriter::MarkCommandDelivered(int64_t command_id,
                                                                           EpochMs at) {
  ASSIGN_OR_RETURN(std::optional<LiveQueryTarget> target, LoadTargetOfCommand(conn_, command_id));
  if (!target) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(bool moved,
                   MoveTarget(conn_, *target, LiveQueryTargetState::kRunning, nullptr, at));
  return moved ? std::optional<int64_t>(target->query_id) : std::nullopt;
}

Result<ChunkOutcome> SqliteLiveQueryWriter::AppendChunk(int64_t host_id, int64_t command_id,
                                                        const LiveQueryChunk& chunk, EpochMs at) {
  ChunkOutcome out;
  ASSIGN_OR_RETURN(std::optional<LiveQueryTarget> target, LoadTargetOfCommand(conn_, command_id));
  if (!target || target->host_id != host_id) return out;  // kNotFound
  out.query_id = target->query_id;
  if (chunk.seq < target->chunks) {
    out.update = ChunkUpdate::kDuplicate;
    return out;
  }
  if (IsFinalTargetState(target->state)) {
    out.update = ChunkUpdate::kClosed;
    return out;
  }
  if (chunk.seq > target->chunks) {
    out.update = ChunkUpdate::kOutOfOrder;
    return out;
  }
  // Rows arriving before the delivery was recorded: the host runs it.
  if (target->state == LiveQueryTargetState::kPending) {
    RETURN_IF_ERROR(
        MoveTarget(conn_, *target, LiveQueryTargetState::kRunning, nullptr, at).status());
  }
  ASSIGN_OR_RETURN(std::optional<LiveQuery> query, LoadQuery(conn_, target->query_id));
  if (!query) return out;
  int64_t rows = query->stored_rows;
  int64_t bytes = query->stored_bytes;
  bool cut = query->truncated_at.has_value();
  int64_t stored = 0;
  if (!cut) {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("INSERT INTO live_query_rows (query_id, host_id, row_json) "
                                     "VALUES (?1, ?2, ?3)"));
    for (const std::string& row : chunk.rows) {
      const int64_t size = static_cast<int64_t>(row.size());
      if (rows + 1 > query->max_rows || bytes + size > query->max_bytes) {
        cut = true;
        break;
      }
      st->Bind(1, target->query_id).Bind(2, host_id).Bind(3, row);
      RETURN_IF_ERROR(st->Run());
      ++rows;
      bytes += size;
      ++stored;
    }
  }
  std::vector<std::string> columns = query->columns;
  const bool new_columns = MergeColumns(&columns, chunk.columns);
  std::vector<std::string> target_columns = target->columns;
  MergeColumns(&target_columns, chunk.columns);
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("UPDATE live_query_targets SET chunks = chunks + 1, "
                                     "stored_rows = stored_rows + ?2, columns_json = ?3, "
                                     "updated_at = ?4 WHERE id = ?1"));
    st->Bind(1, target->id).Bind(2, stored).Bind(3, Dump(target_columns)).Bind(4, at);
    RETURN_IF_ERROR(st->Run());
  }
  RETURN_IF_ERROR(NoteTargetChange(conn_, target->query_id, target->id));
  {
    ASSIGN_OR_RETURN(
        ScopedStatement st,
        conn_.Statement("UPDATE live_queries SET stored_rows = ?2, stored_bytes = ?3, "
                        "truncated_at = CASE WHEN ?4 = 1 AND truncated_at IS NULL THEN ?2 ELSE "
                        "truncated_at END, columns_json = ?5, updated_at = ?6 WHERE id = ?1"));
    st->Bind(1, query->id)
        .Bind(2, rows)
        .Bind(3, bytes)
        .Bind(4, int64_t{cut ? 1 : 0})
        .Bind(5, new_columns ? Dump(columns) : Dump(query->columns))
        .Bind(6, at);
    RETURN_IF_ERROR(st->Run());
  }
  out.update = ChunkUpdate::kStored;
  out.stored = stored;
  out.truncated = cut;
  return out;
}

Result<std::optional<int64_t>> SqliteLiveQueryWriter::AnswerCommand(int64_t command_id,
                                                                    const LiveQueryAnswer& answer) {
  ASSIGN_OR_RETURN(std::optional<LiveQueryTarget> target, LoadTargetOfCommand(conn_, command_id));
  if (!target) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(
      bool moved, MoveTarget(conn_, *target,
                             answer.ok ? LiveQueryTargetState::kDone : LiveQueryTargetState::kError,
                             &answer, answer.at));
  return moved ? std::optional<int64_t>(target->query_id) : std::nullopt;
}

Result<std::optional<std::vector<WithdrawnCommand>>> SqliteLiveQueryWriter::Cancel(int64_t query_id,
                                                                                   EpochMs at) {
  std::vector<WithdrawnCommand> out;
  ASSIGN_OR_RETURN(std::optional<LiveQuery> query, LoadQuery(conn_, query_id));
  if (!query || query->state != "running") return std::optional<std::vector<WithdrawnCommand>>();
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("UPDATE live_queries SET state = 'cancelled', updated_at = "
                                     "?2 WHERE id = ?1"));
    st->Bind(1, query_id).Bind(2, at);
    RETURN_IF_ERROR(st->Run());
  }
  ASSIGN_OR_RETURN(std::vector<LiveQueryTarget> open, OpenTargets(conn_, query_id, 0));
  for (const LiveQueryTarget& t : open) {
    ASSIGN_OR_RETURN(bool moved,
                     MoveTarget(conn_, t, LiveQueryTargetState::kCancelled, nullptr, at));
    if (moved && t.command_id) out.push_back({query_id, t.host_id, *t.command_id});
  }
  RETURN_IF_ERROR(RestateQuery(conn_, query_id, at));
  return std::optional<std::vector<WithdrawnCommand>>(std::move(out));
}

Result<std::vector<WithdrawnCommand>> SqliteLiveQueryWriter::ExpireTargets(EpochMs now) {
  std::vector<WithdrawnCommand> out;
  ASSIGN_OR_RETURN(std::vector<LiveQueryTarget> open, OpenTargets(conn_, 0, now));
  for (const LiveQueryTarget& t : open) {
    LiveQueryAnswer answer;
    answer.ok = false;
    answer.error = "the host did not answer before the live query's deadline";
    answer.at = now;
    const bool pending = t.state == LiveQueryTargetState::kPending;
    ASSIGN_OR_RETURN(bool moved, MoveTarget(conn_, t,
                                            pending ? LiveQueryTargetState::kOffline
                                                    : LiveQueryTargetState::kError,
                                            pending ? nullptr : &answer, now));
    if (moved && t.command_id) out.push_back({t.query_id, t.host_id, *t.command_id});
  }
  return out;
}

Result<int64_t> SqliteLiveQueryWriter::PruneResults(EpochMs before, EpochMs now) {
  ASSIGN_OR_RETURN(int64_t deleted,
                   RunCountingChanges(conn_,
                                      "DELETE FROM live_query_rows WHERE query_id IN (SELECT id "
                                      "FROM live_queries WHERE created_at < ?1 AND "
                                      "results_pruned_at IS NULL)",
                                      [&](SqliteStatement& st) { st.Bind(1, before); }));
  RETURN_IF_ERROR(RunCountingChanges(conn_,
                                     "UPDATE live_queries SET results_pruned_at = ?2 WHERE "
                                     "created_at < ?1 AND results_pruned_at IS NULL",
                                     [&](SqliteStatement& st) { st.Bind(1, before).Bind(2, now); })
                      .status());
  return deleted;
}

}  // namespace warden::store
