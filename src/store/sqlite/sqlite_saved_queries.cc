// Saved queries with their tags, favourites and schedules; scheduled-query
// results and each host's scheduled-query jobs.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ---- saved queries

std::string ScheduleToJson(const SavedQuerySchedule& s) {
  nlohmann::json j = {{"targets", nlohmann::json::parse(LiveQueryTargetSpecToJson(s.targets))},
                      {"interval_seconds", s.interval_seconds ? nlohmann::json(*s.interval_seconds)
                                                              : nlohmann::json(nullptr)},
                      {"daily_at", s.daily_at},
                      {"splay_percent", s.splay_percent},
                      {"run_at_start", s.run_at_start},
                      {"mode", s.mode},
                      {"report_removed", s.report_removed},
                      {"timeout_ms", s.timeout_ms},
                      {"max_memory_bytes", s.max_memory_bytes},
                      {"enabled", s.enabled}};
  return Dump(j);
}

std::optional<SavedQuerySchedule> ScheduleFromJson(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  SavedQuerySchedule s;
  if (auto it = j.find("targets"); it != j.end())
    s.targets = LiveQueryTargetSpecFromJson(Dump(*it));
  if (auto it = j.find("interval_seconds"); it != j.end() && it->is_number_integer())
    s.interval_seconds = it->get<int64_t>();
  if (auto it = j.find("daily_at"); it != j.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) s.daily_at.push_back(v.get<std::string>());
  s.splay_percent = j.value("splay_percent", s.splay_percent);
  s.run_at_start = j.value("run_at_start", s.run_at_start);
  s.mode = j.value("mode", s.mode);
  s.report_removed = j.value("report_removed", s.report_removed);
  s.timeout_ms = j.value("timeout_ms", s.timeout_ms);
  s.max_memory_bytes = j.value("max_memory_bytes", s.max_memory_bytes);
  s.enabled = j.value("enabled", s.enabled);
  return s;
}

constexpr std::string_view kSavedQueryColumns =
    "id, name, description, sql_text, tags_json, owner_type, owner_id, owner_name, schedule_json, "
    "created_at, updated_at";

SavedQuery ReadSavedQuery(SqliteStatement& st) {
  SavedQuery q;
  q.id = st.Int(0);
  q.name = st.Text(1);
  q.description = st.Text(2);
  q.sql = st.Text(3);
  q.tags = LabelsFromJson(st.Text(4));
  q.owner.type = st.Text(5);
  q.owner.id = st.Text(6);
  q.owner.name = st.Text(7);
  q.schedule = ScheduleFromJson(OptionalText(st, 8));
  q.created_at = st.Int(9);
  q.updated_at = st.Int(10);
  return q;
}

Result<std::optional<SavedQuery>> LoadSavedQuery(SqliteConnection& conn, int64_t id) {
  return QueryOne<SavedQuery>(
      conn, "SELECT " + std::string(kSavedQueryColumns) + " FROM saved_queries WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadSavedQuery);
}

Result<bool> SavedQueryNameTaken(SqliteConnection& conn, const std::string& name,
                                 int64_t except_id) {
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn.Statement("SELECT id FROM saved_queries WHERE name = ?1 AND id <> ?2"));
  st->Bind(1, name).Bind(2, except_id);
  return st->Step();
}

Status WriteTags(SqliteConnection& conn, int64_t id, const std::vector<std::string>& tags) {
  {
    ASSIGN_OR_RETURN(ScopedStatement del,
                     conn.Statement("DELETE FROM saved_query_tags WHERE saved_query_id = ?1"));
    del->Bind(1, id);
    RETURN_IF_ERROR(del->Run());
  }
  for (const std::string& tag : tags) {
    ASSIGN_OR_RETURN(
        ScopedStatement ins,
        conn.Statement("INSERT INTO saved_query_tags (saved_query_id, tag) VALUES (?1, ?2)"));
    ins->Bind(1, id).Bind(2, tag);
    RETURN_IF_ERROR(ins->Run());
  }
  return Status::Ok();
}

Result<std::vector<std::string>> NormalizeTags(const std::vector<std::string>& tags) {
  auto normalized = NormalizeLabels(tags);
  if (!normalized.ok()) {
    std::string message = normalized.status().message();
    if (message.rfind("labels: ", 0) == 0) message = "tags: " + message.substr(8);
    return InvalidArgument(message);
  }
  return *normalized;
}

bool Scheduled(const std::optional<SavedQuerySchedule>& schedule) {
  return schedule.has_value() && schedule->enabled;
}

// ---- results and jobs

constexpr std::string_view kResultColumns =
    "id, host_id, hostname, name, action, run_at, epoch, counter, row_json";

