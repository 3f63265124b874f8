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
};

// The SQL of one page and of its total, with their parameters.
struct ListSql {
  std::string page;
  std::vector<Value> page_params;
  std::string count;
  std::vector<Value> count_params;
};

// The page query selects table.select, then the sort value and the id (the
// last two columns, which make the next cursor).
Result<ListSql> BuildListSql(const ListTable& table, const ResolvedListQuery& query);

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
  } else if (count_total) {
    ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(sql.count));
    BindValues(*st, sql.count_params);
    ASSIGN_OR_RETURN(bool row, st->Step());
    page.total = row ? st->Int(0) : 0;
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
