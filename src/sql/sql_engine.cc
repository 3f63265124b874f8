#include "sql/sql_engine.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <limits>
#include <string>

#include "core/encoding.h"
#include "core/strings.h"

namespace warden {

struct SqlEngine::ScanState {
  const TableRegistry* registry = nullptr;
  const HostFs* fs = nullptr;
  QueryBudget budget;
  // Set by xBestIndex when a plan lacks a required column; used to turn
  // SQLite's generic "no query solution" into an error naming the column.
  std::string required_violation;
  // The first error a generate function reported during the current query.
  std::string table_error;
};

namespace {

using ScanState = SqlEngine::ScanState;

struct WardenVtab {
  sqlite3_vtab base;  // must be first
  const TableDef* def;
  ScanState* state;
  // For each column SQLite knows (the schema's, then one hidden column per
  // column alias), the schema column it reads.
  std::vector<int> source_column;
};

struct WardenCursor {
  sqlite3_vtab_cursor base;  // must be first
  std::vector<Row> rows;
  size_t pos = 0;
  // The scan's context; for a streaming table (table.h), its stream (declared
  // after ctx, so destroyed first: it may refer to ctx), and the rowid of
  // rows[0], as rows holds one batch at a time.
  std::unique_ptr<QueryContext> ctx;
  std::unique_ptr<RowStream> stream;
  int64_t first_rowid = 0;
  // Per schema column: what a kEchoInput column shows where a row left it
  // unset (set by xFilter from the scan's constraints).
  std::vector<std::optional<int64_t>> echo;
};

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string DeclareSql(const TableSchema& schema, std::string_view name = "x") {
  std::string sql = "CREATE TABLE " + std::string(name) + "(";
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const Column& c = schema.columns[i];
    if (i) sql += ", ";
    sql += QuoteIdentifier(c.name);
    sql += ' ';
    sql += ColumnTypeName(c.type);
    if (c.options & kHidden) sql += " HIDDEN";
    if (!c.collate.empty()) {
      sql += " COLLATE ";
      sql += c.collate;
    }
  }
  for (const Column& c : schema.columns) {
    for (const std::string& alias : c.aliases) {
      sql += ", " + QuoteIdentifier(alias) + " " + std::string(ColumnTypeName(c.type)) + " HIDDEN";
      if (!c.collate.empty()) sql += " COLLATE " + c.collate;
    }
  }
  sql += ")";
  return sql;
}

int xConnect(sqlite3* db, void* aux, int, const char* const* argv, sqlite3_vtab** out, char** err) {
  auto* state = static_cast<ScanState*>(aux);
  // argv[0] is the module name, which for eponymous tables is the table name.
  const TableDef* def = state->registry->Find(argv[0]);
  if (def == nullptr) {
    *err = sqlite3_mprintf("no such table: %s", argv[0]);
    return SQLITE_ERROR;
  }
  int rc = sqlite3_declare_vtab(db, DeclareSql(def->schema).c_str());
  if (rc != SQLITE_OK) {
    *err = sqlite3_mprintf("declaring table %s: %s", argv[0], sqlite3_errmsg(db));
    return rc;
  }
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  auto* vtab = new WardenVtab{};
  vtab->def = def;
  vtab->state = state;
  for (size_t i = 0; i < def->schema.columns.size(); ++i)
    vtab->source_column.push_back(static_cast<int>(i));
  for (size_t i = 0; i < def->schema.columns.size(); ++i)
    for (size_t k = 0; k < def->schema.columns[i].aliases.size(); ++k)
      vtab->source_column.push_back(static_cast<int>(i));
  *out = &vtab->base;
  return SQLITE_OK;
}

int xDisconnect(sqlite3_vtab* base) {
  delete reinterpret_cast<WardenVtab*>(base);
  return SQLITE_OK;
}

bool MapOp(unsigned char op, ConstraintOp* out) {
  switch (op) {
    case SQLITE_INDEX_CONSTRAINT_EQ:
      *out = ConstraintOp::kEq;
      return true;
    case SQLITE_INDEX_CONSTRAINT_GT:
      *out = ConstraintOp::kGt;
      return true;
    case SQLITE_INDEX_CONSTRAINT_LE:
      *out = ConstraintOp::kLe;
      return true;
    case SQLITE_INDEX_CONSTRAINT_LT:
      *out = ConstraintOp::kLt;
      return true;
    case SQLITE_INDEX_CONSTRAINT_GE:
      *out = ConstraintOp::kGe;
      return true;
    case SQLITE_INDEX_CONSTRAINT_LIKE:
      *out = ConstraintOp::kLike;
      return true;
    case SQLITE_INDEX_CONSTRAINT_GLOB:
      *out = ConstraintOp::kGlob;
      return true;
    case SQLITE_INDEX_CONSTRAINT_NE:
      *out = ConstraintOp::kNe;
      return true;
    case SQLITE_INDEX_CONSTRAINT_IS:
      *out = ConstraintOp::kIs;
      return true;
    default:
      return false;  // MATCH, REGEXP, IS NULL, LIMIT, functions: not pushed down
  }
}

bool SatisfiesRequired(ConstraintOp op) {
  return op == ConstraintOp::kEq || op == ConstraintOp::kIs || op == ConstraintOp::kLike ||
         op == ConstraintOp::kGlob;
}

// idxStr layout: "<colUsed hex>;<col>,<op>,<in>;<col>,<op>,<in>;..." in argv order.
int xBestIndex(sqlite3_vtab* base, sqlite3_index_info* info) {
  auto* vtab = reinterpret_cast<WardenVtab*>(base);
  const TableSchema& schema = vtab->def->schema;
  std::vector<bool> required_met(schema.columns.size(), false);
  std::string plan;
  // Translate used alias columns to the columns they read.
  uint64_t used = info->colUsed;
  if (vtab->source_column.size() > schema.columns.size()) {
    used = info->colUsed &
           ((1ull << 63) | ((1ull << std::min<size_t>(schema.columns.size(), 63)) - 1));
    for (size_t i = schema.columns.size(); i < vtab->source_column.size(); ++i) {
      bool alias_used = i >= 63 ? (info->colUsed >> 63) & 1 : (info->colUsed >> i) & 1;
      int src = vtab->source_column[i];
      if (alias_used) used |= src >= 63 ? (1ull << 63) : (1ull << src);
    }
  }
  char hex[32];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(used));
  plan += hex;
  int argc = 0;
  bool indexed_eq = false;
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    ConstraintOp op;
    if (!c.usable || c.iColumn < 0 || !MapOp(c.op, &op)) continue;
    const int column = vtab->source_column[static_cast<size_t>(c.iColumn)];
    const Column& col = schema.columns[static_cast<size_t>(column)];
    bool in_list = false;
    if (op == ConstraintOp::kEq) in_list = sqlite3_vtab_in(info, i, 1) != 0;
    info->aConstraintUsage[i].argvIndex = ++argc;
    info->aConstraintUsage[i].omit = 0;  // SQLite re-checks: tables may over-return
    plan += ';';
    plan += std::to_string(column) + "," + std::to_string(static_cast<int>(op)) + "," +
            (in_list ? "1" : "0");
    if (SatisfiesRequired(op)) required_met[static_cast<size_t>(column)] = true;
    if ((op == ConstraintOp::kEq || op == ConstraintOp::kIs) &&
        (col.options & (kIndex | kRequired | kAdditional | kOptimized)))
      indexed_eq = true;
  }
  // osquery semantics: a table with required columns needs a constraint on at
  // least one of them (file: path or directory).
  std::vector<std::string> required;
  bool any_required_met = false;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    if (!(schema.columns[i].options & kRequired)) continue;
    required.push_back("'" + schema.columns[i].name + "'");
    any_required_met = any_required_met || required_met[i];
  }
  if (!required.empty() && !any_required_met) {
    std::string names;
    for (size_t i = 0; i < required.size(); ++i)
      names += (i == 0 ? "" : i + 1 == required.size() ? " or " : ", ") + required[i];
    vtab->state->required_violation = "table '" + schema.name + "' needs a constraint on column " +
                                      names + " in the WHERE clause (e.g. WHERE " +
                                      required[0].substr(1, required[0].size() - 2) + " = '...')";
    return SQLITE_CONSTRAINT;
  }
  info->idxStr = sqlite3_mprintf("%s", plan.c_str());
  info->needToFreeIdxStr = 1;
  info->estimatedCost = indexed_eq ? 10.0 : 1e6;
  info->estimatedRows = indexed_eq ? 10 : 100000;
  return SQLITE_OK;
}

