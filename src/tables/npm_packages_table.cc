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
#include <algorithm>
#include <nlohmann/json.hpp>
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

// The package directories directly inside <dir>/node_modules.
std::vector<std::string> PackageDirs(const HostFs& fs, const std::string& dir) {
  std::vector<std::string> out;
  std::string modules = JoinHostPath(dir, "node_modules");
  auto names = fs.ListDir(modules);
  if (!names.ok()) return out;
  std::sort(names->begin(), names->end());
  for (const std::string& n : *names) {
    if (n.empty() || n[0] == '.') continue;  // .bin, .package-lock.json
    std::string path = JoinHostPath(modules, n);
    if (n[0] == '@') {
      auto scoped = fs.ListDir(path);
      if (!scoped.ok()) continue;
      std::sort(scoped->begin(), scoped->end());
      for (const std::string& s : *scoped)
        if (!s.empty() && s[0] != '.') out.push_back(JoinHostPath(path, s));
    } else {
      out.push_back(std::move(path));
    }
  }
  return out;
}

void ScanSearchDirectory(const QueryContext& ctx, const std::string& site, int64_t max_depth,
                         RowWriter& out) {
  std::vector<std::pair<std::string, int64_t>> pending = {{site, 0}};
  std::set<std::pair<dev_t, ino_t>> visited;  // symlink loops end here
  while (!pending.empty()) {
    if (ctx.Cancelled()) return;
    auto [dir, depth] = std::move(pending.back());
    pending.pop_back();
    auto st = ctx.fs().Stat(dir);
    if (!st.ok() || !visited.insert({st->st_dev, st->st_ino}).second) continue;
    for (const std::string& pkg : PackageDirs(ctx.fs(), dir)) {
      std::string manifest = JoinHostPath(pkg, "package.json");
      auto text = ctx.fs().ReadFile(manifest, kMaxPackageJsonBytes);
      if (!text.ok()) continue;  // not a package (or removed mid-scan)
      Row& row = out.Add();
      FillFromPackageJson(*text, row);
      row.Set("path", manifest);
      row.Set("directory", site);
      row.Set("depth", depth);
      row.Set("max_depth", max_depth);
      if ((max_depth < 0 || depth < max_depth) &&
          ctx.fs().IsDirectory(JoinHostPath(pkg, "node_modules")))
        pending.emplace_back(pkg, depth + 1);
    }
  }
}

std::vector<std::string> DefaultSearchDirectories(const QueryContext& ctx) {
  std::set<std::string> dirs;
  for (const char* d : {"/usr/local/lib", "/usr/lib"})
    if (ctx.fs().IsDirectory(d)) dirs.insert(d);
  std::set<std::string> homes;
  for (const std::string& h : ExpandHostPattern(ctx.fs(), "/home/*")) homes.insert(h);
  for (const PasswdEntry& u : UsersToScan(ctx))
    if (!u.home.empty() && u.home != "/") homes.insert(u.home);
  for (const std::string& home : homes) {
    for (const char* rel : {".npm-global/lib", ".nvm/versions/node/*/lib"})
      for (std::string& d : ExpandHostPattern(ctx.fs(), HomeFilePath(home, rel)))
        dirs.insert(std::move(d));
  }
  return {dirs.begin(), dirs.end()};
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
           {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional, "",
            "Accepted for osquery compatibility; always NULL"},
           {"mount_namespace_id", ColumnType::kText, kHidden, "",
            "Accepted for osquery compatibility; always NULL"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        int64_t max_depth = kDefaultMaxDepth;
        if (auto depths = ctx.IntegerEquals("max_depth"); depths && !depths->empty())
          max_depth = depths->front();
        std::vector<std::string> dirs;
        if (auto wanted = ctx.TextEquals("directory"))
          dirs = *wanted;
        else
          dirs = DefaultSearchDirectories(ctx);
        for (const std::string& d : dirs) ScanSearchDirectory(ctx, d, max_depth, out);
        return Status::Ok();
      });
}

}  // namespace warden
