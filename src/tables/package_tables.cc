#include "tables/table_groups.h"

namespace warden {

void RegisterPackageTables(TableRegistry& /*registry*/) {}

}  // namespace warden
