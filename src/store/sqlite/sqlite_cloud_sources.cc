// The sources of cloud accounts: what the server follows, and how far it
// has read each file. Not here: following (src/server/cloud_source_runner.h).
#include <algorithm>

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

constexpr std::string_view kSourceColumns =
    "id, account_id, name, kind, path, enabled, files_read, events, findings, errors, "
    "last_file, last_read_at, last_error, last_error_at, created_at, updated_at";

CloudSource ReadSource(SqliteStatement& st) {
  CloudSource s;
  s.id = st.Int(0);
  s.account_id = st.Int(1);
  s.name = st.Text(2);
  s.kind = st.Text(3);
  s.path = st.Text(4);
  s.enabled = st.Int(5) != 0;
  s.files_read = st.Int(6);
  s.events = st.Int(7);
  s.findings = st.Int(8);
  s.errors = st.Int(9);
  s.last_file = st.Text(10);
  s.last_read_at = st.Int(11);
  s.last_error = st.Text(12);
  s.last_error_at = st.Int(13);
  s.created_at = st.Int(14);
  s.updated_at = st.Int(15);
  return s;
}

Result<std::optional<CloudSource>> LoadSource(SqliteConnection& conn, int64_t id) {
  return QueryOne<CloudSource>(
      conn, "SELECT " + std::string(kSourceColumns) + " FROM cloud_sources WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadSource);
}

Result<bool> SourceNameTaken(SqliteConnection& conn, int64_t account_id, const std::string& name,
                             int64_t except_id) {
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn.Statement("SELECT id FROM cloud_sources WHERE "
                                  "account_id = ?1 AND name = ?2 AND id <> ?3"));
  st->Bind(1, account_id).Bind(2, name).Bind(3, except_id);
  return st->Step();
}

Status CheckSource(const CloudSource& s) {
  if (s.name.empty()) return InvalidArgument("name: must not be empty");
  if (s.kind != "directory") return InvalidArgument("kind: must be directory");
  if (s.path.empty()) return InvalidArgument("path: must not be empty");
  return Status::Ok();
}

}  // namespace

const ListTable& CloudSourceListTable() {
  static const ListTable table{
      &CloudSourceListSchema(),
      "cloud_sources",
      kSourceColumns,
      16,
      "id",
      {
          {"id", "id"},
          {"name", "name"},
          {"created_at", "created_at"},
          {"account_id", "account_id"},
      },
  };
  return table;
}

// ---- read side

Result<std::optional<CloudSource>> SqliteCloudAccountRepository::GetSource(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadSource(lease.conn(), id);
}

Result<ListPage<CloudSource>> SqliteCloudAccountRepository::ListSources(const ListQuery& query) {
  return ListFromPool<CloudSource>(pool_, CloudSourceListTable(), query, ReadSource);
}

Status SqliteCloudAccountRepository::ExportSources(const ListQuery& query,
                                                   const RowCallback<CloudSource>& row) {
  return ExportFromPool<CloudSource>(pool_, CloudSourceListTable(), query, ReadSource, row);
}

Result<std::vector<CloudSource>> SqliteCloudAccountRepository::EnabledSources() {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT " + std::string(kSourceColumns) +
                                          " FROM cloud_sources WHERE enabled = 1 ORDER BY id"));
  std::vector<CloudSource> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadSource(*st));
  }
  return out;
}

Result<std::map<std::string, uint64_t>> SqliteCloudAccountRepository::SourcePositions(
    int64_t source_id) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT path, position FROM cloud_source_positions "
                                          "WHERE source_id = ?1"));
  st->Bind(1, source_id);
  std::map<std::string, uint64_t> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out[st->Text(0)] = static_cast<uint64_t>(st->Int(1));
  }
  return out;
}

// ---- write side

Result<CloudWrite<CloudSource>> SqliteCloudAccountWriter::CreateSource(const CloudSource& s) {
  CloudWrite<CloudSource> out;
  RETURN_IF_ERROR(CheckSource(s));
  ASSIGN_OR_RETURN(bool account,
                   Exists(conn_, "SELECT 1 FROM cloud_accounts WHERE id = ?1", s.account_id));
  if (!account) {
    out.outcome = CloudWriteOutcome::kNotFound;
    return out;
  }
  ASSIGN_OR_RETURN(bool taken, SourceNameTaken(conn_, s.account_id, s.name, 0));
  if (taken) {
    out.outcome = CloudWriteOutcome::kNameTaken;
    return out;
  }
  {
    ASSIGN_OR_RETURN(ScopedStatement ins,
                     conn_.Statement("INSERT INTO cloud_sources (account_id, name, kind, path, "
                                     "enabled, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, "
                                     "?5, ?6, ?6)"));
    ins->Bind(1, s.account_id)
        .Bind(2, s.name)
        .Bind(3, s.kind)
        .Bind(4, s.path)
        .Bind(5, int64_t{s.enabled ? 1 : 0})
        .Bind(6, s.created_at);
    RETURN_IF_ERROR(ins->Run());
  }
  ASSIGN_OR_RETURN(out.row, LoadSource(conn_, InsertedId(conn_)));
  return out;
}

