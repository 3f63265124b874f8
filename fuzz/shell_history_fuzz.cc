// Fuzzes the shell history parser (bash, bash with timestamps, zsh extended
// history with continuations and metafied bytes): any bytes must parse, as
// both a plain and a zsh file, without crashing, and every command must come
// from the input (its length is bounded by the input's).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tables/shell_history_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto file : {warden::ShellHistoryFile::kPlain, warden::ShellHistoryFile::kZsh}) {
    size_t total = 0;
    for (const warden::ShellHistoryEntry& e : warden::ParseShellHistory(text, file))
      total += e.command.size();
    if (total > size) std::abort();  // commands are parts of the input, never more
  }
  return 0;
}
