#include "store/list_query.h"

#include "core/encoding.h"
#include "core/strings.h"

namespace warden::store {
namespace {

constexpr std::string_view kCursorVersion = "c1";
constexpr size_t kMaxCursorBytes = 4096;

std::string FieldNames(const ListSchema& schema, bool sortable) {
  std::string out;
  for (const ListField& f : schema.fields) {
    if (sortable ? !f.sortable : !f.filterable) continue;
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

bool IsIntegerType(FieldType type) { return type != FieldType::kText; }

std::string TypeDescription(FieldType type) {
  switch (type) {
    case FieldType::kInteger:
      return "an integer";
    case FieldType::kText:
      return "text";
    case FieldType::kBoolean:
      return "a boolean (0 or 1)";
    case FieldType::kTime:
      return "a time (epoch milliseconds)";
  }
  return "a value";
}

Status CheckFilter(const ListSchema& schema, const FieldFilter& filter, bool nested = false) {
  if (filter.op == FilterOp::kAny) {
    if (nested) return InvalidArgument("filter: an any-of filter cannot hold another");
    if (filter.any.empty() || filter.any.size() > FieldFilter::kMaxAlternatives)
      return InvalidArgument("filter: an any-of filter takes 1 to " +
                             std::to_string(FieldFilter::kMaxAlternatives) + " alternatives");
    for (const FieldFilter& alternative : filter.any)
      RETURN_IF_ERROR(CheckFilter(schema, alternative, true));
    return Status::Ok();
  }
  std::string where = "filter " + filter.field;
  const ListField* field = schema.Find(filter.field);
  if (field == nullptr || !field->filterable)
    return InvalidArgument(where + ": not a filter of " + std::string(schema.list) +
                           " (one of: " + FieldNames(schema, false) + ")");
  bool equality = filter.op == FilterOp::kEq || filter.op == FilterOp::kNe;
  if (field->equality_only && filter.op != FilterOp::kEq)
    return InvalidArgument(where + ": only equality is supported");
  if (field->type == FieldType::kBoolean && !equality)
    return InvalidArgument(where + ": a boolean compares with eq or ne only");
  if (filter.op == FilterOp::kContains && field->type != FieldType::kText)
    return InvalidArgument(where + ": only text fields are searched");
  if (IsIntegerType(field->type)) {
    const int64_t* v = std::get_if<int64_t>(&filter.value);
    if (v == nullptr) return InvalidArgument(where + ": expects " + TypeDescription(field->type));
    if (field->type == FieldType::kBoolean && *v != 0 && *v != 1)
      return InvalidArgument(where + ": expects " + TypeDescription(field->type));
  } else if (!std::holds_alternative<std::string>(filter.value)) {
    return InvalidArgument(where + ": expects " + TypeDescription(field->type));
  }
  return Status::Ok();
}

// Unpadded base64url over core's standard base64.
std::string ToBase64Url(std::string_view bytes) {
  std::string b64 = Base64Encode(bytes);
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  for (char& c : b64) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return b64;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string b64(text);
  for (char& c : b64) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t')
      return std::nullopt;  // not base64url (Base64Decode would accept these)
  }
  return Base64Decode(b64);
}

}  // namespace

const ListField* ListSchema::Find(std::string_view name) const {
  for (const ListField& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string_view FilterOpName(FilterOp op) {
  switch (op) {
    case FilterOp::kEq:
      return "eq";
    case FilterOp::kNe:
      return "ne";
    case FilterOp::kLt:
      return "lt";
    case FilterOp::kLe:
      return "le";
    case FilterOp::kGt:
      return "gt";
    case FilterOp::kGe:
      return "ge";
    case FilterOp::kContains:
      return "contains";
    case FilterOp::kAny:
      return "any";
  }
  return "?";
}

FieldFilter AnyOf(std::vector<FieldFilter> alternatives) {
  if (alternatives.size() == 1) return std::move(alternatives.front());
  FieldFilter f;
  f.op = FilterOp::kAny;
  f.any = std::move(alternatives);
  return f;
}

std::string EncodeCursor(const Cursor& cursor) {
  std::string text(kCursorVersion);
  text += '\n' + cursor.list + '\n' + cursor.sort_field + '\n' + (cursor.descending ? "d" : "a") +
          '\n' + std::to_string(cursor.id) + '\n';
  if (const int64_t* i = std::get_if<int64_t>(&cursor.sort_value)) {
    text += "i\n" + std::to_string(*i);
  } else if (const std::string* t = std::get_if<std::string>(&cursor.sort_value)) {
    text += "t\n" + *t;
  } else {
    text += "n\n";
  }
  return ToBase64Url(text);
}

Result<Cursor> DecodeCursor(std::string_view text) {
  Status bad = InvalidArgument("cursor: not a cursor of this server; start again without one");
  if (text.empty() || text.size() > kMaxCursorBytes) return bad;
  std::optional<std::string> raw = FromBase64Url(text);
  if (!raw) return bad;
  // Six newline-terminated parts, then the value (which may hold newlines).
  std::vector<std::string_view> parts;
  std::string_view rest = *raw;
  for (int i = 0; i < 6; ++i) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return bad;
    parts.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  if (parts[0] != kCursorVersion || parts[1].empty() || parts[2].empty()) return bad;
  if (parts[3] != "a" && parts[3] != "d") return bad;
  Cursor cursor;
  cursor.list = std::string(parts[1]);
  cursor.sort_field = std::string(parts[2]);
  cursor.descending = parts[3] == "d";
  if (!ParseInt64(parts[4], &cursor.id)) return bad;
  if (parts[5] == "i") {
    int64_t v = 0;
    if (!ParseInt64(rest, &v)) return bad;
    cursor.sort_value = v;
  } else if (parts[5] == "t") {
    cursor.sort_value = std::string(rest);
  } else {
    return bad;
  }
  return cursor;
}

Result<ResolvedListQuery> ResolveListQuery(const ListSchema& schema, const ListQuery& query) {
  ResolvedListQuery out;
  if (query.limit < 1 || query.limit > ListQuery::kMaxLimit)
    return InvalidArgument("limit: must be between 1 and " + std::to_string(ListQuery::kMaxLimit) +
                           " (got " + std::to_string(query.limit) + ")");
  out.limit = query.limit;

  std::string_view sort_name =
      query.sort ? std::string_view(query.sort->field) : schema.default_sort;
  out.descending = query.sort ? query.sort->descending : schema.default_descending;
  out.sort = schema.Find(sort_name);
  if (out.sort == nullptr || !out.sort->sortable)
    return InvalidArgument("sort: '" + std::string(sort_name) + "' is not a sort field of " +
                           std::string(schema.list) + " (one of: " + FieldNames(schema, true) +
                           ")");

  for (const FieldFilter& f : query.filters) RETURN_IF_ERROR(CheckFilter(schema, f));
  out.filters = query.filters;

  if (!query.cursor.empty()) {
    ASSIGN_OR_RETURN(Cursor cursor, DecodeCursor(query.cursor));
    bool integer_value = std::holds_alternative<int64_t>(cursor.sort_value);
    if (cursor.list != schema.list || cursor.sort_field != out.sort->name ||
        cursor.descending != out.descending || integer_value != IsIntegerType(out.sort->type))
      return InvalidArgument(
          "cursor: made for another list or sort order; start again without a cursor");
    out.after = std::move(cursor);
  }
  return out;
}

}  // namespace warden::store
