// The package group: every table about installed software and its sources,
// and the path helpers they share.
#include "tables/package_tables.h"

#include <fnmatch.h>

#include <algorithm>

#include "core/strings.h"
#include "tables/table_groups.h"

namespace warden {

void RegisterPackageTables(TableRegistry& registry) {
  RegisterDebPackagesTable(registry);
  RegisterDebPackageFilesTable(registry);
  RegisterRpmPackagesTable(registry);
  RegisterRpmPackageFilesTable(registry);
  RegisterAptSourcesTable(registry);
  RegisterYumSourcesTable(registry);
  RegisterPythonPackagesTable(registry);
  RegisterNpmPackagesTable(registry);
  RegisterChromeExtensionsTable(registry);
  RegisterFirefoxAddonsTable(registry);
}

std::string JoinHostPath(std::string_view dir, std::string_view name) {
  std::string p(dir);
  while (!p.empty() && p.back() == '/') p.pop_back();
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  p.push_back('/');
  p.append(name);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::vector<std::string> ExpandHostPattern(const HostFs& fs, std::string_view pattern) {
  std::vector<std::string> current = {"/"};
  for (std::string_view part : SplitString(pattern, '/')) {
    if (part.empty()) continue;
    std::vector<std::string> next;
    bool wild = part.find_first_of("*?[") != std::string_view::npos;
    for (const std::string& base : current) {
      if (!wild) {
        std::string p = JoinHostPath(base, part);
        if (fs.Exists(p)) next.push_back(std::move(p));
        continue;
      }
      auto names = fs.ListDir(base);
      if (!names.ok()) continue;
      std::string glob(part);
      for (const std::string& n : *names)
        if (fnmatch(glob.c_str(), n.c_str(), FNM_PERIOD) == 0)
          next.push_back(JoinHostPath(base, n));
    }
    current = std::move(next);
    if (current.empty()) break;
  }
  std::sort(current.begin(), current.end());
  return current;
}

}  // namespace warden
