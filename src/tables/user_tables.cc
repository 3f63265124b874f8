#include "tables/table_groups.h"

namespace warden {

void RegisterUserTables(TableRegistry& /*registry*/) {}

}  // namespace warden
