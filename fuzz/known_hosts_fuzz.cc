// Fuzzes the known_hosts parser: any bytes must parse without crashing, and
// every entry must be a non-empty view into the input that is not a comment.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tables/known_hosts_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::string_view entry : warden::ParseKnownHosts(text)) {
    if (entry.empty() || entry.front() == '#') std::abort();
    if (entry.data() < text.data() || entry.data() + entry.size() > text.data() + text.size())
      std::abort();
  }
  return 0;
}
