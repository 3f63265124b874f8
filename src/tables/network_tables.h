// Registration functions of the network group: interfaces, addresses, routes,
// the ARP cache, resolver configuration, /etc/hosts, /etc/services,
// /etc/protocols and iptables. Each lives in its <table>_table.cc;
// RegisterNetworkTables (network_tables.cc) calls them all.
#pragma once

#include "sql/table.h"

namespace warden {

void RegisterInterfaceAddressesTable(TableRegistry& registry);
void RegisterInterfaceDetailsTable(TableRegistry& registry);
void RegisterInterfaceIpv6Table(TableRegistry& registry);
void RegisterRoutesTable(TableRegistry& registry);
void RegisterArpCacheTable(TableRegistry& registry);
void RegisterDnsResolversTable(TableRegistry& registry);
void RegisterEtcHostsTable(TableRegistry& registry);
void RegisterEtcServicesTable(TableRegistry& registry);
void RegisterEtcProtocolsTable(TableRegistry& registry);
void RegisterIptablesTable(TableRegistry& registry);

}  // namespace warden