int xOpen(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  auto* cur = new WardenCursor{};
  *out = &cur->base;
  return SQLITE_OK;
}

int xClose(sqlite3_vtab_cursor* base) {
  delete reinterpret_cast<WardenCursor*>(base);
  return SQLITE_OK;
}

Value ToValue(sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      return Value(static_cast<int64_t>(sqlite3_value_int64(v)));
    case SQLITE_FLOAT:
      return Value(sqlite3_value_double(v));
    case SQLITE_NULL:
      return Value();
    default: {
      const auto* t = sqlite3_value_text(v);
      return Value(std::string(reinterpret_cast<const char*>(t),
                               static_cast<size_t>(sqlite3_value_bytes(v))));
    }
  }
}

int SetError(sqlite3_vtab* base, const std::string& message) {
  sqlite3_free(base->zErrMsg);
  base->zErrMsg = sqlite3_mprintf("%s", message.c_str());
  return SQLITE_ERROR;
}

// Reports a table's error for the query, naming the table.
int TableError(sqlite3_vtab_cursor* base, const Status& st) {
  auto* vtab = reinterpret_cast<WardenVtab*>(base->pVtab);
  std::string msg = vtab->def->schema.name + ": " + st.message();
  if (vtab->state->table_error.empty()) vtab->state->table_error = msg;
  return SetError(base->pVtab, msg);
}

