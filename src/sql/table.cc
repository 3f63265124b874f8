#include "sql/table.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>

namespace warden {

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kText:
      return "TEXT";
    case ColumnType::kInteger:
      return "INTEGER";
    case ColumnType::kBigInt:
      return "BIGINT";
    case ColumnType::kUnsignedBigInt:
      return "UNSIGNED_BIGINT";
    case ColumnType::kDouble:
      return "DOUBLE";
    case ColumnType::kBlob:
      return "BLOB";
  }
  return "TEXT";
}

std::string_view ConstraintOpName(ConstraintOp op) {
  switch (op) {
    case ConstraintOp::kEq:
      return "=";
    case ConstraintOp::kGt:
      return ">";
    case ConstraintOp::kLe:
      return "<=";
    case ConstraintOp::kLt:
      return "<";
    case ConstraintOp::kGe:
      return ">=";
    case ConstraintOp::kMatch:
      return "MATCH";
    case ConstraintOp::kLike:
      return "LIKE";
    case ConstraintOp::kGlob:
      return "GLOB";
    case ConstraintOp::kRegexp:
      return "REGEXP";
    case ConstraintOp::kNe:
      return "!=";
    case ConstraintOp::kIsNot:
      return "IS NOT";
    case ConstraintOp::kIsNotNull:
      return "IS NOT NULL";
    case ConstraintOp::kIsNull:
      return "IS NULL";
    case ConstraintOp::kIs:
      return "IS";
  }
  return "?";
}

int TableSchema::ColumnIndex(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == column) return static_cast<int>(i);
  return -1;
}

Row::Row(const TableSchema* schema, const std::unordered_map<std::string_view, int>* index)
    : schema_(schema), index_(index), values_(schema->columns.size()) {}

void Row::SetByName(std::string_view column, Value v) {
  auto it = index_->find(column);
  assert(it != index_->end() && "Row::Set: no such column in this table");
  if (it == index_->end()) return;
  values_[static_cast<size_t>(it->second)] = std::move(v);
}

const Value& Row::Get(std::string_view column) const {
  static const Value kNull;
  auto it = index_->find(column);
  return it == index_->end() ? kNull : values_[static_cast<size_t>(it->second)];
}

bool QueryContext::IsUsed(int column) const {
  if (column < 0) return false;
  if (column >= 63) return (used_mask_ >> 63) & 1;
  return (used_mask_ >> column) & 1;
}

bool QueryContext::IsUsed(std::string_view column) const {
  return IsUsed(schema_->ColumnIndex(column));
}

const std::vector<Constraint>* QueryContext::Constraints(std::string_view column) const {
  auto it = constraints_.find(schema_->ColumnIndex(column));
  return it == constraints_.end() ? nullptr : &it->second;
}

bool QueryContext::HasConstraint(std::string_view column, ConstraintOp op) const {
  const auto* cs = Constraints(column);
  if (cs == nullptr) return false;
  return std::any_of(cs->begin(), cs->end(), [op](const Constraint& c) { return c.op == op; });
}

// All `=` terms on a column (an IN list arrives expanded, one term per value)
// are returned as a union: a superset of what can match, which SQLite's own
// re-check of every row narrows.
std::optional<std::vector<std::string>> QueryContext::TextEquals(std::string_view column) const {
  const auto* cs = Constraints(column);
  if (cs == nullptr) return std::nullopt;
  std::vector<std::string> out;
  bool any = false;
  for (const auto& c : *cs) {
    if (c.op != ConstraintOp::kEq) continue;
    any = true;
    if (std::holds_alternative<std::monostate>(c.value)) continue;
    out.push_back(ValueToText(c.value));
  }
  if (!any) return std::nullopt;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<std::vector<int64_t>> QueryContext::IntegerEquals(std::string_view column) const {
  const auto* cs = Constraints(column);
  if (cs == nullptr) return std::nullopt;
  std::vector<int64_t> out;
  bool any = false;
  for (const auto& c : *cs) {
    if (c.op != ConstraintOp::kEq) continue;
    any = true;
    if (const auto* i = std::get_if<int64_t>(&c.value)) {
      out.push_back(*i);
    } else if (const auto* d = std::get_if<double>(&c.value)) {
      if (std::floor(*d) == *d) out.push_back(static_cast<int64_t>(*d));
    } else if (const auto* s = std::get_if<std::string>(&c.value)) {
      int64_t v;
      if (ParseInt64(*s, &v)) out.push_back(v);
    }
  }
  if (!any) return std::nullopt;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void TableRegistry::Add(TableSchema schema, GenerateFn generate) {
  auto def =
      std::unique_ptr<TableDef>(new TableDef{std::move(schema), std::move(generate), {}, {}});
  for (size_t i = 0; i < def->schema.columns.size(); ++i)
    def->column_index.emplace(def->schema.columns[i].name, static_cast<int>(i));
  assert(tables_.find(def->schema.name) == tables_.end() && "table registered twice");
  const TableDef* raw = def.get();
  for (const auto& alias : def->schema.aliases) aliases_.emplace(alias, raw);
  tables_.emplace(def->schema.name, std::move(def));
}

void TableRegistry::AddStreaming(TableSchema schema, OpenStreamFn open_stream) {
  GenerateFn drain = [open_stream](const QueryContext& ctx, RowWriter& out) -> Status {
    ASSIGN_OR_RETURN(std::unique_ptr<RowStream> stream, open_stream(ctx));
    for (;;) {
      ASSIGN_OR_RETURN(bool more, stream->Next(out));
      if (!more) return Status::Ok();
    }
  };
  std::string name = schema.name;
  Add(std::move(schema), std::move(drain));
  tables_.find(name)->second->open_stream = std::move(open_stream);
}

const TableDef* TableRegistry::Find(std::string_view name) const {
  if (auto it = tables_.find(name); it != tables_.end()) return it->second.get();
  if (auto it = aliases_.find(name); it != aliases_.end()) return it->second;
  return nullptr;
}

std::vector<const TableDef*> TableRegistry::All() const {
  std::vector<const TableDef*> out;
  out.reserve(tables_.size());
  for (const auto& [name, def] : tables_) out.push_back(def.get());
  return out;
}

}  // namespace warden
