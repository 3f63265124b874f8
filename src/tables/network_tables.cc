// The network group: registers every network table (see network_tables.h).
#include "tables/network_tables.h"

#include "tables/table_groups.h"

namespace warden {

void RegisterNetworkTables(TableRegistry& registry) {
  RegisterInterfaceAddressesTable(registry);
  RegisterInterfaceDetailsTable(registry);
  RegisterInterfaceIpv6Table(registry);
  RegisterRoutesTable(registry);
  RegisterArpCacheTable(registry);
  RegisterDnsResolversTable(registry);
  RegisterEtcHostsTable(registry);
  RegisterEtcServicesTable(registry);
  RegisterEtcProtocolsTable(registry);
  RegisterIptablesTable(registry);
}

}  // namespace warden
