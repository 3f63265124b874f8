#include "store/sqlite/keyset_list_sql.h"

#include <algorithm>

namespace warden::store {
namespace {

std::string_view OpSql(FilterOp op) {
  switch (op) {
    case FilterOp::kEq:
      return " = ";
    case FilterOp::kNe:
      return " <> ";
    case FilterOp::kLt:
      return " < ";
    case FilterOp::kLe:
      return " <= ";
    case FilterOp::kGt:
      return " > ";
    case FilterOp::kGe:
      return " >= ";
    case FilterOp::kContains:
    case FilterOp::kAny:
      break;  // built by Condition
  }
  return " = ";
}

const ListColumn* FindColumn(const ListTable& table, std::string_view field) {
  for (const ListColumn& c : table.columns)
    if (c.field == field) return &c;
  return nullptr;
}

// Appends `?N` for a new parameter.
std::string Param(std::vector<Value>& params, Value v) {
  params.push_back(std::move(v));
  return "?" + std::to_string(params.size());
}

// `%text%` for LIKE with `\` escaping, lower-cased as the column is.
std::string ContainsPattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out + "%";
}

// Unicode characters of UTF-8 text (bytes that do not continue one).
size_t CharCount(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The text index's query for `alternatives` (each `contains` the same text
// in a field the index covers), or "" when the index cannot answer it.
std::string TextIndexQuery(const ListTable& table, const std::vector<FieldFilter>& alternatives) {
  if (!table.text_index || alternatives.empty()) return "";
  const std::string* text = nullptr;
  std::string columns;
  for (const FieldFilter& a : alternatives) {
    const std::string* t = std::get_if<std::string>(&a.value);
    if (a.op != FilterOp::kContains || t == nullptr || (text != nullptr && *t != *text)) return "";
    if (std::find(table.text_index->fields.begin(), table.text_index->fields.end(), a.field) ==
        table.text_index->fields.end())
      return "";
    text = t;
    columns += (columns.empty() ? "" : " ") + a.field;
  }
  if (CharCount(*text) < table.text_index->min_chars) return "";
  // FTS5: the columns, then the text as one quoted string ("" for ").
  std::string query = "{" + columns + "} : \"";
  for (char c : *text) {
    if (c == '"') query += '"';
    query += c;
  }
  return query + "\"";
}

// One filter as an SQL condition, its values appended to `params`. With
// `unindexed`, columns of fields other than `unindexed_except` are written
// `+column`, which SQLite's planner does not look up in an index
// (ListPlanHint).
Result<std::string> Condition(const ListTable& table, const FieldFilter& f,
                              std::vector<Value>& params, std::string_view unindexed_except = {},
                              bool unindexed = false) {
  if (f.op == FilterOp::kAny) {
    std::string any;
    for (const FieldFilter& alternative : f.any) {
      ASSIGN_OR_RETURN(std::string c,
                       Condition(table, alternative, params, unindexed_except, unindexed));
      any += (any.empty() ? "(" : " OR ") + c;
    }
    any += ")";
    if (std::string query = TextIndexQuery(table, f.any); !query.empty()) {
      // The index finds candidates; the LIKEs keep the exact meaning.
      std::string match(table.text_index->match);
      size_t q = match.find('?');
      if (q == std::string::npos)
        return Internal("store: text index condition without a parameter: " + match);
      match.replace(q, 1, Param(params, Value(std::move(query))));
      return "(" + match + " AND " + any + ")";
    }
    return any;
  }
  const ListColumn* col = FindColumn(table, f.field);
  if (col == nullptr)
    return Internal("store: list " + std::string(table.table) + " has no column for field " +
                    f.field);
  switch (col->kind) {
    case ListColumn::Kind::kColumn:
      if (f.op == FilterOp::kContains) {
        const std::string* text = std::get_if<std::string>(&f.value);
        if (text == nullptr) return Internal("store: contains needs text: " + f.field);
        return "lower(" + std::string(col->sql) + ") LIKE " +
               Param(params, Value(ContainsPattern(*text))) + " ESCAPE '\\'";
      }
      return (unindexed && f.field != unindexed_except ? "+" : "") + std::string(col->sql) +
             std::string(OpSql(f.op)) + Param(params, f.value);
    case ListColumn::Kind::kPresent: {
      bool want_present = std::get<int64_t>(f.value) == 1;
      if (f.op == FilterOp::kNe) want_present = !want_present;
      return std::string(col->sql) + (want_present ? " IS NOT NULL" : " IS NULL");
    }
    case ListColumn::Kind::kMembership: {
      std::string c(col->sql);
      size_t q = c.find('?');
      if (q == std::string::npos)
        return Internal("store: membership condition without a parameter: " + c);
      c.replace(q, 1, Param(params, f.value));
      return c;
    }
  }
  return Internal("store: unknown column kind for " + f.field);
}

// Whether every filter (and alternative) names a field of `counts`.
bool CountsAnswer(const ListCountTable& counts, const std::vector<FieldFilter>& filters) {
  for (const FieldFilter& f : filters) {
    if (f.op == FilterOp::kAny) {
      if (!CountsAnswer(counts, f.any)) return false;
    } else if (f.op == FilterOp::kContains || std::find(counts.fields.begin(), counts.fields.end(),
                                                        f.field) == counts.fields.end()) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool WalkSortOrder(int64_t matching, int64_t all, int64_t limit) {
  // Walking reads about (limit + 1) * all / matching rows; the filters'
  // indexes read `matching` rows and sort them.
  if (matching <= 0) return false;
  return static_cast<double>(matching) * static_cast<double>(matching) >
         static_cast<double>(limit + 1) * static_cast<double>(all);
}

Result<int64_t> RunCount(SqliteConnection& conn, const std::string& sql,
                         const std::vector<Value>& params) {
  ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(sql));
  BindValues(*st, params);
  ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? st->Int(0) : 0;
}

Result<ListSql> BuildListSql(const ListTable& table, const ResolvedListQuery& query,
                             ListPlanHint hint) {
  // The cursor is read from the columns after `select`: its count must be right.
  if (std::count(table.select.begin(), table.select.end(), ',') + 1 != table.select_columns)
    return Internal("store: list " + std::string(table.table) + " declares " +
                    std::to_string(table.select_columns) +
                    " columns for: " + std::string(table.select));
  std::vector<std::string> conditions;
  std::vector<Value> params = table.table_params;
  for (const FieldFilter& f : query.filters) {
    ASSIGN_OR_RETURN(std::string c,
                     Condition(table, f, params, query.sort->name, hint.walk_sort_order));
    conditions.push_back(std::move(c));
  }

  ListSql out;
  std::string where;
  for (const std::string& c : conditions) where += (where.empty() ? " WHERE " : " AND ") + c;
  if (table.counts && CountsAnswer(*table.counts, query.filters)) {
    const std::string sum = "SELECT COALESCE(SUM(" + std::string(table.counts->sum) +
                            "), 0) FROM " + std::string(table.counts->table);
    out.count = sum + where;
    out.count_from_counts = true;
    out.all_rows = sum;
  } else {
    out.count = "SELECT COUNT(*) FROM " + std::string(table.table) + where;
  }
  out.count_params = params;

  const ListColumn* sort_col = FindColumn(table, query.sort->name);
  if (sort_col == nullptr || sort_col->kind != ListColumn::Kind::kColumn)
    return Internal("store: list " + std::string(table.table) + " cannot sort by " +
                    std::string(query.sort->name));
  std::string sort(sort_col->sql);
  std::string id(table.id_column);
  const bool by_id = sort == id;
  std::string cmp = query.descending ? " < " : " > ";
  if (query.after) {
    std::string keyset;
    if (by_id) {
      keyset = id + cmp + Param(params, query.after->id);
    } else {
      std::string v = Param(params, query.after->sort_value);
      keyset = "(" + sort + ", " + id + ")" + cmp + "(" + v + ", " +
               Param(params, query.after->id) + ")";
    }
    where += (where.empty() ? " WHERE " : " AND ") + keyset;
  }
  std::string dir = query.descending ? " DESC" : " ASC";
  std::string order = by_id ? id + dir : sort + dir + ", " + id + dir;
  out.page = "SELECT " + std::string(table.select) + ", " + sort + ", " + id + " FROM " +
             std::string(table.table) + where + " ORDER BY " + order + " LIMIT " +
             Param(params, query.limit + 1);
  out.page_params = std::move(params);
  return out;
}

void BindValues(SqliteStatement& st, const std::vector<Value>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    int index = static_cast<int>(i) + 1;
    const Value& v = values[i];
    if (const int64_t* n = std::get_if<int64_t>(&v))
      st.Bind(index, *n);
    else if (const std::string* s = std::get_if<std::string>(&v))
      st.Bind(index, std::string_view(*s));
    else if (const double* d = std::get_if<double>(&v))
      st.BindDouble(index, *d);
    else
      st.BindNull(index);
  }
}

}  // namespace warden::store
