// acpi_tables: the firmware's ACPI tables as the kernel exports them under
// /sys/firmware/acpi/tables, with each table's size and MD5 (the dynamic/
// and data/ subdirectories are walked too, names are the file names, as in
// osquery). A table that cannot be read is a row with size -1 and no md5.
// Hosts without ACPI (many VMs, containers without /sys) have no rows.
#include <openssl/evp.h>

#include "core/encoding.h"
#include "sql/table.h"
#include "tables/sysfs_attributes.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

constexpr std::string_view kAcpiTables = "/sys/firmware/acpi/tables";

void EmitTables(const QueryContext& ctx, const std::string& dir, int depth, RowWriter& out) {
  for (const std::string& name : ListDirSorted(ctx.fs(), dir)) {
    if (ctx.Cancelled()) return;
    const std::string path = dir + "/" + name;
    auto st = ctx.fs().Lstat(path);
    if (!st.ok()) continue;
    if (S_ISDIR(st->st_mode)) {
      if (depth < 4) EmitTables(ctx, path, depth + 1, out);
      continue;
    }
    if (!S_ISREG(st->st_mode)) continue;
    Row& row = out.Add();
    row.Set("name", name);
    // Tables are at most a few MiB (the DSDT); 64 MiB bounds junk.
    auto content = ctx.fs().ReadFile(path, 64u << 20);
    if (!content.ok()) {
      row.Set("size", -1);
      continue;
    }
    row.Set("size", static_cast<int64_t>(content->size()));
    if (ctx.IsUsed("md5")) row.Set("md5", DigestHex(EVP_md5(), *content));
  }
}

}  // namespace

void RegisterAcpiTablesTable(TableRegistry& registry) {
  registry.Add(TableSchema{"acpi_tables",
                           "Firmware ACPI tables with their size and MD5.",
                           {{"name", ColumnType::kText},
                            {"size", ColumnType::kInteger},
                            {"md5", ColumnType::kText, kNone, "nocase"}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 EmitTables(ctx, std::string(kAcpiTables), 0, out);
                 return Status::Ok();
               });
}

}  // namespace warden
