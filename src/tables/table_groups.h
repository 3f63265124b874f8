// Registration entry points, one per group of related tables. Each group's
// function lives in <group>_tables.cc and registers one schema + generate
// function per table (the tables themselves are in <table>_table.cc files).
#pragma once

#include "sql/table.h"

namespace warden {

void RegisterProcessTables(TableRegistry& registry);  // processes, process_*, listening_ports
void RegisterUserTables(TableRegistry& registry);  // users, groups, logins, keys, history, crontab
void RegisterPackageTables(
    TableRegistry& registry);  // deb/rpm/python/npm packages, sources, browser add-ons
void RegisterSystemTables(TableRegistry& registry);  // os, kernel, cpu, memory, devices, mounts
void RegisterNetworkTables(
    TableRegistry& registry);  // interfaces, routes, arp, dns, /etc/hosts..., iptables
void RegisterFileTables(TableRegistry& registry);  // file, hash, magic, systemd, selinux, apparmor
void RegisterWardenTables(TableRegistry& registry);  // osquery_* tables describing Warden itself

}  // namespace warden
