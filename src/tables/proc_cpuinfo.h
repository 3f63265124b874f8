// Parses /proc/cpuinfo into one record per logical processor, for the tables
// that describe the CPU without SMBIOS (system_info; cpu_info on hosts with
// no DMI table). Keeps the x86 field names ("model name", "physical id",
// "core id", "siblings", "cpu cores", "microcode", "cpu MHz"); other
// architectures' fields are available through `fields`. Does not read sysfs
// topology: /proc/cpuinfo is what a mounted image or fixture tree carries.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/host_fs.h"

namespace warden {

struct CpuInfoProcessor {
  std::map<std::string, std::string> fields;  // every "key : value" line
  // A field's value, or "" when absent.
  const std::string& Get(const std::string& key) const;
  // A numeric field, or nullopt when absent or not a number.
  std::optional<int64_t> GetInteger(const std::string& key) const;
};

// One entry per "processor" block; empty when the file is missing.
std::vector<CpuInfoProcessor> ReadCpuInfo(const HostFs& fs);
std::vector<CpuInfoProcessor> ParseCpuInfo(std::string_view text);

// Distinct (physical id, core id) pairs: the physical core count. Falls back
// to the processor count when the topology fields are missing (ARM, VMs).
int64_t CountPhysicalCores(const std::vector<CpuInfoProcessor>& processors);
// Distinct physical ids (sockets); 1 when the field is missing but there are
// processors.
int64_t CountSockets(const std::vector<CpuInfoProcessor>& processors);

}  // namespace warden
