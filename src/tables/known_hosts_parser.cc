#include "tables/known_hosts_parser.h"

#include "core/strings.h"

namespace warden {

std::vector<std::string_view> ParseKnownHosts(std::string_view text) {
  std::vector<std::string_view> entries;
  for (std::string_view line : SplitString(text, '\n')) {
    line = TrimWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    entries.push_back(line);
  }
  return entries;
}

}  // namespace warden