// Replaces a streaming scan's consumed rows with its next batch; the stream
// is dropped when it has no more. Stops the query when its budget expired.
int NextBatch(sqlite3_vtab_cursor* base) {
  auto* cur = reinterpret_cast<WardenCursor*>(base);
  auto* vtab = reinterpret_cast<WardenVtab*>(base->pVtab);
  cur->first_rowid += static_cast<int64_t>(cur->rows.size());
  cur->rows.clear();
  cur->pos = 0;
  RowWriter writer(&vtab->def->schema, &vtab->def->column_index, &cur->rows);
  while (cur->rows.empty() && cur->stream) {
    Result<bool> more = false;
    try {
      more = cur->stream->Next(writer);
    } catch (const std::exception& e) {
      more = Internal(std::string("unexpected exception: ") + e.what());
    }
    if (vtab->state->budget.Expired()) {
      cur->stream.reset();
      cur->rows.clear();
      return SQLITE_INTERRUPT;
    }
    if (!more.ok()) {
      cur->stream.reset();
      cur->rows.clear();
      return TableError(base, more.status());
    }
    if (!*more) cur->stream.reset();
  }
  return SQLITE_OK;
}

int xFilter(sqlite3_vtab_cursor* base, int, const char* idx_str, int argc, sqlite3_value** argv) {
  auto* cur = reinterpret_cast<WardenCursor*>(base);
  auto* vtab = reinterpret_cast<WardenVtab*>(base->pVtab);
  const TableDef* def = vtab->def;
  ScanState* state = vtab->state;
  cur->stream.reset();
  cur->rows.clear();
  cur->pos = 0;
  cur->first_rowid = 0;

  cur->ctx =
      std::make_unique<QueryContext>(&def->schema, state->fs, state->registry, &state->budget);
  QueryContext& ctx = *cur->ctx;
  std::string_view plan = idx_str ? idx_str : "";
  auto parts = SplitString(plan, ';');
  uint64_t used = ~0ull;
  if (!parts.empty()) ParseUint64(parts[0], &used, 16);
  ctx.SetUsedMask(used);
  for (int i = 0; i < argc && static_cast<size_t>(i) + 1 < parts.size(); ++i) {
    auto fields = SplitString(parts[static_cast<size_t>(i) + 1], ',');
    if (fields.size() != 3) continue;
    int64_t col, op;
    if (!ParseInt64(fields[0], &col) || !ParseInt64(fields[1], &op)) continue;
    auto cop = static_cast<ConstraintOp>(op);
    if (fields[2] == "1") {
      sqlite3_value* item = nullptr;
      int rc;
      for (rc = sqlite3_vtab_in_first(argv[i], &item); rc == SQLITE_OK && item;
           rc = sqlite3_vtab_in_next(argv[i], &item)) {
        ctx.AddConstraint(static_cast<int>(col), Constraint{cop, ToValue(item)});
      }
      if (rc != SQLITE_OK && rc != SQLITE_DONE) return SetError(base->pVtab, "reading IN list");
    } else {
      ctx.AddConstraint(static_cast<int>(col), Constraint{cop, ToValue(argv[i])});
    }
  }

  cur->echo.assign(def->schema.columns.size(), std::nullopt);
  for (size_t i = 0; i < def->schema.columns.size(); ++i) {
    const Column& column = def->schema.columns[i];
    if (!(column.options & kEchoInput)) continue;
    std::optional<std::vector<int64_t>> given = ctx.IntegerEquals(column.name);
    cur->echo[i] = given && given->size() == 1 ? given->front() : 0;
  }

  if (def->open_stream) {
    Status st;
    try {
      auto stream = def->open_stream(ctx);
      st = stream.status();
      if (st.ok()) cur->stream = std::move(stream).value();
    } catch (const std::exception& e) {
      st = Internal(std::string("unexpected exception: ") + e.what());
    }
    if (!st.ok()) return TableError(base, st);
    return NextBatch(base);
  }
  RowWriter writer(&def->schema, &def->column_index, &cur->rows);
  Status st;
  try {
    st = def->generate(ctx, writer);
  } catch (const std::exception& e) {
    st = Internal(std::string("unexpected exception: ") + e.what());
  }
  if (state->budget.Expired()) {
    cur->rows.clear();
    return SQLITE_INTERRUPT;
  }
  if (!st.ok()) return TableError(base, st);
  return SQLITE_OK;
}

