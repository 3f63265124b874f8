// The PROCESS group: registers every table declared in process_tables.h.
#include "tables/process_tables.h"

#include "tables/table_groups.h"

namespace warden {

void RegisterProcessTables(TableRegistry& registry) {
  RegisterProcessesTable(registry);
  RegisterProcessEnvsTable(registry);
  RegisterProcessOpenFilesTable(registry);
  RegisterProcessOpenSocketsTable(registry);
  RegisterProcessOpenPipesTable(registry);
  RegisterProcessMemoryMapTable(registry);
  RegisterProcessNamespacesTable(registry);
  RegisterListeningPortsTable(registry);
}

}  // namespace warden
