#include "tables/shell_history_parser.h"

#include "core/strings.h"

namespace warden {
namespace {

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "#1700000000" (bash's timestamp comment) -> 1700000000.
bool ParseBashTimestamp(std::string_view line, int64_t* time) {
  if (line.size() < 2 || line.front() != '#' || !IsDigits(line.substr(1))) return false;
  return ParseInt64(line.substr(1), time);
}

// ": 1700000000:0;command" -> time and command (osquery's
// "^: {0,10}([0-9]{1,11}):[0-9]+;(.*)$").
bool ParseZshExtended(std::string_view line, int64_t* time, std::string_view* command) {
  if (line.empty() || line.front() != ':') return false;
  size_t i = 1;
  while (i < line.size() && i <= 10 && line[i] == ' ') ++i;
  size_t colon = line.find(':', i);
  if (colon == std::string_view::npos) return false;
  std::string_view start = line.substr(i, colon - i);
  if (start.size() > 11 || !IsDigits(start)) return false;
  size_t semi = line.find(';', colon + 1);
  if (semi == std::string_view::npos || !IsDigits(line.substr(colon + 1, semi - colon - 1)))
    return false;
  if (!ParseInt64(start, time)) return false;
  *command = line.substr(semi + 1);
  return true;
}

// zsh writes bytes >= 0x83 and some control bytes as 0x83, byte ^ 32.
std::string Unmetafy(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0x83 && i + 1 < s.size()) {
      out.push_back(static_cast<char>(s[++i] ^ 32));
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string_view WithoutCarriageReturn(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::vector<ShellHistoryEntry> ParseShellHistory(std::string_view text, ShellHistoryFile file) {
  std::vector<std::string_view> lines = SplitString(text, '\n');
  std::vector<ShellHistoryEntry> out;
  bool have_bash_time = false;
  int64_t bash_time = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = WithoutCarriageReturn(lines[i]);
    if (line.empty()) continue;
    int64_t time = 0;
    if (!have_bash_time && ParseBashTimestamp(line, &time)) {
      have_bash_time = true;
      bash_time = time;
      continue;
    }
    ShellHistoryEntry e;
    std::string_view command;
    if (have_bash_time) {
      e.time = bash_time;
      e.command = std::string(line);
      have_bash_time = false;
    } else if (ParseZshExtended(line, &time, &command)) {
      e.time = time;
      e.command = std::string(command);
      // A multi-line command continues while its line ends in '\'.
      while (!e.command.empty() && e.command.back() == '\\' && i + 1 < lines.size()) {
        e.command.back() = '\n';
        e.command.append(WithoutCarriageReturn(lines[++i]));
      }
    } else {
      e.command = std::string(line);
    }
    if (file == ShellHistoryFile::kZsh) e.command = Unmetafy(e.command);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace warden
