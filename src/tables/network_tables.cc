#include "tables/table_groups.h"

namespace warden {

void RegisterNetworkTables(TableRegistry& /*registry*/) {}

}  // namespace warden
