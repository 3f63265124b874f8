// The table framework: how a Warden SQL table is declared and how it produces
// rows. One table = one TableSchema (declared once, in C++) + one generate
// function. The engine (sql_engine.cc) turns each into an eponymous SQLite
// virtual table; table code never touches the SQLite C API.
//
// Contract for generate functions:
//   - Rows are typed: set INTEGER/BIGINT columns with integers, DOUBLE with
//     doubles, TEXT with strings; unset columns are NULL.
//   - Constraints in the QueryContext are hints. SQLite re-checks every row, so
//     a table may return more rows than asked for, never fewer. Use them to
//     avoid work (processes WHERE pid = 1 reads only /proc/1).
//   - Skip expensive columns nobody selected (ctx.IsUsed).
//   - Read the OS only through ctx.fs(), so fixture trees work.
//   - Data the host does not have (no rpmdb, no docker) is zero rows, not an
//     error. Return a non-OK Status only when the query cannot be answered.
//   - Poll ctx.Cancelled() in long loops; return early when it is true.
// Generate functions are called on the query's thread, one at a time.
//
// Streaming tables. A generate function holds every row of a scan in memory
// before SQLite sees the first, which is wrong for tables whose row count has
// no bound (file or hash over a recursive pattern walk whole trees: 700 MB
// for `count(*)` over "/"), and makes LIMIT 1 cost as much as the full scan.
// Such a table registers with AddStreaming instead: for each scan the engine
// opens a RowStream and asks it for the next batch whenever SQLite has
// consumed the rows already produced. Memory is then one batch plus the
// stream's own state, and a query that stops early stops the walk. The
// contract above holds for streams too (constraints are hints, read through
// ctx.fs(), poll ctx.Cancelled()).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/host_fs.h"
#include "core/status.h"
#include "core/value.h"

namespace warden {

// osquery's column types. BIGINT/INTEGER/UNSIGNED_BIGINT are all 64-bit
// integers in SQLite; the declared name is kept for `warden tables`.
enum class ColumnType { kText, kInteger, kBigInt, kUnsignedBigInt, kDouble, kBlob };
std::string_view ColumnTypeName(ColumnType type);  // "TEXT", "BIGINT", ...

enum ColumnOption : uint32_t {
  kNone = 0,
  kHidden = 1u << 0,      // not in SELECT *, selectable by name
  kRequired = 1u << 1,    // queries must constrain it (WHERE col = ...)
  kIndex = 1u << 2,       // constraints on it are pushed down and cheap
  kAdditional = 1u << 3,  // a constraint changes what is generated (osquery "additional")
  kOptimized = 1u << 4,   // the table uses constraints on it to skip work
  // An input the query gives (osquery's pid_with_namespace, include_remote):
  // a row the table leaves it unset in shows the query's value (WHERE col =
  // v), else 0, as osquery's tables echo it, so the WHERE keeps the row.
  kEchoInput = 1u << 5,
};

struct Column {
  Column(std::string column_name, ColumnType column_type, uint32_t column_options = kNone,
         std::string column_collate = {}, std::string column_description = {},
         std::vector<std::string> column_aliases = {})
      : name(std::move(column_name)),
        type(column_type),
        options(column_options),
        collate(std::move(column_collate)),
        description(std::move(column_description)),
        aliases(std::move(column_aliases)) {}
  std::string name;
  ColumnType type = ColumnType::kText;
  uint32_t options = kNone;
  std::string collate;  // "", "nocase", "version", "version_dpkg", "version_rhel"
  std::string description;
  // Other names of this column (osquery's deprecated spellings, e.g. "locale"
  // for default_locale). They are selectable and filterable but hidden from
  // SELECT *; the table sets only the column itself.
  std::vector<std::string> aliases;
};

struct TableSchema {
  TableSchema(std::string table_name, std::string table_description,
              std::vector<Column> table_columns, std::vector<std::string> table_aliases = {})
      : name(std::move(table_name)),
        description(std::move(table_description)),
        columns(std::move(table_columns)),
        aliases(std::move(table_aliases)) {}
  std::string name;
  std::string description;
  std::vector<Column> columns;
  std::vector<std::string> aliases;  // other names the same table answers to
  // The column index of a name, or -1.
  int ColumnIndex(std::string_view column) const;
};

// Converts what a table computed into a Value: integers (and bool) to int64,
// floating point to double, strings to text, std::nullopt/monostate to NULL.
template <typename T>
Value MakeValue(T&& v) {
  using D = std::decay_t<T>;
  if constexpr (std::is_same_v<D, Value>) {
    return std::forward<T>(v);
  } else if constexpr (std::is_same_v<D, std::monostate> || std::is_same_v<D, std::nullopt_t>) {
    return Value();
  } else if constexpr (std::is_same_v<D, bool>) {
    return Value(static_cast<int64_t>(v ? 1 : 0));
  } else if constexpr (std::is_integral_v<D>) {
    return Value(static_cast<int64_t>(v));
  } else if constexpr (std::is_floating_point_v<D>) {
    return Value(static_cast<double>(v));
  } else if constexpr (requires {
                         v.has_value();
                         *v;
                       }) {  // std::optional<...>
    return v.has_value() ? MakeValue(*v) : Value();
  } else {
    return Value(std::string(std::forward<T>(v)));
  }
}

// One row under construction: a typed value per column of the schema.
class Row {
 public:
  Row(const TableSchema* schema, const std::unordered_map<std::string_view, int>* index);
  // By column index (fast path for hot tables).
  template <typename T>
  void Set(int column, T&& v) {
    values_[static_cast<size_t>(column)] = MakeValue(std::forward<T>(v));
  }
  // By name; asserts the column exists (a typo is a bug, caught by the tests
  // that run every table).
  template <typename T>
  void Set(std::string_view column, T&& v) {
    SetByName(column, MakeValue(std::forward<T>(v)));
  }
  const Value& Get(int column) const { return values_[static_cast<size_t>(column)]; }
  const Value& Get(std::string_view column) const;
  const std::vector<Value>& values() const { return values_; }
  std::vector<Value>& mutable_values() { return values_; }

