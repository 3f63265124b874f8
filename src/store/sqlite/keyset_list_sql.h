// Turns a ListQuery into keyset-paged SQL over one table and runs it. The
// SQL is portable (row-value comparisons, LIMIT with a bound parameter,
// numbered `?N` placeholders that PostgreSQL spells `$N`); the caller's
// ListTable maps each schema field to a column, to "present" (a boolean
// that is true when a nullable column is set, e.g. `revoked` for
// revoked_at), or to a membership subquery (a host's labels). A page is
// `limit + 1` rows read in index order from just after the cursor: the extra
// row only says whether there is a next page. Export walks the pages with a
// read connection held per page only, so a slow consumer never pins a
// snapshot (the WAL can still be checkpointed) and memory stays at one page.
// Internal to store/sqlite.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "store/list_query.h"
#include "store/sqlite/sqlite_connection.h"

namespace warden::store {

struct ListColumn {
  enum class Kind {
    kColumn,      // `sql` is a column compared with the value
    kPresent,     // boolean: true when `sql` IS NOT NULL
    kMembership,  // `sql` is a condition with one `?` for the value
  };
  std::string_view field;
  std::string_view sql;
  Kind kind = Kind::kColumn;
};

// Counts kept per combination of some fields' values (kept exact by the
// engine, e.g. triggers): the total of a list filtered by those fields only
// is SUM(`sum`) over the matching rows of `table`, which has the same
// column names as the list's table for them.
struct ListCountTable {
  std::string_view table;
  std::string_view sum;
  std::vector<std::string_view> fields;  // schema fields it can filter
};

// A full-text index that finds the rows whose text fields contain a string
// (ignoring case) — a superset the exact LIKE condition then narrows.
// `match` is a condition with one `?` for the index's query; `fields` are
// the schema fields it covers, named as its columns.
struct ListTextIndex {
  std::string_view match;
  std::vector<std::string_view> fields;
  size_t min_chars = 3;  // shorter text is matched by scanning
};

struct ListTable {
  const ListSchema* schema = nullptr;
  std::string_view table;           // FROM
  std::string_view select;          // the row's columns, read by the row reader
  int select_columns = 0;           // how many columns `select` has
  std::string_view id_column;       // unique, integer, the tie-breaker
  std::vector<ListColumn> columns;  // one per schema field
  // Values of `?1`..`?N` in `table` when it is a derived table (an
  // aggregate over some hosts' rows); the query's own parameters follow.
  std::vector<Value> table_params = {};
  std::optional<ListCountTable> counts = std::nullopt;
  std::optional<ListTextIndex> text_index = std::nullopt;
};

// The SQL of one page and of its total, with their parameters.
struct ListSql {
  std::string page;
  std::vector<Value> page_params;
  std::string count;
  std::vector<Value> count_params;
  // True when `count` reads the table's counts (ListCountTable), not its
  // rows: cheap enough to run before choosing how to read the page.
  bool count_from_counts = false;
  std::string all_rows;  // with count_from_counts: the unfiltered total
};

struct ListPlanHint {
  // Read the page by walking the sort order's index, testing the filters
  // on each row, rather than by the filters' indexes and then sorting:
  // right when many rows match (a filter's index would find them all
  // before the first page could be returned). Filters on fields other than
  // the sort field are written so that SQLite's planner cannot pick their
  // indexes (`+column`).
  bool walk_sort_order = false;
};

// The page query selects table.select, then the sort value and the id (the
// last two columns, which make the next cursor).
Result<ListSql> BuildListSql(const ListTable& table, const ResolvedListQuery& query,
                             ListPlanHint hint = {});

// Whether walking the sort order reads fewer rows than the filters'
// indexes would: about (limit + 1) * all / matching rows against matching.
bool WalkSortOrder(int64_t matching, int64_t all, int64_t limit);

// The count query's single integer.
Result<int64_t> RunCount(SqliteConnection& conn, const std::string& sql,
                         const std::vector<Value>& params);

void BindValues(SqliteStatement& st, const std::vector<Value>& values);

template <typename T>
using RowReader = std::function<T(SqliteStatement&)>;

// One page on `conn`, inside the caller's snapshot when there is one.
template <typename T>
Result<ListPage<T>> RunListPage(SqliteConnection& conn, const ListTable& table,
                                const ResolvedListQuery& query, const RowReader<T>& read_row,
                                bool count_total) {
  ASSIGN_OR_RETURN(ListSql sql, BuildListSql(table, query));
  ListPage<T> page;
  std::optional<int64_t> total;
  if (sql.count_from_counts && (count_total || !query.filters.empty())) {
    // Cheap (a sum over the counts): read first, to choose the plan.
    ASSIGN_OR_RETURN(total, RunCount(conn, sql.count, sql.count_params));
    if (!query.filters.empty()) {
      ASSIGN_OR_RETURN(int64_t all, RunCount(conn, sql.all_rows, table.table_params));
      if (WalkSortOrder(*total, all, query.limit)) {
        ASSIGN_OR_RETURN(sql, BuildListSql(table, query, ListPlanHint{.walk_sort_order = true}));
      }
    }
  }
  {
    ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(sql.page));
    BindValues(*st, sql.page_params);
    const int sort_column = table.select_columns;
    Cursor last;
    last.list = std::string(table.schema->list);
    last.sort_field = std::string(query.sort->name);
    last.descending = query.descending;
    bool integer_sort = query.sort->type != FieldType::kText;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      if (static_cast<int64_t>(page.items.size()) == query.limit) {
        page.next_cursor = EncodeCursor(last);
        break;
      }
      page.items.push_back(read_row(*st));
      if (integer_sort)
        last.sort_value = st->Int(sort_column);
      else
        last.sort_value = st->Text(sort_column);
      last.id = st->Int(sort_column + 1);
    }
  }
  if (count_total && !query.after && !page.next_cursor) {
    page.total = static_cast<int64_t>(page.items.size());  // the whole list is this page
  } else if (count_total && total) {
    page.total = *total;
  } else if (count_total) {
    ASSIGN_OR_RETURN(page.total, RunCount(conn, sql.count, sql.count_params));
  }
  return page;
}

