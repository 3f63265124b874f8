// rpm_package_files: the files each rpm package owns, from the package
// headers in the rpm database (shared inventory, librpm). As in osquery,
// `mode` is the permission bits as four octal digits ("0644") and `sha256`
// is set only when rpm recorded the file digest with SHA-256 (older
// packages use MD5; directories and links have no digest), NULL otherwise.
// WHERE package = 'x' reads only x's header.
#include <cstdio>

#include "inventory/package_inventory.h"
#include "tables/package_tables.h"

namespace warden {

void RegisterRpmPackageFilesTable(TableRegistry& r) {
  r.Add(
      TableSchema{"rpm_package_files",
                  "Files owned by each RPM package.",
                  {{"package", ColumnType::kText, kIndex | kOptimized, "", "Package name"},
                   {"path", ColumnType::kText, kIndex, "", "File path"},
                   {"username", ColumnType::kText, kNone, "", "Owning user"},
                   {"groupname", ColumnType::kText, kNone, "", "Owning group"},
                   {"mode", ColumnType::kText, kNone, "", "Permission bits, four octal digits"},
                   {"size", ColumnType::kBigInt, kNone, "", "Size in bytes"},
                   {"sha256", ColumnType::kText, kNone, "nocase", "SHA-256 of the file contents"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        std::vector<std::string> names;
        if (auto wanted = ctx.TextEquals("package")) {
          if (wanted->empty()) return Status::Ok();
          names = *wanted;
        }
        ASSIGN_OR_RETURN(std::vector<RpmFile> files, ReadRpmFiles(ctx.fs(), names));
        for (const RpmFile& f : files) {
          Row& row = out.Add();
          row.Set("package", f.package);
          row.Set("path", f.path);
          row.Set("username", f.username);
          row.Set("groupname", f.groupname);
          char mode[8];
          std::snprintf(mode, sizeof mode, "%04o", f.mode & 07777u);
          row.Set("mode", mode);
          row.Set("size", f.size);
          if (f.digest_algo == "sha256") row.Set("sha256", f.digest);
        }
        return Status::Ok();
      });
}

}  // namespace warden
