// yum_sources: the repositories yum/dnf is configured with: every section
// other than [main] of /etc/yum.conf (or /etc/dnf/dnf.conf when there is no
// yum.conf, as on dnf-only systems), then of each *.repo file in the
// reposdir that [main] names (default /etc/yum.repos.d), files in name
// order. Values are returned as written, variables such as $releasever
// unexpanded, as osquery does. The INI reader is lenient: comments (# ;),
// continuation lines (indented, as yum allows for baseurl and gpgkey lists,
// joined with a space) and junk lines never stop the scan.
#include <algorithm>
#include <map>

#include "core/strings.h"
#include "tables/package_tables.h"

namespace warden {
namespace {

constexpr size_t kMaxRepoFileBytes = 4u << 20;

struct IniSection {
  std::string name;
  std::map<std::string, std::string> values;  // keys lower-cased
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::vector<IniSection> ParseIni(std::string_view text) {
  std::vector<IniSection> sections;
  std::string* last_value = nullptr;
  for (std::string_view raw : SplitString(text, '\n')) {
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = TrimWhitespace(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') {
      if (line.empty()) last_value = nullptr;
      continue;
    }
    if (line.front() == '[') {
      size_t close = line.find(']');
      if (close == std::string_view::npos) {
        last_value = nullptr;
        continue;
      }
      sections.push_back({std::string(TrimWhitespace(line.substr(1, close - 1))), {}});
      last_value = nullptr;
      continue;
    }
    if ((raw.front() == ' ' || raw.front() == '\t') && last_value != nullptr) {
      if (!last_value->empty()) last_value->push_back(' ');
      last_value->append(line);
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || sections.empty()) {
      last_value = nullptr;
      continue;
    }
    std::string& v = sections.back().values[Lower(TrimWhitespace(line.substr(0, eq)))];
    v = std::string(TrimWhitespace(line.substr(eq + 1)));
    last_value = &v;
  }
  return sections;
}

}  // namespace

void RegisterYumSourcesTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "yum_sources",
          "Repositories yum and dnf install RPM packages from.",
          {{"name", ColumnType::kText, kNone, "", "Repository name"},
           {"source", ColumnType::kText, kNone, "", "File the repository is configured in"},
           {"baseurl", ColumnType::kText, kNone, "", "Repository base URL(s)"},
           {"mirrorlist", ColumnType::kText, kNone, "", "Mirror list URL"},
           {"metalink", ColumnType::kText, kNone, "", "Metalink URL"},
           {"enabled", ColumnType::kText, kNone, "", "Whether the repository is enabled"},
           {"gpgcheck", ColumnType::kText, kNone, "", "Whether package signatures are checked"},
           {"gpgkey", ColumnType::kText, kNone, "", "Signing key URL(s)"},
           {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput, "",
            "Accepted for osquery compatibility; always NULL"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        std::string reposdir = "/etc/yum.repos.d";
        auto emit = [&](const std::string& file, const std::vector<IniSection>& sections) {
          for (const IniSection& s : sections) {
            if (s.name == "main") continue;
            Row& row = out.Add();
            row.Set("source", file);
            for (const char* key :
                 {"name", "baseurl", "mirrorlist", "metalink", "enabled", "gpgcheck", "gpgkey"}) {
              auto it = s.values.find(key);
              if (it != s.values.end()) row.Set(key, it->second);
            }
          }
        };
        for (const char* conf : {"/etc/yum.conf", "/etc/dnf/dnf.conf"}) {
          auto text = ctx.fs().ReadFile(conf, kMaxRepoFileBytes);
          if (!text.ok()) continue;
          std::vector<IniSection> sections = ParseIni(*text);
          for (const IniSection& s : sections) {
            auto it = s.values.find("reposdir");
            if (s.name == "main" && it != s.values.end() && !it->second.empty()) {
              // reposdir may list several directories; like osquery, use the first.
              std::vector<std::string_view> dirs = SplitWhitespace(it->second);
              std::string first(dirs.empty() ? std::string_view() : dirs[0]);
              if (!first.empty() && first.back() == ',') first.pop_back();
              if (!first.empty()) reposdir = first;
            }
          }
          emit(conf, sections);
          break;
        }
        auto names = ctx.fs().ListDir(reposdir);
        if (!names.ok()) return Status::Ok();
        std::sort(names->begin(), names->end());
        for (const std::string& n : *names) {
          if (!EndsWith(n, ".repo")) continue;
          std::string file = JoinHostPath(reposdir, n);
          auto text = ctx.fs().ReadFile(file, kMaxRepoFileBytes);
          if (!text.ok()) continue;  // unreadable or vanished: skip
          emit(file, ParseIni(*text));
        }
        return Status::Ok();
      });
}

}  // namespace warden
