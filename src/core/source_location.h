// SourceLocation names a place in a text file Warden read (a rule file, a
// profile, the agent's config): file, 1-based line and column, 0 when
// unknown. Every loader reports errors through it, so they all print the
// same "file:line:column" prefix.
#pragma once

#include <string>

namespace warden {

struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  // "file:line:column" (or less when unknown).
  std::string ToString() const;
};

}  // namespace warden
