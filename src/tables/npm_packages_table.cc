// npm_packages: Node.js packages installed globally: <dir>/node_modules/
// <pkg>/package.json and scoped <dir>/node_modules/@<scope>/<pkg>/package.json
// under /usr/local/lib, /usr/lib and each account's ~/.npm-global/lib and
// ~/.nvm/versions/node/*/lib, then their nested node_modules down to
// max_depth levels (default 100, -1 for no limit; WHERE max_depth = 0 lists
// top-level packages only). `directory` is the search directory, `depth` the
// nesting level. WHERE directory = '/home/me/project' searches that
// directory instead, as in osquery. A package.json that does not parse
// still gives a row (path, directory, depth), as osquery does: the package
// is there even if its metadata is broken.
//
// Homes are the users' to write: a home's search directories are read in
// the home's user-area, and a system or query-named directory in its own,
// as its owner's (HostFs's rule: no symlink out of the area, regular files
// of that user only, at most kMaxPackageJsonBytes each).
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "core/strings.h"
#include "tables/package_tables.h"
#include "tables/user_home_dirs.h"

namespace warden {
namespace {

constexpr int64_t kDefaultMaxDepth = 100;
constexpr size_t kMaxPackageJsonBytes = 4u << 20;

std::string JsonText(const nlohmann::json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void FillFromPackageJson(std::string_view text, Row& row) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return;
  for (const char* key : {"name", "version", "description", "homepage"})
    if (doc.contains(key)) row.Set(key, JsonText(doc, key));
  if (auto it = doc.find("author"); it != doc.end()) {
    if (it->is_string())
      row.Set("author", it->get<std::string>());
    else if (it->is_object())
      row.Set("author", JsonText(*it, "name"));
  }
  // "license": "MIT", or the deprecated {"type": ..., "url": ...} form,
  // for which osquery shows the url.
  if (auto it = doc.find("license"); it != doc.end()) {
    if (it->is_string())
      row.Set("license", it->get<std::string>());
    else if (it->is_object() && it->contains("url"))
      row.Set("license", JsonText(*it, "url"));
  }
}

// A directory searched for packages, and the user-area it is read in: a
// home's directories are read in the home's area (nothing outside it); a
// system or named directory in its own area, as its owner's (see host_fs.h).
struct SearchDirectory {
  std::string path;  // host path: the directory column
  UserArea area;
  std::string relative;  // path relative to area.dir ("" for area.dir itself)
};

std::string Below(const std::string& relative, std::string_view name) {
  return relative.empty() ? std::string(name) : relative + "/" + std::string(name);
}

// The package directories directly inside <dir>/node_modules, relative to
// the area.
std::vector<std::string> PackageDirs(const HostFs& fs, const UserArea& area,
                                     const std::string& dir) {
  std::vector<std::string> out;
  std::string modules = Below(dir, "node_modules");
  auto names = fs.ListUserDir(area, modules);
  if (!names.ok()) return out;
  std::sort(names->begin(), names->end());
  for (const std::string& n : *names) {
    if (n.empty() || n[0] == '.') continue;  // .bin, .package-lock.json
    std::string path = Below(modules, n);
    if (n[0] == '@') {
      auto scoped = fs.ListUserDir(area, path);
      if (!scoped.ok()) continue;
      std::sort(scoped->begin(), scoped->end());
      for (const std::string& s : *scoped)
        if (!s.empty() && s[0] != '.') out.push_back(Below(path, s));
    } else {
      out.push_back(std::move(path));
    }
  }
  return out;
}

void ScanSearchDirectory(const QueryContext& ctx, const SearchDirectory& site, int64_t max_depth,
                         RowWriter& out) {
  const HostFs& fs = ctx.fs();
  std::vector<std::pair<std::string, int64_t>> pending = {{site.relative, 0}};
  std::set<std::pair<dev_t, ino_t>> visited;  // symlink loops end here
  while (!pending.empty()) {
    if (ctx.Cancelled()) return;
    auto [dir, depth] = std::move(pending.back());
    pending.pop_back();
    auto st = fs.StatUserPath(site.area, dir);
    if (!st.ok() || !visited.insert({st->st_dev, st->st_ino}).second) continue;
    for (const std::string& pkg : PackageDirs(fs, site.area, dir)) {
      std::string manifest = Below(pkg, "package.json");
      auto text = fs.ReadUserFile(site.area, manifest, kMaxPackageJsonBytes, CancelCheck(ctx));
      if (!text.ok()) continue;  // not a package, refused, or removed mid-scan
      Row& row = out.Add();
      FillFromPackageJson(*text, row);
      row.Set("path", JoinHostPath(site.area.dir, manifest));
      row.Set("directory", site.path);
      row.Set("depth", depth);
      row.Set("max_depth", max_depth);
      if (max_depth >= 0 && depth >= max_depth) continue;
      auto modules = fs.StatUserPath(site.area, Below(pkg, "node_modules"));
      if (modules.ok() && S_ISDIR(modules->st_mode)) pending.emplace_back(pkg, depth + 1);
    }
  }
}

// A system or query-named directory: its own area, its owner's.
std::optional<SearchDirectory> OwnArea(const HostFs& fs, const std::string& path) {
  auto st = fs.Stat(path);
  if (!st.ok() || !S_ISDIR(st->st_mode)) return std::nullopt;
  return SearchDirectory{path, UserArea{path, st->st_uid}, ""};
}

std::vector<SearchDirectory> DefaultSearchDirectories(const QueryContext& ctx) {
  const HostFs& fs = ctx.fs();
  std::map<std::string, SearchDirectory> dirs;  // by path, for a stable order
  for (const char* d : {"/usr/local/lib", "/usr/lib"})
    if (auto site = OwnArea(fs, d)) dirs.emplace(d, std::move(*site));
  // Home directories: every account's, and those under /home that no
  // account names (their owner's).
  std::map<std::string, UserArea> homes;
  for (const PasswdEntry& u : UsersToScan(ctx))
    if (!u.home.empty() && u.home != "/") homes.emplace(u.home, HomeArea(u));
  for (const std::string& h : ExpandHostPattern(fs, "/home/*"))
    if (auto st = fs.Stat(h); st.ok() && S_ISDIR(st->st_mode))
      homes.emplace(h, UserArea{h, st->st_uid});
  for (const auto& [home, area] : homes) {
    std::vector<std::string> relatives = {".npm-global/lib"};
    if (auto versions = fs.ListUserDir(area, ".nvm/versions/node"); versions.ok())
      for (const std::string& v : *versions)
        if (!v.empty() && v[0] != '.') relatives.push_back(".nvm/versions/node/" + v + "/lib");
    for (std::string& relative : relatives) {
      auto st = fs.StatUserPath(area, relative);
      if (!st.ok() || !S_ISDIR(st->st_mode)) continue;
      std::string path = HomeFilePath(home, relative);
      dirs.emplace(path, SearchDirectory{path, area, std::move(relative)});
    }
  }
  std::vector<SearchDirectory> out;
  for (auto& [path, dir] : dirs) out.push_back(std::move(dir));
  return out;
}

}  // namespace

void RegisterNpmPackagesTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "npm_packages",
          "Node.js packages installed globally or in a given directory.",
          {{"name", ColumnType::kText, kNone, "", "Package name"},
           {"version", ColumnType::kText, kNone, "version", "Package version"},
           {"description", ColumnType::kText, kNone, "", "Package description"},
           {"author", ColumnType::kText, kNone, "", "Package author"},
           {"license", ColumnType::kText, kNone, "", "License"},
           {"homepage", ColumnType::kText, kNone, "", "Homepage URL"},
           {"path", ColumnType::kText, kNone, "", "Path to the package.json"},
           {"directory", ColumnType::kText, kIndex | kOptimized, "", "Directory searched"},
           {"depth", ColumnType::kInteger, kNone, "", "node_modules nesting level (0 = top)"},
           {"max_depth", ColumnType::kInteger, kHidden | kAdditional, "",
            "Deepest nesting level searched (default 100, -1 = unlimited)"},
           {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput, "",
            "Accepted for osquery compatibility; always NULL"},
           {"mount_namespace_id", ColumnType::kText, kHidden, "",
            "Accepted for osquery compatibility; always NULL"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        int64_t max_depth = kDefaultMaxDepth;
        if (auto depths = ctx.IntegerEquals("max_depth"); depths && !depths->empty())
          max_depth = depths->front();
        std::vector<SearchDirectory> dirs;
        if (auto wanted = ctx.TextEquals("directory")) {
          for (const std::string& d : *wanted)
            if (auto site = OwnArea(ctx.fs(), d)) dirs.push_back(std::move(*site));
        } else {
          dirs = DefaultSearchDirectories(ctx);
        }
        for (const SearchDirectory& d : dirs) ScanSearchDirectory(ctx, d, max_depth, out);
        return Status::Ok();
      });
}

}  // namespace warden
