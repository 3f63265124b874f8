#include "tables/table_groups.h"

namespace warden {

void RegisterSystemTables(TableRegistry& /*registry*/) {}

}  // namespace warden