 private:
  void SetByName(std::string_view column, Value v);
  const TableSchema* schema_;
  const std::unordered_map<std::string_view, int>* index_;
  std::vector<Value> values_;
};

enum class ConstraintOp {
  kEq,
  kGt,
  kLe,
  kLt,
  kGe,
  kMatch,
  kLike,
  kGlob,
  kRegexp,
  kNe,
  kIsNot,
  kIsNotNull,
  kIsNull,
  kIs
};
std::string_view ConstraintOpName(ConstraintOp op);

struct Constraint {
  ConstraintOp op;
  Value value;
};

class TableRegistry;

// When a query must stop: a deadline and/or an interrupt flag.
struct QueryBudget {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* interrupt = nullptr;
  bool Expired() const {
    return (interrupt != nullptr && interrupt->load(std::memory_order_relaxed)) ||
           std::chrono::steady_clock::now() > deadline;
  }
};

// What a query asks of one table scan: constrained columns, used columns, the
// host to read, and the time budget.
class QueryContext {
 public:
  QueryContext(const TableSchema* schema, const HostFs* fs, const TableRegistry* registry,
               const QueryBudget* budget)
      : schema_(schema), fs_(fs), registry_(registry), budget_(budget) {}

  const HostFs& fs() const { return *fs_; }
  const TableRegistry* registry() const { return registry_; }
  bool Cancelled() const { return budget_ != nullptr && budget_->Expired(); }

  // Whether the query reads this column (SELECT list, WHERE, ORDER BY...).
  bool IsUsed(int column) const;
  bool IsUsed(std::string_view column) const;
  void SetUsedMask(uint64_t mask) { used_mask_ = mask; }

  void AddConstraint(int column, Constraint c) { constraints_[column].push_back(std::move(c)); }
  const std::vector<Constraint>* Constraints(std::string_view column) const;
  // Values a column must equal (from = and IN), or nullopt when the column is
  // not constrained by equality. Several = constraints intersect (the result
  // may then be empty); values are converted to the requested type and those
  // that do not convert are dropped.
  std::optional<std::vector<std::string>> TextEquals(std::string_view column) const;
  std::optional<std::vector<int64_t>> IntegerEquals(std::string_view column) const;
  bool HasConstraint(std::string_view column, ConstraintOp op) const;

 private:
  const TableSchema* schema_;
  const HostFs* fs_;
  const TableRegistry* registry_;
  const QueryBudget* budget_;
  uint64_t used_mask_ = ~0ull;
  std::map<int, std::vector<Constraint>> constraints_;
};

// Collects the rows a generate function produces.
class RowWriter {
 public:
  RowWriter(const TableSchema* schema, const std::unordered_map<std::string_view, int>* index,
            std::vector<Row>* rows)
      : schema_(schema), index_(index), rows_(rows) {}
  // Appends a new all-NULL row and returns it; valid until the next Add.
  Row& Add() {
    rows_->emplace_back(schema_, index_);
    return rows_->back();
  }
  size_t size() const { return rows_->size(); }

 private:
  const TableSchema* schema_;
  const std::unordered_map<std::string_view, int>* index_;
  std::vector<Row>* rows_;
};

using GenerateFn = std::function<Status(const QueryContext&, RowWriter&)>;

// The rows of one scan of a streaming table, produced batch by batch.
class RowStream {
 public:
  virtual ~RowStream() = default;
  // Appends the next batch of rows to out (kStreamBatchRows is a good size;
  // fewer, even none, is allowed) and returns whether more may follow: false
  // once the scan is complete. A non-OK result ends the query with that
  // error. Called on the query's thread, never after it returned false.
  virtual Result<bool> Next(RowWriter& out) = 0;
};

inline constexpr size_t kStreamBatchRows = 256;

// Opens the stream of one scan. ctx outlives the stream, which may keep a
// reference to it.
using OpenStreamFn = std::function<Result<std::unique_ptr<RowStream>>(const QueryContext&)>;

struct TableDef {
  TableSchema schema;
  // Every table has one; for a streaming table, it drains the stream (for
  // callers that want all rows at once).
  GenerateFn generate;
  std::unordered_map<std::string_view, int> column_index;  // filled by the registry
  OpenStreamFn open_stream;                                // set for streaming tables only
};

// All tables known to an engine. Not thread-safe for Add; lookups are.
class TableRegistry {
 public:
  TableRegistry() = default;
  TableRegistry(const TableRegistry&) = delete;
  TableRegistry& operator=(const TableRegistry&) = delete;

  void Add(TableSchema schema, GenerateFn generate);
  // A streaming table (see "Streaming tables" above).
  void AddStreaming(TableSchema schema, OpenStreamFn open_stream);
  const TableDef* Find(std::string_view name) const;  // by name or alias
  // In name order.
  std::vector<const TableDef*> All() const;

 private:
  std::map<std::string, std::unique_ptr<TableDef>, std::less<>> tables_;
  std::map<std::string, const TableDef*, std::less<>> aliases_;
};

// Registers every built-in table (src/tables/all_tables.cc).
void RegisterBuiltinTables(TableRegistry& registry);

}  // namespace warden