ScheduledResultRow ReadResult(SqliteStatement& st) {
  ScheduledResultRow r;
  r.id = st.Int(0);
  r.host_id = st.Int(1);
  r.hostname = st.Text(2);
  r.name = st.Text(3);
  r.action = st.Text(4);
  r.run_at = st.Int(5);
  r.epoch = st.Int(6);
  r.counter = st.Int(7);
  r.row_json = st.Text(8);
  return r;
}

constexpr std::string_view kJobColumns =
    "host_id, name, last_run_at, duration_ms, outcome, result, last_rows, next_run_at, running, "
    "runs, failures, reported_at";

HostQueryJob ReadJob(SqliteStatement& st) {
  HostQueryJob j;
  j.host_id = st.Int(0);
  j.name = st.Text(1);
  j.last_run_at = OptionalInt(st, 2);
  j.duration_ms = OptionalInt(st, 3);
  j.outcome = OptionalText(st, 4);
  j.result = OptionalText(st, 5);
  j.last_rows = OptionalInt(st, 6);
  j.next_run_at = OptionalInt(st, 7);
  j.running = st.Int(8) != 0;
  j.runs = st.Int(9);
  j.failures = st.Int(10);
  j.reported_at = st.Int(11);
  return j;
}

}  // namespace

const ListTable& SavedQueryListTable() {
  static const ListTable table{
      &SavedQueryListSchema(),
      "saved_queries",
      kSavedQueryColumns,
      11,
      "id",
      {
          {"id", "id"},
          {"name", "name"},
          {"created_at", "created_at"},
          {"updated_at", "updated_at"},
          {"description", "description"},
          {"owner", "owner_type || ':' || owner_id = ?", ListColumn::Kind::kMembership},
          {"tag", "id IN (SELECT saved_query_id FROM saved_query_tags WHERE tag = ?)",
           ListColumn::Kind::kMembership},
          {"favourite_of",
           "id IN (SELECT saved_query_id FROM saved_query_favourites WHERE user_id = ?)",
           ListColumn::Kind::kMembership},
          {"not_favourite_of",
           "id NOT IN (SELECT saved_query_id FROM saved_query_favourites WHERE user_id = ?)",
           ListColumn::Kind::kMembership},
          {"scheduled", "scheduled"},
      },
  };
  return table;
}

const ListTable& ScheduledResultListTable() {
  static const ListTable table{
      &ScheduledResultListSchema(),
      "scheduled_query_results",
      kResultColumns,
      9,
      "id",
      {
          {"id", "id"},
          {"run_at", "run_at"},
          {"name", "name"},
          {"host_id", "host_id"},
          {"action", "action"},
      },
  };
  return table;
}

// ---- saved queries: read side

Result<std::optional<SavedQuery>> SqliteSavedQueryRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadSavedQuery(lease.conn(), id);
}

Result<std::optional<SavedQuery>> SqliteSavedQueryRepository::GetByName(const std::string& name) {
  ReadPool::Lease lease = pool_.Acquire();
  return QueryOne<SavedQuery>(
      lease.conn(),
      "SELECT " + std::string(kSavedQueryColumns) + " FROM saved_queries WHERE name = ?1",
      [&](SqliteStatement& st) { st.Bind(1, name); }, ReadSavedQuery);
}

Result<ListPage<SavedQuery>> SqliteSavedQueryRepository::List(const ListQuery& query) {
  return ListFromPool<SavedQuery>(pool_, SavedQueryListTable(), query, ReadSavedQuery);
}

Status SqliteSavedQueryRepository::Export(const ListQuery& query,
                                          const RowCallback<SavedQuery>& row) {
  return ExportFromPool<SavedQuery>(pool_, SavedQueryListTable(), query, ReadSavedQuery, row);
}

Result<std::vector<SavedQuery>> SqliteSavedQueryRepository::Scheduled() {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT " + std::string(kSavedQueryColumns) +
                                          " FROM saved_queries WHERE scheduled = 1 ORDER BY id"));
  std::vector<SavedQuery> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadSavedQuery(*st));
  }
  return out;
}

Result<std::set<int64_t>> SqliteSavedQueryRepository::FavouriteIds(int64_t user_id) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement(
                       "SELECT saved_query_id FROM saved_query_favourites WHERE user_id = ?1"));
  st->Bind(1, user_id);
  std::set<int64_t> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.insert(st->Int(0));
  }
  return out;
}

// ---- saved queries: write side

Result<std::optional<SavedQuery>> SqliteSavedQueryWriter::Get(int64_t id) {
  return LoadSavedQuery(conn_, id);
}

