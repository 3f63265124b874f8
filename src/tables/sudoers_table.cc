// The sudoers table: the lines of /etc/sudoers and of the files it includes,
// split the way osquery does it: `header` is the first word (a user or
// %group, "Defaults", "Cmnd_Alias", "@includedir"...), `rule_details` the
// rest. This is not a sudoers grammar: it shows what is configured and where,
// it does not evaluate who may run what.
//
// Followed like sudo does: "@include"/"#include" FILE and
// "@includedir"/"#includedir" DIR (relative paths against the including
// file's directory; in a directory, files whose name contains '.' or ends in
// '~' are skipped, the rest read in name order). Include lines are rows too,
// as in osquery. Nesting stops at 128 levels, so include loops terminate.
// A line ending in '\' continues on the next line, joined into the same row.
// Comment lines ("#" not followed by include) and blank lines are skipped.
// Unreadable files are skipped; no /etc/sudoers is zero rows.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "tables/user_tables.h"

namespace warden {

namespace {

constexpr int kMaxIncludeDepth = 128;  // sudoers(5)

// sudoers treats space, tab and vertical tab as blanks.
bool IsSudoBlank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\r'; }

std::string_view TrimSudoBlanks(std::string_view s) {
  while (!s.empty() && IsSudoBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSudoBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::string ParentDir(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string ResolveIncludePath(std::string_view including_file, std::string_view target) {
  if (!target.empty() && target.front() == '/') return std::string(target);
  std::string dir = ParentDir(including_file);
  if (dir.back() != '/') dir.push_back('/');
  return dir + std::string(target);
}

class SudoersScanner {
 public:
  SudoersScanner(const QueryContext& ctx, RowWriter& out) : ctx_(ctx), out_(out) {}

  void ScanFile(const std::string& path, int depth) {
    if (depth > kMaxIncludeDepth || ctx_.Cancelled()) return;
    auto text = ctx_.fs().ReadFile(path);
    if (!text.ok()) return;
    // A rule ending in '\' is held here until its last continuation line.
    bool continuing = false;
    std::string header, details;
    auto flush = [&] {
      if (!continuing) return;
      continuing = false;
      AddRow(path, header, details);
    };
    for (std::string_view raw : SplitString(*text, '\n')) {
      std::string_view line = TrimSudoBlanks(raw);
      if (line.empty()) continue;
      if (continuing) {
        // Drop the '\' that ended the previous part, then append this part.
        std::string& target = details.empty() ? header : details;
        if (!target.empty() && target.back() == '\\') target.pop_back();
        details.append(line);
        if (line.back() != '\\') flush();
        continue;
      }
      size_t blank = 0;
      while (blank < line.size() && !IsSudoBlank(line[blank])) ++blank;
      std::string_view head = line.substr(0, blank);
      std::string_view rest = TrimSudoBlanks(line.substr(blank));
      bool is_include = head == "#include" || head == "@include";
      bool is_includedir = head == "#includedir" || head == "@includedir";
      if (line.front() == '#' && !is_include && !is_includedir) continue;
      if ((is_include || is_includedir) && rest.empty()) continue;
      if (!is_include && !is_includedir && line.back() == '\\') {
        continuing = true;
        header = std::string(head);
        details = std::string(rest);
        continue;
      }
      AddRow(path, head, rest);
      if (is_include) ScanFile(ResolveIncludePath(path, rest), depth + 1);
      if (is_includedir) ScanDir(ResolveIncludePath(path, rest), depth + 1);
    }
    // A file ending inside a continuation still yields its row.
    flush();
  }

 private:
  void ScanDir(const std::string& dir, int depth) {
    auto names = ctx_.fs().ListDir(dir);
    if (!names.ok()) return;
    std::sort(names->begin(), names->end());
    for (const std::string& name : *names) {
      if (name.empty() || name.find('.') != std::string::npos || name.back() == '~') continue;
      std::string path = dir;
      if (path.back() != '/') path.push_back('/');
      path += name;
      auto st = ctx_.fs().Stat(path);
      if (!st.ok() || !S_ISREG(st->st_mode)) continue;
      ScanFile(path, depth);
    }
  }

  void AddRow(std::string_view source, std::string_view header, std::string_view details) {
    Row& row = out_.Add();
    row.Set("source", source);
    row.Set("header", header);
    row.Set("rule_details", details);
  }

  const QueryContext& ctx_;
  RowWriter& out_;
};

}  // namespace

void RegisterSudoersTable(TableRegistry& r) {
  r.Add(TableSchema{"sudoers",
                    "Rules of /etc/sudoers and the files it includes.",
                    {{"source", ColumnType::kText, kNone, "",
                      "Source file containing the given rule"},
                     {"header", ColumnType::kText, kNone, "", "Symbol for given rule"},
                     {"rule_details", ColumnType::kText, kNone, "", "Rule definition"}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          SudoersScanner(ctx, out).ScanFile("/etc/sudoers", 1);
          return Status::Ok();
        });
}

}  // namespace warden
