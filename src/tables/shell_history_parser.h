// Parsing the text of one shell history file into commands, as the
// shell_history table reports them. Pure: it takes the file's bytes and reads
// nothing, so it can be unit-tested and fuzzed. Formats understood:
//   plain lines (sh, bash without timestamps): one command per line;
//   bash with HISTTIMEFORMAT: a "#1700000000" line dates the next command;
//   zsh EXTENDED_HISTORY: ": 1700000000:0;command" (start:elapsed;cmd), in
//     any file, as osquery parses it; a command continued over several
//     lines (each ending in '\') is one command with its newlines.
// In zsh files (kZsh), "metafied" bytes (0x83 then byte^32) are decoded.
// Blank lines are not commands (osquery returns "" rows for them). A
// trailing '\r' is dropped from every line. Never fails: a line that fits
// no format is a command without time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden {

enum class ShellHistoryFile {
  kPlain,  // ~/.bash_history, ~/.sh_history, ~/.history, bash session files
  kZsh,    // ~/.zsh_history, ~/.zhistory: metafied bytes are decoded
};

struct ShellHistoryEntry {
  int64_t time = 0;  // epoch seconds the shell recorded, 0 when none
  std::string command;
};

std::vector<ShellHistoryEntry> ParseShellHistory(std::string_view text, ShellHistoryFile file);

}  // namespace warden
