// The user group: every table about accounts and what they can do or did.
#include "tables/user_tables.h"

#include "tables/table_groups.h"

namespace warden {

void RegisterUserTables(TableRegistry& registry) {
  RegisterUsersTable(registry);
  RegisterGroupsTable(registry);
  RegisterUserGroupsTable(registry);
  RegisterLoggedInUsersTable(registry);
  RegisterLastTable(registry);
  RegisterShadowTable(registry);
  RegisterSudoersTable(registry);
  RegisterAuthorizedKeysTable(registry);
  RegisterUserSshKeysTable(registry);
  RegisterKnownHostsTable(registry);
  RegisterShellHistoryTable(registry);
  RegisterSuidBinTable(registry);
  RegisterCrontabTable(registry);
}

}  // namespace warden
