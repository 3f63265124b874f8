// ListQuery is how every list of the server's store is read: a page of at
// most `limit` rows (1..10000) in a sort order picked from the list's allowed
// fields, narrowed by equality, range, substring and any-of filters (all of
// which must hold), continued from an opaque
// cursor. Paging is keyset-based: the cursor carries the last row's sort
// value and id, the next page starts strictly after them, and the id breaks
// ties, so a walk through all pages visits every row that existed when it
// started exactly once, however many rows are inserted meanwhile (no OFFSET,
// so a deep page costs what the first one does). `total` counts the filtered
// rows without any cap. Each list declares its fields in a ListSchema
// (name, type, sortable, filterable): the API layer offers exactly those as
// `sort=` and filter parameters, and the store refuses anything else with an
// error naming the field. Sort fields are never NULL in storage, which is
// what keeps keyset paging exact.
// Not here: SQL (each engine builds its own from a ListSchema) or HTTP
// parameter parsing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/value.h"

namespace warden::store {

// Milliseconds since the Unix epoch, UTC: every time in the store.
using EpochMs = int64_t;

enum class FieldType {
  kInteger,  // int64 filter values
  kText,     // string filter values
  kBoolean,  // int64 0 or 1 filter values
  kTime,     // EpochMs (int64) filter values
};

struct ListField {
  std::string_view name;
  FieldType type = FieldType::kText;
  bool sortable = false;
  // Equality (eq, ne) for every filterable field; range (lt, le, gt, ge)
  // too for integer, time and text fields; contains for text fields.
  bool filterable = false;
  // Only `eq` (membership or presence tests such as a host's label).
  bool equality_only = false;
};

struct ListSchema {
  std::string_view list;  // "hosts", "audit", ... (for error messages)
  std::vector<ListField> fields;
  std::string_view default_sort;  // a sortable field
  bool default_descending = false;

  const ListField* Find(std::string_view name) const;
};

// kContains: a text field holds `value` anywhere, ignoring ASCII case (free
// text search). kAny: at least one of `any` holds (a list of wanted values,
// or a search over several fields); its alternatives are plain filters,
// never kAny themselves.
enum class FilterOp { kEq, kNe, kLt, kLe, kGt, kGe, kContains, kAny };
std::string_view FilterOpName(FilterOp op);  // "eq", "ne", ..., "contains", "any"

struct FieldFilter {
  FieldFilter() = default;
  FieldFilter(std::string field_name, FilterOp filter_op, Value filter_value)
      : field(std::move(field_name)), op(filter_op), value(std::move(filter_value)) {}

  std::string field;  // "" for kAny
  FilterOp op = FilterOp::kEq;
  Value value;  // int64 or text as the field's type says; never NULL (unused by kAny)
  std::vector<FieldFilter> any;  // kAny only: 1..kMaxAlternatives plain filters
  static constexpr size_t kMaxAlternatives = 1000;
};

// At least one of `alternatives` holds (one filter alone stays itself).
FieldFilter AnyOf(std::vector<FieldFilter> alternatives);

struct SortOrder {
  std::string field;
  bool descending = false;
};

struct ListQuery {
  static constexpr int64_t kMaxLimit = 10'000;
  int64_t limit = 100;               // 1..kMaxLimit
  std::string cursor;                // "" = first page; else a page's next_cursor
  std::optional<SortOrder> sort;     // nullopt = the list's default order
  std::vector<FieldFilter> filters;  // all must hold (AND)
};

template <typename T>
struct ListPage {
  std::vector<T> items;
  std::optional<std::string> next_cursor;  // nullopt on the last page
  int64_t total = 0;                       // rows matching the filters
};

// Called once per exported row, in list order. A non-OK status stops the
// export and is returned by it (a client that went away, a full disk).
template <typename T>
using RowCallback = std::function<Status(const T&)>;

// The position after the last row of a page.
struct Cursor {
  std::string list;  // ListSchema::list, so a cursor of one list fails on another
  std::string sort_field;
  bool descending = false;
  Value sort_value;  // int64 or text
  int64_t id = 0;
};

// A ListQuery checked against its schema, with the sort resolved and the
// cursor decoded: what an engine turns into SQL.
struct ResolvedListQuery {
  const ListField* sort = nullptr;
  bool descending = false;
  std::optional<Cursor> after;
  std::vector<FieldFilter> filters;  // each names a field of the schema
  int64_t limit = 100;
};

// InvalidArgument naming the offending part ("limit", "sort", "cursor", or
// "filter <field>") when the query does not fit the schema.
Result<ResolvedListQuery> ResolveListQuery(const ListSchema& schema, const ListQuery& query);

// The opaque text form of a cursor (unpadded base64url) and back. Decoding
// refuses text that is not in EncodeCursor's shape; a well-formed cursor made
// up by a client only moves the start of its own page.
std::string EncodeCursor(const Cursor& cursor);
Result<Cursor> DecodeCursor(std::string_view text);

}  // namespace warden::store