int xNext(sqlite3_vtab_cursor* base) {
  auto* cur = reinterpret_cast<WardenCursor*>(base);
  cur->pos++;
  if (cur->pos >= cur->rows.size() && cur->stream) return NextBatch(base);
  return SQLITE_OK;
}

int xEof(sqlite3_vtab_cursor* base) {
  auto* cur = reinterpret_cast<WardenCursor*>(base);
  return cur->pos >= cur->rows.size();
}

int xColumn(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int col) {
  auto* cur = reinterpret_cast<WardenCursor*>(base);
  const auto* vtab = reinterpret_cast<const WardenVtab*>(base->pVtab);
  const auto source = static_cast<size_t>(vtab->source_column[static_cast<size_t>(col)]);
  const Value& v = cur->rows[cur->pos].Get(static_cast<int>(source));
  if (std::holds_alternative<std::monostate>(v) && source < cur->echo.size() && cur->echo[source]) {
    sqlite3_result_int64(ctx, *cur->echo[source]);
  } else if (const auto* i = std::get_if<int64_t>(&v)) {
    sqlite3_result_int64(ctx, *i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    sqlite3_result_double(ctx, *d);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    sqlite3_result_text64(ctx, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  } else {
    sqlite3_result_null(ctx);
  }
  return SQLITE_OK;
}

int xRowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
  auto* cur = reinterpret_cast<WardenCursor*>(base);
  *rowid = cur->first_rowid + static_cast<sqlite3_int64>(cur->pos);
  return SQLITE_OK;
}

sqlite3_module MakeModule() {
  sqlite3_module m{};
  m.iVersion = 1;
  m.xCreate = nullptr;  // eponymous-only: every table exists in every schema, no CREATE needed
  m.xConnect = xConnect;
  m.xBestIndex = xBestIndex;
  m.xDisconnect = xDisconnect;
  m.xDestroy = xDisconnect;
  m.xOpen = xOpen;
  m.xClose = xClose;
  m.xFilter = xFilter;
  m.xNext = xNext;
  m.xEof = xEof;
  m.xColumn = xColumn;
  m.xRowid = xRowid;
  return m;
}

const sqlite3_module kModule = MakeModule();

int ProgressHandler(void* arg) { return static_cast<ScanState*>(arg)->budget.Expired() ? 1 : 0; }

}  // namespace