Result<CloudWrite<CloudSource>> SqliteCloudAccountWriter::UpdateSource(
    int64_t id, const CloudSourceChange& change) {
  CloudWrite<CloudSource> out;
  ASSIGN_OR_RETURN(std::optional<CloudSource> current, LoadSource(conn_, id));
  if (!current) {
    out.outcome = CloudWriteOutcome::kNotFound;
    return out;
  }
  CloudSource next = *current;
  if (change.name) next.name = *change.name;
  if (change.path) next.path = *change.path;
  if (change.enabled) next.enabled = *change.enabled;
  RETURN_IF_ERROR(CheckSource(next));
  if (next.name != current->name) {
    ASSIGN_OR_RETURN(bool taken, SourceNameTaken(conn_, next.account_id, next.name, id));
    if (taken) {
      out.outcome = CloudWriteOutcome::kNameTaken;
      return out;
    }
  }
  next.updated_at = std::max(change.updated_at, current->updated_at);
  // Another directory is another stream of files: its positions start over.
  if (next.path != current->path)
    RETURN_IF_ERROR(RunCountingChanges(conn_,
                                       "DELETE FROM cloud_source_positions WHERE source_id = ?1",
                                       [&](SqliteStatement& st) { st.Bind(1, id); })
                        .status());
  RETURN_IF_ERROR(RunCountingChanges(conn_,
                                     "UPDATE cloud_sources SET name = ?2, path = ?3, enabled = "
                                     "?4, updated_at = ?5 WHERE id = ?1",
                                     [&](SqliteStatement& st) {
                                       st.Bind(1, id)
                                           .Bind(2, next.name)
                                           .Bind(3, next.path)
                                           .Bind(4, int64_t{next.enabled ? 1 : 0})
                                           .Bind(5, next.updated_at);
                                     })
                      .status());
  ASSIGN_OR_RETURN(out.row, LoadSource(conn_, id));
  return out;
}

Result<CloudWrite<CloudSource>> SqliteCloudAccountWriter::DeleteSource(int64_t id) {
  CloudWrite<CloudSource> out;
  RETURN_IF_ERROR(RunCountingChanges(conn_,
                                     "DELETE FROM cloud_source_positions WHERE source_id = ?1",
                                     [&](SqliteStatement& st) { st.Bind(1, id); })
                      .status());
  ASSIGN_OR_RETURN(int64_t changed,
                   RunCountingChanges(conn_, "DELETE FROM cloud_sources WHERE id = ?1",
                                      [&](SqliteStatement& st) { st.Bind(1, id); }));
  if (changed == 0) out.outcome = CloudWriteOutcome::kNotFound;
  return out;
}

Result<bool> SqliteCloudAccountWriter::RecordSourceProgress(int64_t source_id,
                                                            const CloudSourceProgress& p) {
  ASSIGN_OR_RETURN(bool exists,
                   Exists(conn_, "SELECT 1 FROM cloud_sources WHERE id = ?1", source_id));
  if (!exists) return false;
  RETURN_IF_ERROR(
      RunCountingChanges(
          conn_,
          "INSERT INTO cloud_source_positions (source_id, path, "
          "position) VALUES (?1, ?2, ?3) ON CONFLICT (source_id, "
          "path) DO UPDATE SET position = excluded.position",
          [&](SqliteStatement& st) {
            st.Bind(1, source_id).Bind(2, p.file).Bind(3, static_cast<int64_t>(p.position));
          })
          .status());
  // The last error kept is the file's last one (a file's problems come in
  // the order they were met).
  const bool failed = !p.errors.empty();
  RETURN_IF_ERROR(
      RunCountingChanges(
          conn_,
          "UPDATE cloud_sources SET files_read = files_read + 1, events = events + ?2, "
          "findings = findings + ?3, errors = errors + ?4, last_file = ?5, last_read_at = ?6, "
          "last_error = CASE WHEN ?4 > 0 THEN ?7 ELSE last_error END, "
          "last_error_at = CASE WHEN ?4 > 0 THEN ?6 ELSE last_error_at END WHERE id = ?1",
          [&](SqliteStatement& st) {
            st.Bind(1, source_id)
                .Bind(2, p.events)
                .Bind(3, p.findings)
                .Bind(4, static_cast<int64_t>(p.errors.size()))
                .Bind(5, p.file)
                .Bind(6, p.at)
                .Bind(7, failed ? p.errors.back() : std::string());
          })
          .status());
  return true;
}

}  // namespace warden::store
