#include "core/value.h"

#include <cstdio>
#include <cstdlib>

namespace warden {

std::string ValueToText(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "";
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    // Prefer the shortest representation that round-trips.
    for (int prec = 1; prec <= 17; ++prec) {
      char tmp[64];
      std::snprintf(tmp, sizeof tmp, "%.*g", prec, *d);
      if (std::strtod(tmp, nullptr) == *d) return tmp;
    }
    return buf;
  }
  return std::get<std::string>(v);
}

}  // namespace warden
