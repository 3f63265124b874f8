#include "store/sqlite/sqlite_connection.h"

#include <algorithm>

namespace warden::store {

Result<ScopedStatement> SqliteConnection::Statement(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    if (cache_.size() >= kMaxCachedStatements) cache_.clear();
    ASSIGN_OR_RETURN(SqliteStatement st, db_->Prepare(sql));
    it = cache_.emplace(std::string(sql), std::make_unique<SqliteStatement>(std::move(st))).first;
  }
  return ScopedStatement(it->second.get());
}

Status SqliteConnection::Run(std::string_view sql) {
  ASSIGN_OR_RETURN(ScopedStatement st, Statement(sql));
  return st->Run();
}

int64_t InsertedId(SqliteConnection& conn) { return conn.db().LastInsertRowId(); }

Result<bool> Exists(SqliteConnection& conn, std::string_view sql, int64_t id) {
  ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(sql));
  st->Bind(1, id);
  return st->Step();
}

Result<int64_t> RunCountingChanges(SqliteConnection& conn, std::string_view sql,
                                   const std::function<void(SqliteStatement&)>& bind) {
  ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(sql));
  bind(*st);
  RETURN_IF_ERROR(st->Run());
  return static_cast<int64_t>(conn.db().Changes());
}

Result<std::unique_ptr<ReadPool>> ReadPool::Open(const std::string& path, int count) {
  std::unique_ptr<ReadPool> pool(new ReadPool());
  SqliteOpenOptions options;
  options.mode = SqliteOpenOptions::Mode::kReadOnly;
  for (int i = 0; i < std::max(1, count); ++i) {
    ASSIGN_OR_RETURN(auto db, SqliteDatabase::Open(path, options));
    pool->all_.push_back(std::make_unique<SqliteConnection>(std::move(db)));
    pool->free_.push_back(pool->all_.back().get());
  }
  return pool;
}

ReadPool::Lease ReadPool::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !free_.empty(); });
  SqliteConnection* conn = free_.back();
  free_.pop_back();
  return Lease(*this, conn);
}

void ReadPool::Release(SqliteConnection* conn) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(conn);
  }
  cv_.notify_one();
}

Result<ReadSnapshot> ReadSnapshot::Begin(SqliteConnection& conn) {
  RETURN_IF_ERROR(conn.Run("BEGIN"));
  return ReadSnapshot(&conn);
}

ReadSnapshot::~ReadSnapshot() {
  if (conn_) (void)conn_->Run("COMMIT");
}

}  // namespace warden::store
