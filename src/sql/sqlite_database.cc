#include "sql/sqlite_database.h"

#include <sqlite3.h>

namespace warden {

SqliteStatement::~SqliteStatement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : stmt_(other.stmt_), path_(std::move(other.path_)) {
  other.stmt_ = nullptr;
}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    if (stmt_) sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    path_ = std::move(other.path_);
    other.stmt_ = nullptr;
  }
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::BindDouble(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = path_ + ": " + sqlite3_errmsg(sqlite3_db_handle(stmt_));
  sqlite3_reset(stmt_);
  return rc == SQLITE_BUSY ? Status(StatusCode::kUnavailable, msg) : IoError(msg);
}

Status SqliteStatement::Run() {
  for (;;) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  Reset();
  return Status::Ok();
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t SqliteStatement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
double SqliteStatement::Double(int column) const { return sqlite3_column_double(stmt_, column); }
bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}
std::string SqliteStatement::Text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path, Mode mode) {
  SqliteOpenOptions options;
  options.mode = mode;
  return Open(path, options);
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path,
                                                             const SqliteOpenOptions& options) {
  std::unique_ptr<SqliteDatabase> c(new SqliteDatabase());
  c->path_ = path;
  const bool read_only = options.mode == Mode::kReadOnly;
  int flags = SQLITE_OPEN_NOMUTEX;
  if (read_only)
    flags |= SQLITE_OPEN_READONLY;
  else
    flags |=
        SQLITE_OPEN_READWRITE | (options.mode == Mode::kReadWriteCreate ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &c->db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = c->db_ ? sqlite3_errmsg(c->db_) : sqlite3_errstr(rc);
    if (rc == SQLITE_CANTOPEN) return NotFound(path + ": cannot open (" + msg + ")");
    return IoError(path + ": " + msg);
  }
  sqlite3_busy_timeout(c->db_, static_cast<int>(options.busy_timeout.count()));
  if (!read_only) {
    if (options.wal) RETURN_IF_ERROR(c->Exec("PRAGMA journal_mode=WAL"));
    if (options.synchronous_full) RETURN_IF_ERROR(c->Exec("PRAGMA synchronous=FULL"));
  }
  return c;
}

SqliteDatabase::~SqliteDatabase() {
  if (db_) sqlite3_close_v2(db_);
}

Status SqliteDatabase::Error(std::string_view what) const {
  return IoError(path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

Status SqliteDatabase::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = path_ + ": " + (err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    return rc == SQLITE_BUSY ? Status(StatusCode::kUnavailable, msg) : IoError(msg);
  }
  return Status::Ok();
}

Result<SqliteStatement> SqliteDatabase::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK)
    return Error("prepare");
  return SqliteStatement(stmt, path_);
}

int64_t SqliteDatabase::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int SqliteDatabase::Changes() const { return sqlite3_changes(db_); }

Result<std::string> SqliteDatabase::IntegrityCheck() {
  ASSIGN_OR_RETURN(SqliteStatement st, Prepare("PRAGMA integrity_check"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::string("no answer");
  return st.Text(0);
}

Result<int64_t> SqliteDatabase::UserVersion() {
  ASSIGN_OR_RETURN(SqliteStatement st, Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Error("PRAGMA user_version");
  return st.Int(0);
}

Result<bool> SqliteDatabase::HasTable(std::string_view name) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1"));
  st.Bind(1, name);
  return st.Step();
}

Result<bool> SqliteDatabase::HasColumn(std::string_view table, std::string_view column) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   Prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2"));
  st.Bind(1, table).Bind(2, column);
  return st.Step();
}

Result<std::unique_ptr<SqliteTransaction>> SqliteTransaction::Begin(SqliteDatabase& db) {
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<SqliteTransaction>(new SqliteTransaction(db));
}

SqliteTransaction::~SqliteTransaction() {
  if (!done_) (void)db_.Exec("ROLLBACK");
}

Status SqliteTransaction::Commit() {
  RETURN_IF_ERROR(db_.Exec("COMMIT"));
  done_ = true;
  return Status::Ok();
}

}  // namespace warden
