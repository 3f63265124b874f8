// Test helpers for src/agent: a SQL engine over the live host with every
// built-in table (what the CLI's HostSession gives the agent), plus a small
// registry with a table whose rows a test sets, for scheduled-query tests.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "core/host_fs.h"
#include "sql/sql_engine.h"
#include "sql/table.h"

namespace warden::testing {

struct TestEngine {
  TableRegistry registry;
  HostFs fs{"/"};
  std::unique_ptr<SqlEngine> engine;
};

inline std::unique_ptr<TestEngine> LiveHostEngine() {
  auto t = std::make_unique<TestEngine>();
  RegisterBuiltinTables(t->registry);
  auto e = SqlEngine::Open(&t->registry, &t->fs);
  if (!e.ok()) return nullptr;
  t->engine = std::move(*e);
  return t;
}

// A table "test_rows(id INTEGER, name TEXT, score DOUBLE)" returning `rows`.
struct TestRowsTable {
  std::mutex mu;
  std::vector<std::tuple<int64_t, std::string, double>> rows;
};

inline std::unique_ptr<TestEngine> TestRowsEngine(TestRowsTable* table) {
  auto t = std::make_unique<TestEngine>();
  t->registry.Add(TableSchema{"test_rows",
                              "rows set by a test",
                              {{"id", ColumnType::kInteger},
                               {"name", ColumnType::kText},
                               {"score", ColumnType::kDouble}}},
                  [table](const QueryContext&, RowWriter& out) -> Status {
                    std::lock_guard<std::mutex> lock(table->mu);
                    for (const auto& [id, name, score] : table->rows) {
                      Row& r = out.Add();
                      r.Set("id", id);
                      if (!name.empty()) r.Set("name", name);
                      r.Set("score", score);
                    }
                    return Status::Ok();
                  });
  auto e = SqlEngine::Open(&t->registry, &t->fs);
  if (!e.ok()) return nullptr;
  t->engine = std::move(*e);
  return t;
}

}  // namespace warden::testing