// A page and its total from one snapshot of a pooled read connection.
template <typename T>
Result<ListPage<T>> ListFromPool(ReadPool& pool, const ListTable& table, const ListQuery& query,
                                 const RowReader<T>& read_row) {
  ASSIGN_OR_RETURN(ResolvedListQuery resolved, ResolveListQuery(*table.schema, query));
  ReadPool::Lease lease = pool.Acquire();
  ASSIGN_OR_RETURN(ReadSnapshot snapshot, ReadSnapshot::Begin(lease.conn()));
  return RunListPage(lease.conn(), table, resolved, read_row, true);
}

// Every row of the filtered list from query.cursor on, page by page.
template <typename T>
Status ExportFromPool(ReadPool& pool, const ListTable& table, const ListQuery& query,
                      const RowReader<T>& read_row, const RowCallback<T>& callback) {
  constexpr int64_t kExportPageRows = 1000;
  ListQuery q = query;
  q.limit = kExportPageRows;
  for (;;) {
    ASSIGN_OR_RETURN(ResolvedListQuery resolved, ResolveListQuery(*table.schema, q));
    ListPage<T> page;
    {
      ReadPool::Lease lease = pool.Acquire();
      ASSIGN_OR_RETURN(page, RunListPage(lease.conn(), table, resolved, read_row, false));
    }
    for (const T& item : page.items) RETURN_IF_ERROR(callback(item));
    if (!page.next_cursor) return Status::Ok();
    q.cursor = std::move(*page.next_cursor);
  }
}

}  // namespace warden::store
