// deb_packages: the packages of the dpkg database, as osquery shows them.
// The rows are exactly what `dpkg-query -W` lists (every package whose state
// is not "not-installed", so removed-but-not-purged "rc" packages are rows
// too, with status "deinstall ok config-files"), read by the shared
// inventory reader; this file only maps fields to columns. Columns follow
// osquery's conventions: `version` is the full version with epoch,
// `revision` the Debian revision, `source` the Source field verbatim
// ("util-linux (2.38.1-5)", "" when the source package has the binary's
// name), `size` the Installed-Size in KiB, `status` dpkg's three words.
// WHERE admindir = '/path' reads another dpkg database (host path).
#include "inventory/package_inventory.h"
#include "tables/package_tables.h"

namespace warden {

void RegisterDebPackagesTable(TableRegistry& r) {
  r.Add(
      TableSchema{"deb_packages",
                  "Debian packages in the dpkg database (the set dpkg-query -W lists).",
                  {{"name", ColumnType::kText, kNone, "", "Package name"},
                   {"version", ColumnType::kText, kNone, "version_dpkg", "Package version"},
                   {"source", ColumnType::kText, kNone, "", "Source field as dpkg records it"},
                   {"size", ColumnType::kBigInt, kNone, "", "Installed size in KiB"},
                   {"arch", ColumnType::kText, kNone, "", "Package architecture"},
                   {"revision", ColumnType::kText, kNone, "", "Debian revision of the version"},
                   {"status", ColumnType::kText, kNone, "", "dpkg want, error flag and state"},
                   {"maintainer", ColumnType::kText, kNone, "", "Package maintainer"},
                   {"section", ColumnType::kText, kNone, "", "Package section"},
                   {"priority", ColumnType::kText, kNone, "", "Package priority"},
                   {"admindir", ColumnType::kText, kAdditional | kOptimized, "",
                    "dpkg administrative directory read (default /var/lib/dpkg)"},
                   {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput,
                    "", "Accepted for osquery compatibility; always NULL"},
                   {"mount_namespace_id", ColumnType::kText, kHidden, "",
                    "Accepted for osquery compatibility; always NULL"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        std::vector<std::string> admindirs = {std::string(kDpkgAdminDir)};
        if (auto wanted = ctx.TextEquals("admindir")) admindirs = *wanted;
        for (const std::string& admindir : admindirs) {
          ASSIGN_OR_RETURN(std::vector<DebPackage> packages, ReadDpkgStatus(ctx.fs(), admindir));
          for (const DebPackage& p : packages) {
            Row& row = out.Add();
            row.Set("name", p.name);
            row.Set("version", p.version);
            row.Set("source", p.source_field);
            row.Set("size", p.installed_size);
            row.Set("arch", p.arch);
            row.Set("revision", p.revision);
            row.Set("status", p.status);
            row.Set("maintainer", p.maintainer);
            row.Set("section", p.section);
            row.Set("priority", p.priority);
            row.Set("admindir", admindir);
          }
        }
        return Status::Ok();
      });
}

}  // namespace warden
