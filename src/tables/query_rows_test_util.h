// Small readers of QueryResult cells for the user-table tests: a column as
// text, a cell as an integer (failing the test when it is not one), and the
// row holding a given value. Test-only; header-only.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sql/sql_engine.h"
#include "testing/sql_test_util.h"

namespace warden::testing {

// Every value of a column, as text ("" for NULL).
inline std::vector<std::string> ColumnText(const QueryResult& r, const std::string& name) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.rows.size(); ++i) out.push_back(ValueToText(Cell(r, i, name)));
  return out;
}

// The integer in a cell; a non-integer cell fails the test and reads as -999.
inline int64_t IntCell(const QueryResult& r, size_t row, const std::string& name) {
  const Value& v = Cell(r, row, name);
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  ADD_FAILURE() << "column " << name << " row " << row << " is not an integer: '" << ValueToText(v)
                << "'";
  return -999;
}

inline std::string TextCell(const QueryResult& r, size_t row, const std::string& name) {
  const Value& v = Cell(r, row, name);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  ADD_FAILURE() << "column " << name << " row " << row << " is not text";
  return "";
}

inline bool NullCell(const QueryResult& r, size_t row, const std::string& name) {
  return IsNull(Cell(r, row, name));
}

}  // namespace warden::testing
