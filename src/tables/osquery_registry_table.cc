// The osquery_registry table: Warden's plugin registry in osquery's shape.
// Warden's only plugins are its tables, so there is one row per registered
// table (registry "table"), all built in (internal 1), active, and owned by
// the core (owner_uuid 0). Aliases are not listed separately, as in osquery.
#include "tables/warden_tables.h"

namespace warden {

void RegisterOsqueryRegistryTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "osquery_registry",
          "Warden's registry: one row per SQL table it provides.",
          {{"registry", ColumnType::kText, kNone, "", "Name of the registry"},
           {"name", ColumnType::kText, kNone, "", "Name of the plugin item"},
           {"owner_uuid", ColumnType::kInteger, kNone, "", "Extension route UUID (0 for core)"},
           {"internal", ColumnType::kInteger, kNone, "", "1 If the plugin is internal else 0"},
           {"active", ColumnType::kInteger, kNone, "", "1 If this plugin is active else 0"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        if (ctx.registry() == nullptr) return Status::Ok();
        for (const TableDef* def : ctx.registry()->All()) {
          Row& row = out.Add();
          row.Set("registry", "table");
          row.Set("name", def->schema.name);
          row.Set("owner_uuid", 0);
          row.Set("internal", 1);
          row.Set("active", 1);
        }
        return Status::Ok();
      });
}

}  // namespace warden
