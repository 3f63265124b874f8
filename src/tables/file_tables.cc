#include "tables/table_groups.h"

namespace warden {

void RegisterFileTables(TableRegistry& /*registry*/) {}

}  // namespace warden
