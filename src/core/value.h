// Value is one typed cell: NULL, a 64-bit integer, a double or text. Rows of
// Values are what tables produce and what output formats print; types survive
// from the table to the JSON (numbers stay numbers, NULL stays null).
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace warden {

using Value = std::variant<std::monostate, int64_t, double, std::string>;

inline bool IsNull(const Value& v) { return std::holds_alternative<std::monostate>(v); }
// Text as osquery prints it: "" for NULL, shortest round-trip for doubles.
std::string ValueToText(const Value& v);

}  // namespace warden
