#include "tables/table_groups.h"

namespace warden {

void RegisterProcessTables(TableRegistry& /*registry*/) {}

}  // namespace warden
