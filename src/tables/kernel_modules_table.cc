// kernel_modules: loaded kernel modules from /proc/modules, one row per
// line "name size refcount used_by status address". used_by keeps the
// kernel's list ("-" when unused, otherwise "a,b," without the trailing
// comma), status is Live/Loading/Unloading, address is the hex load address
// (0x0000000000000000 for users without CAP_SYSLOG). A kernel built without
// module support has no /proc/modules: no rows.
#include "core/strings.h"
#include "sql/table.h"
#include "tables/system_tables.h"

namespace warden {

void RegisterKernelModulesTable(TableRegistry& registry) {
  registry.Add(TableSchema{"kernel_modules",
                           "Loaded Linux kernel modules.",
                           {{"name", ColumnType::kText},
                            {"size", ColumnType::kBigInt},
                            {"used_by", ColumnType::kText},
                            {"status", ColumnType::kText},
                            {"address", ColumnType::kText}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 auto text = ctx.fs().ReadFile("/proc/modules", 16u << 20);
                 if (!text.ok()) return Status::Ok();
                 for (std::string_view line : SplitString(*text, '\n')) {
                   auto fields = SplitWhitespace(line);
                   int64_t size = 0;
                   if (fields.size() < 6 || !ParseInt64(fields[1], &size)) continue;
                   std::string_view used_by = fields[3];
                   if (used_by.size() > 1 && used_by.back() == ',') used_by.remove_suffix(1);
                   Row& row = out.Add();
                   row.Set("name", fields[0]);
                   row.Set("size", size);
                   row.Set("used_by", used_by);
                   row.Set("status", fields[4]);
                   row.Set("address", fields[5]);
                 }
                 return Status::Ok();
               });
}

}  // namespace warden
