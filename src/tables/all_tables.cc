#include "sql/table.h"
#include "tables/table_groups.h"

namespace warden {

void RegisterBuiltinTables(TableRegistry& registry) {
  RegisterProcessTables(registry);
  RegisterUserTables(registry);
  RegisterPackageTables(registry);
  RegisterSystemTables(registry);
  RegisterNetworkTables(registry);
  RegisterFileTables(registry);
  RegisterWardenTables(registry);
}

}  // namespace warden