Result<std::optional<SavedQuery>> SqliteSavedQueryWriter::Create(const NewSavedQuery& q) {
  if (q.name.empty()) return InvalidArgument("name: must not be empty");
  if (q.sql.empty()) return InvalidArgument("sql: must not be empty");
  ASSIGN_OR_RETURN(std::vector<std::string> tags, NormalizeTags(q.tags));
  ASSIGN_OR_RETURN(bool taken, SavedQueryNameTaken(conn_, q.name, 0));
  if (taken) return std::optional<SavedQuery>();
  {
    ASSIGN_OR_RETURN(
        ScopedStatement ins,
        conn_.Statement("INSERT INTO saved_queries (name, description, sql_text, tags_json, "
                        "owner_type, owner_id, owner_name, schedule_json, scheduled, created_at, "
                        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"));
    ins->Bind(1, q.name)
        .Bind(2, q.description)
        .Bind(3, q.sql)
        .Bind(4, LabelsToJson(tags))
        .Bind(5, q.owner.type)
        .Bind(6, q.owner.id)
        .Bind(7, q.owner.name);
    BindOptionalText(
        *ins, 8,
        q.schedule ? std::optional<std::string>(ScheduleToJson(*q.schedule)) : std::nullopt);
    ins->Bind(9, int64_t{Scheduled(q.schedule) ? 1 : 0}).Bind(10, q.created_at);
    RETURN_IF_ERROR(ins->Run());
  }
  const int64_t id = InsertedId(conn_);
  RETURN_IF_ERROR(WriteTags(conn_, id, tags));
  return LoadSavedQuery(conn_, id);
}

Result<SavedQueryUpdate> SqliteSavedQueryWriter::Update(int64_t id,
                                                        const SavedQueryChange& change) {
  SavedQueryUpdate out;
  ASSIGN_OR_RETURN(std::optional<SavedQuery> current, LoadSavedQuery(conn_, id));
  if (!current) return out;
  SavedQuery next = *current;
  if (change.name) {
    if (change.name->empty()) return InvalidArgument("name: must not be empty");
    ASSIGN_OR_RETURN(bool taken, SavedQueryNameTaken(conn_, *change.name, id));
    if (taken) {
      out.name_taken = true;
      return out;
    }
    next.name = *change.name;
  }
  if (change.description) next.description = *change.description;
  if (change.sql) {
    if (change.sql->empty()) return InvalidArgument("sql: must not be empty");
    next.sql = *change.sql;
  }
  bool new_tags = false;
  if (change.tags) {
    ASSIGN_OR_RETURN(next.tags, NormalizeTags(*change.tags));
    new_tags = true;
  }
  if (change.schedule) next.schedule = *change.schedule;
  next.updated_at = std::max(change.updated_at, current->updated_at);
  {
    ASSIGN_OR_RETURN(
        ScopedStatement upd,
        conn_.Statement("UPDATE saved_queries SET name = ?2, description = ?3, sql_text = ?4, "
                        "tags_json = ?5, schedule_json = ?6, scheduled = ?7, updated_at = ?8 "
                        "WHERE id = ?1"));
    upd->Bind(1, id)
        .Bind(2, next.name)
        .Bind(3, next.description)
        .Bind(4, next.sql)
        .Bind(5, LabelsToJson(next.tags));
    BindOptionalText(
        *upd, 6,
        next.schedule ? std::optional<std::string>(ScheduleToJson(*next.schedule)) : std::nullopt);
    upd->Bind(7, int64_t{Scheduled(next.schedule) ? 1 : 0}).Bind(8, next.updated_at);
    RETURN_IF_ERROR(upd->Run());
  }
  if (new_tags) RETURN_IF_ERROR(WriteTags(conn_, id, next.tags));
  ASSIGN_OR_RETURN(out.query, LoadSavedQuery(conn_, id));
  return out;
}

Result<bool> SqliteSavedQueryWriter::Delete(int64_t id) {
  for (std::string_view sql : {"DELETE FROM saved_query_tags WHERE saved_query_id = ?1",
                               "DELETE FROM saved_query_favourites WHERE saved_query_id = ?1"}) {
    RETURN_IF_ERROR(
        RunCountingChanges(conn_, sql, [&](SqliteStatement& st) { st.Bind(1, id); }).status());
  }
  ASSIGN_OR_RETURN(int64_t changed,
                   RunCountingChanges(conn_, "DELETE FROM saved_queries WHERE id = ?1",
                                      [&](SqliteStatement& st) { st.Bind(1, id); }));
  return changed > 0;
}

Result<bool> SqliteSavedQueryWriter::SetFavourite(int64_t user_id, int64_t saved_query_id,
                                                  bool favourite, EpochMs at) {
  ASSIGN_OR_RETURN(bool exists,
                   Exists(conn_, "SELECT 1 FROM saved_queries WHERE id = ?1", saved_query_id));
  if (!exists) return false;
  if (favourite) {
    RETURN_IF_ERROR(RunCountingChanges(conn_,
                                       "INSERT INTO saved_query_favourites (user_id, "
                                       "saved_query_id, created_at) VALUES (?1, ?2, ?3) ON "
                                       "CONFLICT (user_id, saved_query_id) DO NOTHING",
                                       [&](SqliteStatement& st) {
                                         st.Bind(1, user_id).Bind(2, saved_query_id).Bind(3, at);
                                       })
                        .status());
  } else {
    RETURN_IF_ERROR(RunCountingChanges(
                        conn_,
                        "DELETE FROM saved_query_favourites WHERE user_id = ?1 "
                        "AND saved_query_id = ?2",
                        [&](SqliteStatement& st) { st.Bind(1, user_id).Bind(2, saved_query_id); })
                        .status());
  }
  return true;
}

// ---- results and jobs: read side

Result<ListPage<ScheduledResultRow>> SqliteScheduledResultRepository::List(const ListQuery& query) {
  return ListFromPool<ScheduledResultRow>(pool_, ScheduledResultListTable(), query, ReadResult);
}

Status SqliteScheduledResultRepository::Export(const ListQuery& query,
                                               const RowCallback<ScheduledResultRow>& row) {
  return ExportFromPool<ScheduledResultRow>(pool_, ScheduledResultListTable(), query, ReadResult,
                                            row);
}

Result<std::vector<HostQueryJob>> SqliteScheduledResultRepository::HostJobs(int64_t host_id) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT " + std::string(kJobColumns) +
                                          " FROM host_query_jobs WHERE host_id = ?1 ORDER BY "
                                          "name"));
  st->Bind(1, host_id);
  std::vector<HostQueryJob> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadJob(*st));
  }
  return out;
}

