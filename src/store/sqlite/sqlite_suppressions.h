// Suppressions and their holds (suppression_repository.h) on SQLite: the
// read side over the ReadPool, the write side over the writer's
// connection. Internal to store/sqlite.
#pragma once

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/suppression_repository.h"

namespace warden::store {

const ListTable& SuppressionListTable();

class SqliteSuppressionRepository final : public SuppressionRepository {
 public:
  explicit SqliteSuppressionRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<Suppression>> Get(int64_t id) override;
  Result<ListPage<Suppression>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<Suppression>& row) override;
  Result<std::vector<Suppression>> Active(EpochMs now) override;

 private:
  ReadPool& pool_;
};

class SqliteSuppressionWriter final : public SuppressionWriter {
 public:
  explicit SqliteSuppressionWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<std::optional<Suppression>> Get(int64_t id) override;
  Result<std::vector<Suppression>> Active(EpochMs now) override;
  Result<Suppression> Create(const NewSuppression& suppression) override;
  Result<std::optional<Suppression>> Update(int64_t id, const SuppressionChange& change) override;
  Result<bool> Delete(int64_t id) override;
  Result<std::vector<int64_t>> HeldProblems(int64_t suppression_id) override;
  Status Hold(int64_t problem_id, const std::vector<int64_t>& suppression_ids,
              const std::string& comment) override;
  Status Release(int64_t problem_id) override;

 private:
  SqliteConnection& conn_;
};

}  // namespace warden::store
