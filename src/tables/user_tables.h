// Registration functions of the user group of tables (accounts, groups,
// logins, credentials, per-user history, setuid binaries, cron). Each lives in
// its own <table>_table.cc; RegisterUserTables (user_tables.cc) calls them all.
#pragma once

#include "sql/table.h"

namespace warden {

void RegisterUsersTable(TableRegistry& r);
void RegisterGroupsTable(TableRegistry& r);
void RegisterUserGroupsTable(TableRegistry& r);
void RegisterLoggedInUsersTable(TableRegistry& r);
void RegisterLastTable(TableRegistry& r);
void RegisterShadowTable(TableRegistry& r);
void RegisterSudoersTable(TableRegistry& r);
void RegisterAuthorizedKeysTable(TableRegistry& r);
void RegisterUserSshKeysTable(TableRegistry& r);
void RegisterKnownHostsTable(TableRegistry& r);
void RegisterShellHistoryTable(TableRegistry& r);
void RegisterSuidBinTable(TableRegistry& r);
void RegisterCrontabTable(TableRegistry& r);

}  // namespace warden
