// SqlEngine runs SQL (SQLite dialect, as osquery does) over the tables of a
// TableRegistry. It is the only code that touches the SQLite C API: it exposes
// each table as an eponymous virtual table, pushes =/IN and other constraints
// down to the table's generate function, passes the set of used columns,
// enforces osquery's `required` columns with an error naming the column, and
// gives each query a time budget. The osquery SQL functions and collations are
// registered here too (sql_functions.cc).
// One engine per thread; the registry and HostFs must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_fs.h"
#include "core/status.h"
#include "sql/table.h"

struct sqlite3;

namespace warden {

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
};

struct QueryOptions {
  std::chrono::milliseconds timeout{60000};
  // Set from another thread or a signal handler to stop the query.
  std::atomic<bool>* interrupt = nullptr;
};

class SqlEngine {
 public:
  static Result<std::unique_ptr<SqlEngine>> Open(const TableRegistry* registry, const HostFs* fs);
  ~SqlEngine();
  SqlEngine(const SqlEngine&) = delete;
  SqlEngine& operator=(const SqlEngine&) = delete;

  // Runs every statement in sql; returns the rows of the last statement that
  // produced columns. Errors name the problem ("no such table: x", "table
  // 'file' needs a constraint on column 'path' ...", "query exceeded its
  // 60000 ms time budget").
  Result<QueryResult> Query(std::string_view sql, const QueryOptions& options = {});

  // Streams rows of a single-statement query to on_row as they are produced.
  Status QueryStream(std::string_view sql, const QueryOptions& options,
                     const std::function<void(const std::vector<std::string>&)>& on_columns,
                     const std::function<void(std::vector<Value>&&)>& on_row);

  const TableRegistry& registry() const { return *registry_; }
  const HostFs& fs() const { return *fs_; }

  // Internal state shared with the virtual-table callbacks.
  struct ScanState;

 private:
  SqlEngine(const TableRegistry* registry, const HostFs* fs);
  std::string WithTableSuggestion(const std::string& message) const;
  Status Init();

  const TableRegistry* registry_;
  const HostFs* fs_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<ScanState> state_;
};

// The CREATE TABLE statement SQLite sees for a table: osquery type names,
// HIDDEN and COLLATE markers. Shown by `.schema` in the shell.
std::string TableSchemaSql(const TableSchema& schema);

// True when sql ends with a complete statement (for multi-line input).
bool IsCompleteSql(const std::string& sql);

// Registers regex_match, split, concat, sha256, ... and the version
// collations on a connection (sql_functions.cc).
Status RegisterSqlFunctions(sqlite3* db);

}  // namespace warden
