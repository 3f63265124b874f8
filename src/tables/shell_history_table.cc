// The shell_history table: commands from each local user's shell history
// files (~/.bash_history, ~/.zsh_history, ~/.zhistory, ~/.history,
// ~/.sh_history and macOS's ~/.bash_sessions/*.history), for every account in
// /etc/passwd or only the uids a query asks for. One row per command, in file
// order. time is epoch seconds when the shell recorded it, 0 otherwise:
//   bash with HISTTIMEFORMAT: a "#1700000000" line before the command;
//   zsh EXTENDED_HISTORY:     ": 1700000000:0;command" (start:elapsed;cmd).
// zsh-only details handled: a multi-line command is stored as lines ending in
// '\' and is returned as one command with its newlines; zsh "metafies"
// non-ASCII bytes (0x83 then byte^32) and they are returned decoded.
// Blank lines are not commands and give no row (osquery returns "" rows).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "tables/user_home_dirs.h"
#include "tables/user_tables.h"

namespace warden {

namespace {

constexpr const char* kHistoryFiles[] = {".bash_history", ".zsh_history", ".zhistory", ".history",
                                         ".sh_history"};

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

struct HistoryEntry {
  int64_t time = 0;
  std::string command;
};

std::vector<HistoryEntry> ParseHistory(std::string_view text, bool zsh_file) {
  std::vector<std::string_view> lines = SplitString(text, '\n');
  std::vector<HistoryEntry> out;
  bool have_bash_time = false;
  int64_t bash_time = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    int64_t time = 0;
    if (!have_bash_time && ParseBashTimestamp(line, &time)) {
      have_bash_time = true;
      bash_time = time;
      continue;
    }
    HistoryEntry e;
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
        std::string_view next = lines[++i];
        if (!next.empty() && next.back() == '\r') next.remove_suffix(1);
        e.command.append(next);
      }
    } else {
      e.command = std::string(line);
    }
    if (zsh_file) e.command = Unmetafy(e.command);
    out.push_back(std::move(e));
  }
  return out;
}

void AddFileRows(const QueryContext& ctx, const PasswdEntry& user, const std::string& path,
                 bool zsh_file, RowWriter& out) {
  auto text = ctx.fs().ReadFile(path);
  if (!text.ok()) return;
  for (HistoryEntry& e : ParseHistory(*text, zsh_file)) {
    Row& row = out.Add();
    row.Set("uid", static_cast<int64_t>(user.uid));
    row.Set("time", e.time);
    row.Set("command", std::move(e.command));
    row.Set("history_file", path);
  }
}

}  // namespace

void RegisterShellHistoryTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "shell_history",
          "Commands from each local user's shell history files.",
          {{"uid", ColumnType::kBigInt, kAdditional | kOptimized, "", "Shell history owner"},
           {"time", ColumnType::kInteger, kNone, "",
            "Entry timestamp. It could be absent, default value is 0."},
           {"command", ColumnType::kText, kNone, "", "Unparsed date/line/command history line"},
           {"history_file", ColumnType::kText, kNone, "", "Path to the .*_history for this user"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        for (const PasswdEntry& user : UsersToScan(ctx)) {
          if (ctx.Cancelled()) break;
          for (std::string_view name : kHistoryFiles) {
            bool zsh_file = name == ".zsh_history" || name == ".zhistory";
            AddFileRows(ctx, user, HomeFilePath(user.home, name), zsh_file, out);
          }
          std::string sessions = HomeFilePath(user.home, ".bash_sessions");
          auto names = ctx.fs().ListDir(sessions);
          if (!names.ok()) continue;
          std::sort(names->begin(), names->end());
          for (const std::string& name : *names)
            if (EndsWith(name, ".history"))
              AddFileRows(ctx, user, sessions + "/" + name, false, out);
        }
        return Status::Ok();
      });
}

}  // namespace warden
