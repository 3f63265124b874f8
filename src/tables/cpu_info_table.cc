// cpu_info: one row per processor package. From the SMBIOS Processor
// Information structures (type 4) as osquery reads them: socket designation,
// version string as model, manufacturer, processor type (3 = CPU; device_id
// is "CPU0", "CPU1", ...), status byte, core and thread counts, address width
// from the 64-bit capability flag, current and max speed in MHz.
// Where the host has no SMBIOS table (containers, many cloud VMs; osquery
// returns no rows there) the packages are derived from /proc/cpuinfo
// instead: one row per physical id with model name, vendor id, "cpu cores",
// the number of logical processors, the current MHz and, when cpufreq
// exposes it, the maximum MHz (else -1, osquery's "unknown"). A package whose
// processors run is populated and enabled: cpu_status 65 (0x41, SMBIOS's
// "socket populated, CPU enabled"); socket_designation names it by its
// physical id ("CPU 0").
#include <cmath>
#include <map>

#include "core/strings.h"
#include "sql/table.h"
#include "tables/proc_cpuinfo.h"
#include "tables/smbios_table.h"
#include "tables/sysfs_attributes.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

// osquery's device_id prefixes by SMBIOS processor type.
std::string DevicePrefix(uint8_t processor_type) {
  switch (processor_type) {
    case 3:
      return "CPU";
    case 4:
      return "MATH";
    case 5:
      return "DSP";
    case 6:
      return "GPU";
    default:
      return "";
  }
}

void EmitFromSmbios(const SmbiosTable& table, RowWriter& out) {
  int device_index = 0;
  for (const SmbiosStructure& s : table.structures()) {
    if (s.type != kSmbiosProcessorInformation || s.header_length < 0x1a) continue;
    Row& row = out.Add();
    uint8_t type = s.Byte(0x05).value_or(0);
    std::string prefix = DevicePrefix(type);
    if (!prefix.empty()) row.Set("device_id", prefix + std::to_string(device_index++));
    row.Set("socket_designation", s.StringAt(0x04));
    row.Set("model", s.StringAt(0x10));
    row.Set("manufacturer", s.StringAt(0x07));
    row.Set("processor_type", std::to_string(type));
    row.Set("cpu_status", s.Byte(0x18));
    row.Set("max_clock_speed", s.Word(0x14));
    row.Set("current_clock_speed", s.Word(0x16));
    if (auto cores = s.Byte(0x23)) row.Set("number_of_cores", std::to_string(*cores));
    row.Set("logical_processors", s.Byte(0x25));
    if (auto characteristics = s.Word(0x26))
      row.Set("address_width", (*characteristics & (1u << 2)) ? "64" : "32");
  }
}

void EmitFromCpuInfo(const HostFs& fs, RowWriter& out) {
  std::vector<CpuInfoProcessor> cpus = ReadCpuInfo(fs);
  // Packages in physical id order; processors without one form package "0".
  std::map<int64_t, std::vector<const CpuInfoProcessor*>> packages;
  for (const auto& cpu : cpus) packages[cpu.GetInteger("physical id").value_or(0)].push_back(&cpu);
  int device_index = 0;
  for (const auto& [physical_id, members] : packages) {
    const CpuInfoProcessor& first = *members.front();
    Row& row = out.Add();
    row.Set("device_id", "CPU" + std::to_string(device_index++));
    row.Set("socket_designation", "CPU " + std::to_string(physical_id));
    row.Set("cpu_status", int64_t{0x41});
    row.Set("model", first.Get("model name"));
    row.Set("manufacturer", first.Get("vendor_id"));
    row.Set("processor_type", "3");
    if (!first.Get("cpu cores").empty()) row.Set("number_of_cores", first.Get("cpu cores"));
    row.Set("logical_processors", static_cast<int64_t>(members.size()));
    std::string flags = " " + first.Get("flags") + " ";
    if (flags.find(" lm ") != std::string::npos) row.Set("address_width", "64");
    double mhz = 0;
    row.Set("current_clock_speed", ParseDouble(first.Get("cpu MHz"), &mhz)
                                       ? static_cast<int64_t>(std::llround(mhz))
                                       : int64_t{-1});
    // cpufreq reports kHz, per logical processor.
    auto khz = ReadIntegerAttribute(
        fs, "/sys/devices/system/cpu/cpu" + first.Get("processor") + "/cpufreq/cpuinfo_max_freq");
    row.Set("max_clock_speed", khz ? *khz / 1000 : int64_t{-1});
  }
}

}  // namespace

void RegisterCpuInfoTable(TableRegistry& registry) {
  registry.Add(TableSchema{"cpu_info",
                           "Processor packages: model, manufacturer, cores and clock speeds.",
                           {{"device_id", ColumnType::kText},
                            {"model", ColumnType::kText},
                            {"manufacturer", ColumnType::kText},
                            {"processor_type", ColumnType::kText},
                            {"cpu_status", ColumnType::kInteger},
                            {"number_of_cores", ColumnType::kText},
                            {"logical_processors", ColumnType::kInteger},
                            {"address_width", ColumnType::kText},
                            {"current_clock_speed", ColumnType::kInteger},
                            {"max_clock_speed", ColumnType::kInteger},
                            {"socket_designation", ColumnType::kText}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 SmbiosTable table = SmbiosTable::Read(ctx.fs());
                 size_t before = out.size();
                 EmitFromSmbios(table, out);
                 if (out.size() == before) EmitFromCpuInfo(ctx.fs(), out);
                 return Status::Ok();
               });
}

}  // namespace warden
