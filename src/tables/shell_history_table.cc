// The shell_history table: commands from each local user's shell history
// files (~/.bash_history, ~/.zsh_history, ~/.zhistory, ~/.history,
// ~/.sh_history and macOS's ~/.bash_sessions/*.history), for every account in
// /etc/passwd or only the uids a query asks for. One row per command, in file
// order; shell_history_parser.h says how each format is parsed.
// The files are the user's: they are read under HostFs's user-area rule
// (no symlink out of the home, no FIFO, the user's own files, at most
// kMaxHistoryFileBytes each); a file the rule refuses gives no rows.
#include <algorithm>
#include <string>
#include <string_view>

#include "core/strings.h"
#include "tables/shell_history_parser.h"
#include "tables/user_home_dirs.h"
#include "tables/user_tables.h"

namespace warden {

namespace {

constexpr const char* kHistoryFiles[] = {".bash_history", ".zsh_history", ".zhistory", ".history",
                                         ".sh_history"};
constexpr size_t kMaxHistoryFileBytes = 32u << 20;

void AddFileRows(const QueryContext& ctx, const PasswdEntry& user, std::string_view relative,
                 ShellHistoryFile file, RowWriter& out) {
  auto text =
      ctx.fs().ReadUserFile(HomeArea(user), relative, kMaxHistoryFileBytes, CancelCheck(ctx));
  if (!text.ok()) return;
  std::string path = HomeFilePath(user.home, relative);
  for (ShellHistoryEntry& e : ParseShellHistory(*text, file)) {
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
            bool zsh = name == ".zsh_history" || name == ".zhistory";
            AddFileRows(ctx, user, name, zsh ? ShellHistoryFile::kZsh : ShellHistoryFile::kPlain,
                        out);
          }
          auto names = ctx.fs().ListUserDir(HomeArea(user), ".bash_sessions");
          if (!names.ok()) continue;
          std::sort(names->begin(), names->end());
          for (const std::string& name : *names)
            if (EndsWith(name, ".history"))
              AddFileRows(ctx, user, ".bash_sessions/" + name, ShellHistoryFile::kPlain, out);
        }
        return Status::Ok();
      });
}

}  // namespace warden
