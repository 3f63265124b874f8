#include "tables/table_groups.h"

namespace warden {

void RegisterWardenTables(TableRegistry& /*registry*/) {}

}  // namespace warden
