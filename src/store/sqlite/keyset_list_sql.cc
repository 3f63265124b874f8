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

// One filter as an SQL condition, its values appended to `params`.
Result<std::string> Condition(const ListTable& table, const FieldFilter& f,
                              std::vector<Value>& params) {
  if (f.op == FilterOp::kAny) {
    std::string any;
    for (const FieldFilter& alternative : f.any) {
      ASSIGN_OR_RETURN(std::string c, Condition(table, alternative, params));
      any += (any.empty() ? "(" : " OR ") + c;
    }
    return any + ")";
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
      return std::string(col->sql) + std::string(OpSql(f.op)) + Param(params, f.value);
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

}  // namespace

Result<ListSql> BuildListSql(const ListTable& table, const ResolvedListQuery& query) {
  // The cursor is read from the columns after `select`: its count must be right.
  if (std::count(table.select.begin(), table.select.end(), ',') + 1 != table.select_columns)
    return Internal("store: list " + std::string(table.table) + " declares " +
                    std::to_string(table.select_columns) +
                    " columns for: " + std::string(table.select));
  std::vector<std::string> conditions;
  std::vector<Value> params = table.table_params;
  for (const FieldFilter& f : query.filters) {
    ASSIGN_OR_RETURN(std::string c, Condition(table, f, params));
    conditions.push_back(std::move(c));
  }

  ListSql out;
  std::string where;
  for (const std::string& c : conditions) where += (where.empty() ? " WHERE " : " AND ") + c;
  out.count = "SELECT COUNT(*) FROM " + std::string(table.table) + where;
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
