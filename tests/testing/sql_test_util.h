// Running SQL over a fixture root (or the live host) in tests. Header-only so
// that only test programs that link warden_tables pay for it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/host_fs.h"
#include "sql/sql_engine.h"
#include "sql/table.h"

namespace warden::testing {

// An engine with every built-in table, reading the host under `root`.
class SqlFixture {
 public:
  explicit SqlFixture(const std::string& root = "/") : fs_(root) {
    RegisterBuiltinTables(registry_);
    auto e = SqlEngine::Open(&registry_, &fs_);
    if (!e.ok()) ADD_FAILURE() << e.status().message();
    engine_ = std::move(e).value();
  }
  // Runs sql; fails the test (and returns an empty result) on error.
  QueryResult Query(const std::string& sql) {
    auto r = engine_->Query(sql);
    if (!r.ok()) {
      ADD_FAILURE() << "query failed: " << sql << ": " << r.status().message();
      return {};
    }
    return std::move(r).value();
  }
  // Runs sql expecting an error; returns its message ("" and a failure if it succeeded).
  std::string QueryError(const std::string& sql) {
    auto r = engine_->Query(sql);
    if (r.ok()) {
      ADD_FAILURE() << "query unexpectedly succeeded: " << sql;
      return "";
    }
    return r.status().message();
  }
  SqlEngine& engine() { return *engine_; }
  const TableRegistry& registry() const { return registry_; }

 private:
  TableRegistry registry_;
  HostFs fs_;
  std::unique_ptr<SqlEngine> engine_;
};

// The value of column `name` in row `row` of a result ("" when absent).
inline const Value& Cell(const QueryResult& r, size_t row, const std::string& name) {
  static const Value kNull;
  for (size_t i = 0; i < r.columns.size(); ++i)
    if (r.columns[i] == name && row < r.rows.size()) return r.rows[row][i];
  return kNull;
}

}  // namespace warden::testing
