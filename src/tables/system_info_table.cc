// system_info: one row describing the machine. CPU columns come from
// /proc/cpuinfo (brand = "model name", subtype = "model", physical cores =
// distinct core ids, logical cores = processors, sockets = distinct physical
// ids), cpu_type is the machine architecture, physical_memory is MemTotal in
// bytes. Hardware and board columns come from SMBIOS types 1 and 2 (with
// osquery's Lenovo model/version swap), or from /sys/class/dmi/id when the
// raw table is not readable (it is root-only). uuid is the SMBIOS system
// UUID (/sys/class/dmi/id/product_uuid), upper case; a host without one (a
// container, some VMs) gets /etc/machine-id in UUID form instead of
// osquery's random per-install UUID. hostname is the kernel's host name;
// unlike osquery it is not expanded to an FQDN through DNS (a resolver
// lookup could stall the query).
#include <sys/utsname.h>

#include "core/strings.h"
#include "sql/table.h"
#include "tables/proc_cpuinfo.h"
#include "tables/smbios_table.h"
#include "tables/sysfs_attributes.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

std::string AsciiUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// SMBIOS 2.6+ stores the first three UUID fields little-endian.
std::string UuidFromSmbios(const SmbiosStructure& system) {
  if (system.formatted.size() < 0x18) return "";
  std::string_view b = system.formatted.substr(0x08, 16);
  bool all_zero = true, all_ff = true;
  for (char c : b) {
    all_zero = all_zero && c == '\0';
    all_ff = all_ff && static_cast<uint8_t>(c) == 0xff;
  }
  if (all_zero || all_ff) return "";  // "not present" / "not set"
  static constexpr int kOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  std::string out;
  char buf[3];
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    std::snprintf(buf, sizeof buf, "%02X", static_cast<uint8_t>(b[static_cast<size_t>(kOrder[i])]));
    out += buf;
  }
  return out;
}

// /etc/machine-id's 32 hex digits as 8-4-4-4-12; "" when malformed.
std::string UuidFromMachineId(std::string_view id) {
  if (id.size() != 32) return "";
  std::string out;
  for (size_t i = 0; i < 32; ++i) {
    char c = id[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return "";
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += c;
  }
  return AsciiUpper(out);
}

std::string HostUuid(const HostFs& fs, const SmbiosTable& smbios) {
  if (auto uuid = ReadAttribute(fs, "/sys/class/dmi/id/product_uuid"); uuid && uuid->size() == 36)
    return AsciiUpper(*uuid);
  if (const SmbiosStructure* system = smbios.FindFirst(kSmbiosSystemInformation)) {
    std::string uuid = UuidFromSmbios(*system);
    if (!uuid.empty()) return uuid;
  }
  if (auto machine_id = ReadAttribute(fs, "/etc/machine-id")) return UuidFromMachineId(*machine_id);
  return "";
}

std::string Hostname(const HostFs& fs) {
  if (auto name = ReadAttribute(fs, "/proc/sys/kernel/hostname"); name && !name->empty())
    return *name;
  if (auto name = ReadAttribute(fs, "/etc/hostname"); name && !name->empty()) return *name;
  return "";
}

std::string MachineArch(const HostFs& fs) {
  if (auto arch = ReadAttribute(fs, "/proc/sys/kernel/arch"); arch && !arch->empty()) return *arch;
  struct utsname u {};
  if (fs.is_live() && ::uname(&u) == 0) return u.machine;
  return "";
}

void SetHardware(const HostFs& fs, const SmbiosTable& smbios, Row& row) {
  std::string vendor, model, version, serial;
  if (const SmbiosStructure* system = smbios.FindFirst(kSmbiosSystemInformation)) {
    vendor = system->StringAt(0x04);
    model = system->StringAt(0x05);
    version = system->StringAt(0x06);
    serial = system->StringAt(0x07);
  } else {
    vendor = ReadAttribute(fs, "/sys/class/dmi/id/sys_vendor").value_or("");
    model = ReadAttribute(fs, "/sys/class/dmi/id/product_name").value_or("");
    version = ReadAttribute(fs, "/sys/class/dmi/id/product_version").value_or("");
    serial = ReadAttribute(fs, "/sys/class/dmi/id/product_serial").value_or("");
  }
  // Lenovo puts the marketing model in Version and a SKU in Product Name;
  // osquery swaps them so hardware_model reads like other vendors'.
  if (AsciiLower(vendor) == "lenovo") std::swap(model, version);
  row.Set("hardware_vendor", vendor);
  row.Set("hardware_model", model);
  row.Set("hardware_version", version);
  row.Set("hardware_serial", serial);

  std::string board_vendor, board_model, board_version, board_serial;
  if (const SmbiosStructure* board = smbios.FindFirst(kSmbiosBaseboardInformation)) {
    board_vendor = board->StringAt(0x04);
    board_model = board->StringAt(0x05);
    board_version = board->StringAt(0x06);
    board_serial = board->StringAt(0x07);
  } else {
    board_vendor = ReadAttribute(fs, "/sys/class/dmi/id/board_vendor").value_or("");
    board_model = ReadAttribute(fs, "/sys/class/dmi/id/board_name").value_or("");
    board_version = ReadAttribute(fs, "/sys/class/dmi/id/board_version").value_or("");
    board_serial = ReadAttribute(fs, "/sys/class/dmi/id/board_serial").value_or("");
  }
  row.Set("board_vendor", board_vendor);
  row.Set("board_model", board_model);
  row.Set("board_version", board_version);
  row.Set("board_serial", board_serial);
}

std::optional<int64_t> PhysicalMemoryBytes(const HostFs& fs) {
  auto text = fs.ReadFile("/proc/meminfo", 1 << 20);
  if (!text.ok()) return std::nullopt;
  for (std::string_view line : SplitString(*text, '\n')) {
    if (!StartsWith(line, "MemTotal:")) continue;
    auto parts = SplitWhitespace(line.substr(9));
    int64_t kib = 0;
    if (!parts.empty() && ParseInt64(parts[0], &kib)) return kib * 1024;
  }
  return std::nullopt;
}

}  // namespace