std::string TableSchemaSql(const TableSchema& schema) {
  return DeclareSql(schema, QuoteIdentifier(schema.name)) + ";";
}

bool IsCompleteSql(const std::string& sql) { return sqlite3_complete(sql.c_str()) != 0; }

SqlEngine::SqlEngine(const TableRegistry* registry, const HostFs* fs)
    : registry_(registry), fs_(fs), state_(std::make_unique<ScanState>()) {
  state_->registry = registry;
  state_->fs = fs;
}

SqlEngine::~SqlEngine() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Result<std::unique_ptr<SqlEngine>> SqlEngine::Open(const TableRegistry* registry,
                                                   const HostFs* fs) {
  std::unique_ptr<SqlEngine> engine(new SqlEngine(registry, fs));
  RETURN_IF_ERROR(engine->Init());
  return engine;
}

Status SqlEngine::Init() {
  int rc = sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) return Internal(std::string("opening SQLite: ") + sqlite3_errstr(rc));
  // Defence in depth: queries are for reading host state, not files on disk.
  sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_limit(db_, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, 256 << 20);
  RETURN_IF_ERROR(RegisterSqlFunctions(db_));
  for (const TableDef* def : registry_->All()) {
    std::vector<std::string> names = {def->schema.name};
    names.insert(names.end(), def->schema.aliases.begin(), def->schema.aliases.end());
    for (const auto& name : names) {
      rc = sqlite3_create_module_v2(db_, name.c_str(), &kModule, state_.get(), nullptr);
      if (rc != SQLITE_OK)
        return Internal("registering table " + name + ": " + sqlite3_errmsg(db_));
    }
  }
  sqlite3_progress_handler(db_, 1000, ProgressHandler, state_.get());
  return Status::Ok();
}

namespace {

Value ColumnValue(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return Value(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
    case SQLITE_FLOAT:
      return Value(sqlite3_column_double(stmt, i));
    case SQLITE_NULL:
      return Value();
    case SQLITE_BLOB: {
      const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(stmt, i));
      int n = sqlite3_column_bytes(stmt, i);
      return Value(HexEncode(p, static_cast<size_t>(n)));
    }
    default: {
      const auto* t = sqlite3_column_text(stmt, i);
      return Value(std::string(reinterpret_cast<const char*>(t),
                               static_cast<size_t>(sqlite3_column_bytes(stmt, i))));
    }
  }
}

