#include "rules/rule.h"

namespace warden {

std::string SourceLocation::ToString() const {
  std::string s = file.empty() ? "<rules>" : file;
  if (line > 0) {
    s += ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  }
  return s;
}

}  // namespace warden
