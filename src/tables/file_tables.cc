// RegisterFileTables: the FILE group's tables (see file_tables.h).
#include "tables/file_tables.h"

#include "tables/table_groups.h"

namespace warden {

void RegisterFileTables(TableRegistry& registry) {
  RegisterFileTable(registry);
  RegisterHashTable(registry);
  RegisterMagicTable(registry);
  RegisterSystemdUnitsTable(registry);
  RegisterSelinuxSettingsTable(registry);
  RegisterApparmorProfilesTable(registry);
}

}  // namespace warden
