// deb_package_files: the paths each dpkg package installed, from
// <admindir>/info/<package>[:<arch>].list, one row per line (including
// dpkg's "/." entry, as `dpkg -L` prints it). The package list comes from the
// shared inventory reader; WHERE package = 'x' reads only x's lists.
// Packages installed for several architectures ("Multi-Arch: same") have a
// list per architecture and contribute the rows of each.
#include <algorithm>

#include "inventory/package_inventory.h"
#include "tables/package_tables.h"

namespace warden {

void RegisterDebPackageFilesTable(TableRegistry& r) {
  r.Add(TableSchema{"deb_package_files",
                    "Files installed by each Debian package.",
                    {{"package", ColumnType::kText, kIndex | kOptimized, "", "Package name"},
                     {"path", ColumnType::kText, kIndex, "", "Path the package installed"},
                     {"admindir", ColumnType::kText, kAdditional | kOptimized, "",
                      "dpkg administrative directory read (default /var/lib/dpkg)"}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          std::vector<std::string> admindirs = {std::string(kDpkgAdminDir)};
          if (auto wanted = ctx.TextEquals("admindir")) admindirs = *wanted;
          auto wanted_packages = ctx.TextEquals("package");
          for (const std::string& admindir : admindirs) {
            ASSIGN_OR_RETURN(std::vector<DebPackage> packages, ReadDpkgStatus(ctx.fs(), admindir));
            for (const DebPackage& p : packages) {
              if (ctx.Cancelled()) return Status::Ok();
              if (wanted_packages &&
                  !std::binary_search(wanted_packages->begin(), wanted_packages->end(), p.name))
                continue;
              // A list that vanishes or cannot be read (dpkg running) is skipped.
              auto files = ReadDpkgFileList(ctx.fs(), p, admindir);
              if (!files.ok()) continue;
              for (const std::string& path : *files) {
                Row& row = out.Add();
                row.Set("package", p.name);
                row.Set("path", path);
                row.Set("admindir", admindir);
              }
            }
          }
          return Status::Ok();
        });
}

}  // namespace warden