void RegisterSystemInfoTable(TableRegistry& registry) {
  registry.Add(TableSchema{"system_info",
                           "The machine's host name, CPU, memory, hardware model and UUID.",
                           {{"hostname", ColumnType::kText},
                            {"uuid", ColumnType::kText, kNone, "nocase"},
                            {"cpu_type", ColumnType::kText},
                            {"cpu_subtype", ColumnType::kText},
                            {"cpu_brand", ColumnType::kText},
                            {"cpu_physical_cores", ColumnType::kInteger},
                            {"cpu_logical_cores", ColumnType::kInteger},
                            {"cpu_sockets", ColumnType::kInteger},
                            {"cpu_microcode", ColumnType::kText},
                            {"physical_memory", ColumnType::kBigInt},
                            {"hardware_vendor", ColumnType::kText},
                            {"hardware_model", ColumnType::kText},
                            {"hardware_version", ColumnType::kText},
                            {"hardware_serial", ColumnType::kText},
                            {"board_vendor", ColumnType::kText},
                            {"board_model", ColumnType::kText},
                            {"board_version", ColumnType::kText},
                            {"board_serial", ColumnType::kText},
                            {"computer_name", ColumnType::kText},
                            {"local_hostname", ColumnType::kText}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 const HostFs& fs = ctx.fs();
                 SmbiosTable smbios = SmbiosTable::Read(fs);
                 std::vector<CpuInfoProcessor> cpus = ReadCpuInfo(fs);
                 Row& row = out.Add();
                 std::string hostname = Hostname(fs);
                 row.Set("hostname", hostname);
                 row.Set("computer_name", hostname);
                 row.Set("local_hostname", hostname);
                 row.Set("uuid", HostUuid(fs, smbios));
                 row.Set("cpu_type", MachineArch(fs));
                 row.Set("cpu_subtype", "0");
                 if (!cpus.empty()) {
                   const CpuInfoProcessor& first = cpus.front();
                   if (!first.Get("model").empty()) row.Set("cpu_subtype", first.Get("model"));
                   std::string brand = first.Get("model name");
                   if (brand.empty()) {
                     if (const SmbiosStructure* cpu = smbios.FindFirst(kSmbiosProcessorInformation))
                       brand = cpu->StringAt(0x10);
                   }
                   row.Set("cpu_brand", brand);
                   if (!first.Get("microcode").empty())
                     row.Set("cpu_microcode", first.Get("microcode"));
                   row.Set("cpu_logical_cores", static_cast<int64_t>(cpus.size()));
                   row.Set("cpu_physical_cores", CountPhysicalCores(cpus));
                   row.Set("cpu_sockets", CountSockets(cpus));
                 }
                 row.Set("physical_memory", PhysicalMemoryBytes(fs));
                 SetHardware(fs, smbios, row);
                 return Status::Ok();
               });
}

}  // namespace warden
