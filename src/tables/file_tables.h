// The FILE group: tables about files and the host's file-level security
// configuration (file, hash, magic, systemd_units, selinux_settings,
// apparmor_profiles). RegisterFileTables (table_groups.h) calls these.
#pragma once

#include "sql/table.h"

namespace warden {

void RegisterFileTable(TableRegistry& registry);
void RegisterHashTable(TableRegistry& registry);
void RegisterMagicTable(TableRegistry& registry);
void RegisterSystemdUnitsTable(TableRegistry& registry);
void RegisterSelinuxSettingsTable(TableRegistry& registry);
void RegisterApparmorProfilesTable(TableRegistry& registry);

}  // namespace warden
