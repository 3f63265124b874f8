// python_packages: Python distributions installed in the standard
// site-packages / dist-packages directories: /usr/lib/python*/,
// /usr/local/lib/python*/ (system, uid 0 as in osquery) and each account's
// ~/.local/lib/python*/site-packages (uid set; WHERE uid = N reads only that
// home). A distribution is a *.dist-info directory (METADATA) or a
// *.egg-info directory (PKG-INFO) or file (distutils writes PKG-INFO
// content straight into "<name>.egg-info"). `directory` is the site
// directory, `path` the metadata directory or file. WHERE directory = '/x'
// scans only /x, as in osquery. Virtual environments are not searched.
//
// Metadata is RFC 822 style; only the header block (up to the first blank
// line, after which the long description starts) is read. Unlike osquery we
// split each header at its first ": ", so values that contain colons
// (URLs, "Author: A: B") are kept whole.
//
// A user's site directory is theirs to write: it is read in the home's
// user-area, and a system or query-named site in its own, as its owner's
// (HostFs's rule: no symlink out of the area, regular files of that user
// only, metadata files of at most kMaxMetadataBytes).
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>

#include "core/strings.h"
#include "tables/package_tables.h"
#include "tables/user_home_dirs.h"

namespace warden {
namespace {

// Headers come first and the rest is the long description, which can be
// long; a larger file is refused, not cut.
constexpr size_t kMaxMetadataBytes = 16u << 20;

const char* const kSystemSitePatterns[] = {
    "/usr/local/lib/python*/dist-packages",
    "/usr/local/lib/python*/site-packages",
    "/usr/lib/python*/dist-packages",
    "/usr/lib/python*/site-packages",
};
constexpr const char* kUserLibDir = ".local/lib";

struct PythonMetadata {
  std::string name, version, summary, author, license;
};

PythonMetadata ParseMetadata(std::string_view text) {
  PythonMetadata m;
  std::string license_expression;
  for (std::string_view line : SplitString(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of headers
    if (line.front() == ' ' || line.front() == '\t') continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    std::string value(TrimWhitespace(line.substr(colon + 1)));
    if (key == "Name" && m.name.empty())
      m.name = value;
    else if (key == "Version" && m.version.empty())
      m.version = value;
    else if (key == "Summary" && m.summary.empty())
      m.summary = value;
    else if (key == "Author" && m.author.empty())
      m.author = value;
    else if (key == "License" && m.license.empty())
      m.license = value;
    else if (key == "License-Expression" && license_expression.empty())
      license_expression = value;
  }
  // Metadata 2.4 replaces License with License-Expression.
  if (m.license.empty()) m.license = license_expression;
  return m;
}

// A site directory to scan and the user-area it is read in.
struct SiteDirectory {
  std::string path;  // host path: the directory column
  UserArea area;
  std::string relative;  // path relative to area.dir ("" for area.dir itself)
};

std::string Below(const std::string& relative, std::string_view name) {
  return relative.empty() ? std::string(name) : relative + "/" + std::string(name);
}

// A system or query-named site: its own area, its owner's.
std::optional<SiteDirectory> OwnArea(const HostFs& fs, const std::string& path) {
  auto st = fs.Stat(path);
  if (!st.ok() || !S_ISDIR(st->st_mode)) return std::nullopt;
  return SiteDirectory{path, UserArea{path, st->st_uid}, ""};
}

// ~/.local/lib/python*/site-packages, inside the home's area.
std::vector<SiteDirectory> UserSites(const HostFs& fs, const PasswdEntry& user) {
  std::vector<SiteDirectory> sites;
  const UserArea home = HomeArea(user);
  auto names = fs.ListUserDir(home, kUserLibDir);
  if (!names.ok()) return sites;
  std::sort(names->begin(), names->end());
  for (const std::string& n : *names) {
    if (::fnmatch("python*", n.c_str(), FNM_PERIOD) != 0) continue;
    std::string relative = std::string(kUserLibDir) + "/" + n + "/site-packages";
    auto st = fs.StatUserPath(home, relative);
    if (!st.ok() || !S_ISDIR(st->st_mode)) continue;
    sites.push_back(SiteDirectory{HomeFilePath(user.home, relative), home, relative});
  }
  return sites;
}

void ScanSite(const QueryContext& ctx, const SiteDirectory& site, std::optional<int64_t> uid,
              RowWriter& out) {
  const HostFs& fs = ctx.fs();
  auto names = fs.ListUserDir(site.area, site.relative);
  if (!names.ok()) return;
  std::sort(names->begin(), names->end());
  for (const std::string& n : *names) {
    if (ctx.Cancelled()) return;
    std::string relative = Below(site.relative, n);
    std::string metadata_file;
    if (EndsWith(n, ".dist-info")) {
      metadata_file = Below(relative, "METADATA");
    } else if (EndsWith(n, ".egg-info")) {
      auto st = fs.StatUserPath(site.area, relative);
      metadata_file = st.ok() && S_ISDIR(st->st_mode) ? Below(relative, "PKG-INFO") : relative;
    } else {
      continue;
    }
    auto text = fs.ReadUserFile(site.area, metadata_file, kMaxMetadataBytes, CancelCheck(ctx));
    if (!text.ok()) continue;  // broken install, refused, or removed mid-scan
    PythonMetadata m = ParseMetadata(*text);
    Row& row = out.Add();
    row.Set("name", m.name);
    if (uid) row.Set("uid", *uid);
    row.Set("version", m.version);
    row.Set("summary", m.summary);
    row.Set("author", m.author);
    row.Set("license", m.license);
    row.Set("path", JoinHostPath(site.path, n));
    row.Set("directory", site.path);
  }
}

}  // namespace

void RegisterPythonPackagesTable(TableRegistry& r) {
  r.Add(
      TableSchema{"python_packages",
                  "Python packages installed in system and user site directories.",
                  {{"name", ColumnType::kText, kNone, "", "Package name"},
                   {"uid", ColumnType::kBigInt, kIndex, "",
                    "Owner of a user site directory (0 for system ones)"},
                   {"version", ColumnType::kText, kNone, "version", "Package version"},
                   {"summary", ColumnType::kText, kNone, "", "Package summary"},
                   {"author", ColumnType::kText, kNone, "", "Package author"},
                   {"license", ColumnType::kText, kNone, "", "License"},
                   {"path", ColumnType::kText, kNone, "", "Metadata directory or file"},
                   {"directory", ColumnType::kText, kIndex | kOptimized, "", "Site directory"},
                   {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput,
                    "", "Accepted for osquery compatibility (echoes the query's value, else 0)"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        if (auto dirs = ctx.TextEquals("directory")) {
          for (const std::string& d : *dirs)
            if (auto site = OwnArea(ctx.fs(), d)) ScanSite(ctx, *site, int64_t{0}, out);
          return Status::Ok();
        }
        const std::optional<std::vector<int64_t>> uids = ctx.IntegerEquals("uid");
        if (!uids || std::find(uids->begin(), uids->end(), 0) != uids->end()) {
          for (const char* pattern : kSystemSitePatterns)
            for (const std::string& path : ExpandHostPattern(ctx.fs(), pattern))
              if (auto site = OwnArea(ctx.fs(), path)) ScanSite(ctx, *site, int64_t{0}, out);
        }
        for (const PasswdEntry& user : UsersToScan(ctx)) {
          if (user.home.empty() || user.home == "/") continue;
          for (const SiteDirectory& site : UserSites(ctx.fs(), user))
            ScanSite(ctx, site, static_cast<int64_t>(user.uid), out);
        }
        return Status::Ok();
      });
}

}  // namespace warden
