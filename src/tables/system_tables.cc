// The system group: registers every table declared in system_tables.h.
#include "tables/system_tables.h"

#include "tables/table_groups.h"

namespace warden {

void RegisterSystemTables(TableRegistry& registry) {
  RegisterOsVersionTable(registry);
  RegisterSystemInfoTable(registry);
  RegisterPlatformInfoTable(registry);
  RegisterKernelInfoTable(registry);
  RegisterKernelModulesTable(registry);
  RegisterUptimeTable(registry);
  RegisterTimeTable(registry);
  RegisterLoadAverageTable(registry);
  RegisterMemoryInfoTable(registry);
  RegisterCpuTimeTable(registry);
  RegisterCpuInfoTable(registry);
  RegisterCpuidTable(registry);
  RegisterSystemControlsTable(registry);
  RegisterUlimitInfoTable(registry);
  RegisterMountsTable(registry);
  RegisterBlockDevicesTable(registry);
  RegisterDiskEncryptionTable(registry);
  RegisterPciDevicesTable(registry);
  RegisterUsbDevicesTable(registry);
  RegisterAcpiTablesTable(registry);
  RegisterSmbiosTablesTable(registry);
}

}  // namespace warden