// ---- results and jobs: write side

Status SqliteScheduledResultWriter::Append(const std::vector<ScheduledResultRow>& rows) {
  if (rows.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(ScopedStatement ins,
                   conn_.Statement("INSERT INTO scheduled_query_results (host_id, hostname, "
                                   "name, action, run_at, epoch, counter, row_json) VALUES (?1, "
                                   "?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  for (const ScheduledResultRow& r : rows) {
    if (r.name.empty()) return InvalidArgument("scheduled result: the query name is empty");
    if (r.action != "added" && r.action != "removed" && r.action != "snapshot")
      return InvalidArgument("scheduled result: action must be added, removed or snapshot");
    ins->Bind(1, r.host_id)
        .Bind(2, r.hostname)
        .Bind(3, r.name)
        .Bind(4, r.action)
        .Bind(5, r.run_at)
        .Bind(6, r.epoch)
        .Bind(7, r.counter)
        .Bind(8, r.row_json);
    RETURN_IF_ERROR(ins->Run());
  }
  return Status::Ok();
}

Result<bool> SqliteScheduledResultWriter::ReplaceHostJobs(int64_t host_id,
                                                          const std::vector<HostQueryJob>& jobs,
                                                          EpochMs reported_at) {
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("SELECT 1 FROM host_query_jobs WHERE host_id = ?1 AND "
                                     "reported_at > ?2"));
    st->Bind(1, host_id).Bind(2, reported_at);
    ASSIGN_OR_RETURN(bool newer, st->Step());
    if (newer) return false;
  }
  RETURN_IF_ERROR(RunCountingChanges(conn_, "DELETE FROM host_query_jobs WHERE host_id = ?1",
                                     [&](SqliteStatement& st) { st.Bind(1, host_id); })
                      .status());
  ASSIGN_OR_RETURN(
      ScopedStatement ins,
      conn_.Statement("INSERT INTO host_query_jobs (host_id, name, last_run_at, duration_ms, "
                      "outcome, result, last_rows, next_run_at, running, runs, failures, "
                      "reported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
                      "ON CONFLICT (host_id, name) DO NOTHING"));
  for (const HostQueryJob& j : jobs) {
    ins->Bind(1, host_id).Bind(2, j.name);
    BindOptional(*ins, 3, j.last_run_at);
    BindOptional(*ins, 4, j.duration_ms);
    BindOptionalText(*ins, 5, j.outcome);
    BindOptionalText(*ins, 6, j.result);
    BindOptional(*ins, 7, j.last_rows);
    BindOptional(*ins, 8, j.next_run_at);
    ins->Bind(9, int64_t{j.running ? 1 : 0})
        .Bind(10, j.runs)
        .Bind(11, j.failures)
        .Bind(12, reported_at);
    RETURN_IF_ERROR(ins->Run());
  }
  return true;
}

Result<int64_t> SqliteScheduledResultWriter::PruneBefore(EpochMs before) {
  return RunCountingChanges(conn_, "DELETE FROM scheduled_query_results WHERE run_at < ?1",
                            [&](SqliteStatement& st) { st.Bind(1, before); });
}

}  // namespace warden::store
