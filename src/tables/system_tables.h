// Registration functions of the system group's tables: OS and kernel
// identity, CPU, memory, time, limits, sysctls, mounts and hardware
// (block/PCI/USB devices, ACPI and SMBIOS tables). Each is defined in
// <table>_table.cc; RegisterSystemTables (system_tables.cc) calls them all.
#pragma once

#include "sql/table.h"

namespace warden {

void RegisterOsVersionTable(TableRegistry& registry);
void RegisterSystemInfoTable(TableRegistry& registry);
void RegisterPlatformInfoTable(TableRegistry& registry);
void RegisterKernelInfoTable(TableRegistry& registry);
void RegisterKernelModulesTable(TableRegistry& registry);
void RegisterUptimeTable(TableRegistry& registry);
void RegisterTimeTable(TableRegistry& registry);
void RegisterLoadAverageTable(TableRegistry& registry);
void RegisterMemoryInfoTable(TableRegistry& registry);
void RegisterCpuTimeTable(TableRegistry& registry);
void RegisterCpuInfoTable(TableRegistry& registry);
void RegisterCpuidTable(TableRegistry& registry);
void RegisterSystemControlsTable(TableRegistry& registry);
void RegisterUlimitInfoTable(TableRegistry& registry);
void RegisterMountsTable(TableRegistry& registry);
void RegisterBlockDevicesTable(TableRegistry& registry);
void RegisterDiskEncryptionTable(TableRegistry& registry);
void RegisterPciDevicesTable(TableRegistry& registry);
void RegisterUsbDevicesTable(TableRegistry& registry);
void RegisterAcpiTablesTable(TableRegistry& registry);
void RegisterSmbiosTablesTable(TableRegistry& registry);

}  // namespace warden