// "SQL contains a NUL byte at byte 9 (line 1, column 10)".
Status CheckSqlHasNoNul(std::string_view sql) {
  const size_t nul = sql.find('\0');
  if (nul == std::string_view::npos) return Status::Ok();
  size_t line = 1, column = 1;
  for (size_t i = 0; i < nul; ++i) {
    if (sql[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return InvalidArgument("SQL contains a NUL byte at byte " + std::to_string(nul) + " (line " +
                         std::to_string(line) + ", column " + std::to_string(column) + ")");
}

}  // namespace

// "no such table: procesess" gains "; did you mean 'processes'?" (names and
// aliases of the registry).
std::string SqlEngine::WithTableSuggestion(const std::string& message) const {
  constexpr std::string_view kNoSuchTable = "no such table: ";
  if (!StartsWith(message, kNoSuchTable)) return message;
  std::string name = message.substr(kNoSuchTable.size());
  if (size_t dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
  std::vector<std::string> names;
  for (const TableDef* def : registry_->All()) {
    names.push_back(def->schema.name);
    for (const std::string& alias : def->schema.aliases) names.push_back(alias);
  }
  if (auto near = ClosestMatch(name, names)) return message + "; did you mean '" + *near + "'?";
  return message + " (warden tables lists every table)";
}

Status SqlEngine::QueryStream(
    std::string_view sql, const QueryOptions& options,
    const std::function<void(const std::vector<std::string>&)>& on_columns,
    const std::function<void(std::vector<Value>&&)>& on_row) {
  state_->budget.deadline = std::chrono::steady_clock::now() + options.timeout;
  state_->budget.interrupt = options.interrupt;
  state_->required_violation.clear();
  state_->table_error.clear();

  auto fail = [&](int rc) -> Status {
    if (rc == SQLITE_INTERRUPT || state_->budget.Expired()) {
      if (options.interrupt != nullptr && options.interrupt->load())
        return Timeout("query interrupted");
      return Timeout("query exceeded its " + std::to_string(options.timeout.count()) +
                     " ms time budget and was stopped");
    }
    std::string msg = sqlite3_errmsg(db_);
    if (msg.find("no query solution") != std::string::npos && !state_->required_violation.empty())
      return InvalidArgument(state_->required_violation);
    if (!state_->table_error.empty() && msg.find(state_->table_error) == std::string::npos)
      msg = state_->table_error;
    return InvalidArgument(WithTableSuggestion(msg));
  };

  // SQLite stops reading SQL text at a NUL byte, so the rest of the text
  // would never be consumed (and never run): refuse it, saying where it is.
  RETURN_IF_ERROR(CheckSqlHasNoNul(sql));
  if (sql.size() >= static_cast<size_t>(std::numeric_limits<int>::max()))
    return InvalidArgument("SQL text is too long (" + std::to_string(sql.size()) + " bytes)");
  // A NUL-terminated copy, passed with its terminator: otherwise SQLite copies
  // the rest of the text at every statement (quadratic in many statements).
  const std::string text(sql);
  const char* tail = text.c_str();
  const char* end = text.c_str() + text.size();
  bool any_statement = false;
  while (tail < end) {
    // The progress handler only runs while a statement steps: the budget is
    // also checked between statements, so a text of many cheap statements
    // stops on time too.
    if (state_->budget.Expired()) return fail(SQLITE_INTERRUPT);
    sqlite3_stmt* stmt = nullptr;
    const char* next = nullptr;
    int rc = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail) + 1, &stmt, &next);
    if (rc != SQLITE_OK) return fail(rc);
    if (stmt == nullptr && (next == nullptr || next <= tail))
      return InvalidArgument("SQL text not consumed at byte " +
                             std::to_string(tail - text.c_str()));
    tail = next;
    if (stmt == nullptr) continue;  // whitespace or comment
    any_statement = true;
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(stmt, sqlite3_finalize);
    int ncols = sqlite3_column_count(stmt);
    if (ncols > 0) {
      std::vector<std::string> columns;
      for (int i = 0; i < ncols; ++i) columns.emplace_back(sqlite3_column_name(stmt, i));
      on_columns(columns);
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Value> row;
      row.reserve(static_cast<size_t>(ncols));
      for (int i = 0; i < ncols; ++i) row.push_back(ColumnValue(stmt, i));
      on_row(std::move(row));
    }
    if (rc != SQLITE_DONE) return fail(rc);
  }
  if (!any_statement) return InvalidArgument("empty query");
  return Status::Ok();
}

Result<QueryResult> SqlEngine::Query(std::string_view sql, const QueryOptions& options) {
  QueryResult result;
  Status st = QueryStream(
      sql, options,
      [&](const std::vector<std::string>& cols) {
        result.columns = cols;
        result.rows.clear();
      },
      [&](std::vector<Value>&& row) { result.rows.push_back(std::move(row)); });
  if (!st.ok()) return st;
  return result;
}

}  // namespace warden
