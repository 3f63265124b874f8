// rpm_packages: the packages of the rpm database under the host root, read
// through the shared inventory (librpm). Columns follow osquery: `source` is
// the source rpm file name, `size` the installed size in bytes, `sha1` the
// header digest, `epoch` NULL when the package has none, `install_time` a
// Unix time. `module_stream` (Warden-only) is "name:stream" from the
// package's MODULARITYLABEL, "" for non-modular packages. No rpm database
// means zero rows; a database that exists but cannot be read is an error.
// WHERE name = 'x' looks packages up through rpm's name index.
#include "inventory/package_inventory.h"
#include "tables/package_tables.h"

namespace warden {

void RegisterRpmPackagesTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "rpm_packages",
          "RPM packages in the rpm database.",
          {{"name", ColumnType::kText, kIndex | kOptimized, "", "Package name"},
           {"version", ColumnType::kText, kIndex, "version_rhel", "Package version"},
           {"release", ColumnType::kText, kIndex, "", "Package release"},
           {"source", ColumnType::kText, kNone, "", "Source RPM file name"},
           {"size", ColumnType::kBigInt, kNone, "", "Installed size in bytes"},
           {"sha1", ColumnType::kText, kNone, "nocase", "SHA1 digest of the package header"},
           {"arch", ColumnType::kText, kIndex, "", "Architecture"},
           {"epoch", ColumnType::kInteger, kIndex, "", "Package epoch (NULL when none)"},
           {"install_time", ColumnType::kInteger, kNone, "", "When it was installed (Unix time)"},
           {"vendor", ColumnType::kText, kNone, "", "Package vendor"},
           {"package_group", ColumnType::kText, kNone, "", "Package group"},
           {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput, "",
            "Accepted for osquery compatibility; always NULL"},
           {"mount_namespace_id", ColumnType::kText, kHidden, "",
            "Accepted for osquery compatibility; always NULL"},
           {"module_stream", ColumnType::kText, kNone, "",
            "Module stream (name:stream) from the MODULARITYLABEL, \"\" when none"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        std::vector<std::string> names;
        if (auto wanted = ctx.TextEquals("name")) {
          if (wanted->empty()) return Status::Ok();  // contradictory constraints
          names = *wanted;
        }
        ASSIGN_OR_RETURN(std::vector<RpmPackage> packages, ReadRpmDatabase(ctx.fs(), names));
        for (const RpmPackage& p : packages) {
          Row& row = out.Add();
          row.Set("name", p.name);
          row.Set("version", p.version);
          row.Set("release", p.release);
          row.Set("source", p.source_rpm);
          row.Set("size", p.size);
          row.Set("sha1", p.sha1);
          row.Set("arch", p.arch);
          if (p.epoch >= 0) row.Set("epoch", p.epoch);
          row.Set("install_time", p.install_time);
          row.Set("vendor", p.vendor);
          row.Set("package_group", p.package_group);
          row.Set("module_stream", p.module_stream);
        }
        return Status::Ok();
      });
}

}  // namespace warden
