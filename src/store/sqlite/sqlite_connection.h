// SqliteConnection is one open SQLite handle of the store with its prepared
// statements cached by SQL text (the writer runs the same few statements
// thousands of times a second; preparing each time would cost more than
// running them). A statement borrowed from the cache is reset and its
// bindings cleared when the ScopedStatement goes out of scope, which also
// ends any read it held open. ReadPool lends a fixed number of read-only
// connections to reader threads. Both are internal to store/sqlite.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "sql/sqlite_database.h"

namespace warden::store {

class ScopedStatement {
 public:
  explicit ScopedStatement(SqliteStatement* st) : st_(st) {}
  ~ScopedStatement() {
    if (st_) st_->Reset();
  }
  ScopedStatement(ScopedStatement&& other) noexcept : st_(other.st_) { other.st_ = nullptr; }
  ScopedStatement& operator=(ScopedStatement&&) = delete;
  ScopedStatement(const ScopedStatement&) = delete;
  ScopedStatement& operator=(const ScopedStatement&) = delete;
  SqliteStatement* operator->() { return st_; }
  SqliteStatement& operator*() { return *st_; }

 private:
  SqliteStatement* st_;
};

class SqliteConnection {
 public:
  explicit SqliteConnection(std::unique_ptr<SqliteDatabase> db) : db_(std::move(db)) {}
  SqliteDatabase& db() { return *db_; }
  // The cached statement for `sql`, prepared on first use.
  Result<ScopedStatement> Statement(std::string_view sql);
  // Runs a statement without rows (cached).
  Status Run(std::string_view sql);

 private:
  // Beyond this many distinct statements (list queries vary with their
  // filters) the cache starts over.
  static constexpr size_t kMaxCachedStatements = 512;
  // Looked up by string_view: the writer asks for the same statements
  // thousands of times a second, without copying their text each time.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  std::unique_ptr<SqliteDatabase> db_;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, TextHash, std::equal_to<>>
      cache_;
};

class ReadPool {
 public:
  class Lease {
   public:
    Lease(ReadPool& pool, SqliteConnection* conn) : pool_(&pool), conn_(conn) {}
    ~Lease() {
      if (conn_) pool_->Release(conn_);
    }
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(other.conn_) {
      other.conn_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SqliteConnection& conn() { return *conn_; }

   private:
    ReadPool* pool_;
    SqliteConnection* conn_;
  };

  // Opens `count` read-only connections to `path` (which must exist).
  static Result<std::unique_ptr<ReadPool>> Open(const std::string& path, int count);
  // Blocks until a connection is free.
  Lease Acquire();

 private:
  ReadPool() = default;
  void Release(SqliteConnection* conn);
  std::vector<std::unique_ptr<SqliteConnection>> all_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<SqliteConnection*> free_;
};

// Runs a one-row SELECT with `bind` applied; nullopt when there is no row.
template <typename T, typename Bind>
Result<std::optional<T>> QueryOne(SqliteConnection& conn, const std::string& sql, Bind bind,
                                  T (*read)(SqliteStatement&)) {
  ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(sql));
  bind(*st);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<T>();
  return std::optional<T>(read(*st));
}

// The id of the row the connection's last INSERT added. The writer's hot
// inserts use this rather than `RETURNING id`: SQLite runs a RETURNING
// clause as a trigger, and a statement with a trigger keeps a statement
// journal, a copy of every page it changes (an insert into a table with
// many indexes changes some 20), written to a temporary file; that copying
// was most of the cost of storing a problem.
int64_t InsertedId(SqliteConnection& conn);

// Whether `sql` (with ?1 = id) returns a row.
Result<bool> Exists(SqliteConnection& conn, std::string_view sql, int64_t id);

// Runs a statement without rows; the number of rows it changed.
Result<int64_t> RunCountingChanges(SqliteConnection& conn, std::string_view sql,
                                   const std::function<void(SqliteStatement&)>& bind);

// A read transaction on a read connection: every statement inside sees the
// same snapshot (a page and its total agree). Ends on destruction.
class ReadSnapshot {
 public:
  static Result<ReadSnapshot> Begin(SqliteConnection& conn);
  ~ReadSnapshot();
  ReadSnapshot(ReadSnapshot&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  ReadSnapshot& operator=(ReadSnapshot&&) = delete;
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  explicit ReadSnapshot(SqliteConnection* conn) : conn_(conn) {}
  SqliteConnection* conn_;
};

}  // namespace warden::store
