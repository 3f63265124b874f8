// SqliteDatabase is Warden's one wrapper over the SQLite C API for its own
// files: the agent's state (problems, job runs), the sinks' durable queues,
// the vulnerability feed database, and later the server's store. It opens a
// file with the settings its owner asks for (read-only or read-write, WAL or
// the rollback journal, synchronous=FULL, a busy timeout so that the CLI and
// a running agent can share a file), prepares statements with typed binds,
// and runs IMMEDIATE transactions that roll back unless committed. Errors
// carry the file path and SQLite's message; a database locked past the busy
// timeout is kUnavailable. It knows nothing about any schema.
// The SQL engine (sql_engine.h) keeps its own in-memory connection for the
// virtual tables: that is query execution, not storage.
// A database and its statements are used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace warden {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Binds are 1-based, as in SQLite; text is copied.
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, std::string_view text);
  SqliteStatement& BindDouble(int index, double value);
  SqliteStatement& BindNull(int index);
  // True when a row is available, false when the statement is done.
  Result<bool> Step();
  // Runs to completion (statements without rows), then resets.
  Status Run();
  // Makes the statement ready to run again and clears its bindings.
  void Reset();

  // Columns of the current row, 0-based.
  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  friend class SqliteDatabase;
  SqliteStatement(sqlite3_stmt* stmt, std::string path) : stmt_(stmt), path_(std::move(path)) {}
  sqlite3_stmt* stmt_ = nullptr;
  std::string path_;
};

struct SqliteOpenOptions {
  enum class Mode { kReadWriteCreate, kReadWrite, kReadOnly };
  Mode mode = Mode::kReadWriteCreate;
  // WAL: readers (the CLI) never block the writer, and a crash never leaves
  // a half-written file. The rollback journal keeps a one-transaction import
  // (the feed database) in a single file. Ignored for read-only opens.
  bool wal = true;
  // synchronous=FULL: a committed transaction survives a crash of the
  // process or of the machine. Ignored for read-only opens.
  bool synchronous_full = true;
  std::chrono::milliseconds busy_timeout{10000};
};

class SqliteDatabase {
 public:
  using Mode = SqliteOpenOptions::Mode;
  // NotFound when the file cannot be opened (missing, or no permission).
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path,
                                                      const SqliteOpenOptions& options = {});
  // The agent's defaults (WAL, synchronous=FULL, 10 s busy timeout) in `mode`.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path, Mode mode);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  Result<SqliteStatement> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;
  int Changes() const;
  const std::string& path() const { return path_; }
  // "ok", or the first problem PRAGMA integrity_check reports.
  Result<std::string> IntegrityCheck();
  // PRAGMA user_version.
  Result<int64_t> UserVersion();
  // Whether a table of that name exists.
  Result<bool> HasTable(std::string_view name);
  // Whether `table` has a column of that name.
  Result<bool> HasColumn(std::string_view table, std::string_view column);

 private:
  SqliteDatabase() = default;
  Status Error(std::string_view what) const;
  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit().
class SqliteTransaction {
 public:
  static Result<std::unique_ptr<SqliteTransaction>> Begin(SqliteDatabase& db);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  Status Commit();

 private:
  explicit SqliteTransaction(SqliteDatabase& db) : db_(db) {}
  SqliteDatabase& db_;
  bool done_ = false;
};

}  // namespace warden
