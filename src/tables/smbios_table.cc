#include "tables/smbios_table.h"

#include <memory>

#include "core/strings.h"

namespace warden {
namespace {

constexpr size_t kHeaderSize = 4;

uint8_t At(std::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

}  // namespace

std::optional<uint8_t> SmbiosStructure::Byte(size_t offset) const {
  if (offset + 1 > formatted.size()) return std::nullopt;
  return At(formatted, offset);
}

std::optional<uint16_t> SmbiosStructure::Word(size_t offset) const {
  if (offset + 2 > formatted.size()) return std::nullopt;
  return static_cast<uint16_t>(At(formatted, offset) | (At(formatted, offset + 1) << 8));
}

std::optional<uint32_t> SmbiosStructure::Dword(size_t offset) const {
  if (offset + 4 > formatted.size()) return std::nullopt;
  return static_cast<uint32_t>(At(formatted, offset)) |
         (static_cast<uint32_t>(At(formatted, offset + 1)) << 8) |
         (static_cast<uint32_t>(At(formatted, offset + 2)) << 16) |
         (static_cast<uint32_t>(At(formatted, offset + 3)) << 24);
}

std::string SmbiosStructure::StringAt(size_t offset) const {
  auto index = Byte(offset);
  if (!index || *index == 0 || *index > strings.size()) return "";
  std::string_view s = strings[*index - 1];
  // Vendors pad strings with trailing spaces.
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

SmbiosTable SmbiosTable::Parse(std::string data) {
  SmbiosTable table;
  table.data_ = std::make_unique<std::string>(std::move(data));
  std::string_view bytes = *table.data_;
  size_t pos = 0;
  while (pos + kHeaderSize <= bytes.size()) {
    uint8_t type = At(bytes, pos);
    uint8_t length = At(bytes, pos + 1);
    uint16_t handle = static_cast<uint16_t>(At(bytes, pos + 2) | (At(bytes, pos + 3) << 8));
    // Zero padding after the last structure, or a corrupt header.
    if (length < kHeaderSize || pos + length > bytes.size()) break;
    // The string set runs from the end of the formatted area to a double NUL.
    // With no strings the set is just the two NULs.
    size_t strings_start = pos + length;
    size_t terminator = bytes.find(std::string_view("\0\0", 2), strings_start);
    if (terminator == std::string_view::npos) break;  // truncated
    size_t end = terminator + 2;

    SmbiosStructure s;
    s.type = type;
    s.header_length = length;
    s.handle = handle;
    s.formatted = bytes.substr(pos, length);
    s.raw = bytes.substr(pos, end - pos);
    if (terminator > strings_start) {
      for (std::string_view str :
           SplitString(bytes.substr(strings_start, terminator - strings_start), '\0'))
        s.strings.push_back(str);
    }
    table.structures_.push_back(std::move(s));
    pos = end;
  }
  return table;
}

SmbiosTable SmbiosTable::Read(const HostFs& fs) {
  // The table is at most a few tens of KiB; 4 MiB bounds a corrupt file.
  auto data = fs.ReadFile("/sys/firmware/dmi/tables/DMI", 4u << 20);
  if (!data.ok()) return Parse(std::string());
  return Parse(std::move(data).value());
}

const SmbiosStructure* SmbiosTable::FindFirst(uint8_t type) const {
  for (const auto& s : structures_)
    if (s.type == type) return &s;
  return nullptr;
}

std::string_view SmbiosTypeDescription(uint8_t type) {
  switch (type) {
    case 0:
      return "BIOS Information";
    case 1:
      return "System Information";
    case 2:
      return "Base Board or Module Information";
    case 3:
      return "System Enclosure or Chassis";
    case 4:
      return "Processor Information";
    case 5:
      return "Memory Controller Information";
    case 6:
      return "Memory Module Information";
    case 7:
      return "Cache Information";
    case 8:
      return "Port Connector Information";
    case 9:
      return "System Slots";
    case 10:
      return "On Board Devices Information";
    case 11:
      return "OEM Strings";
    case 12:
      return "System Configuration Options";
    case 13:
      return "BIOS Language Information";
    case 14:
      return "Group Associations";
    case 15:
      return "System Event Log";
    case 16:
      return "Physical Memory Array";
    case 17:
      return "Memory Device";
    case 18:
      return "32-bit Memory Error Information";
    case 19:
      return "Memory Array Mapped Address";
    case 20:
      return "Memory Device Mapped Address";
    case 21:
      return "Built-in Pointing Device";
    case 22:
      return "Portable Battery";
    case 23:
      return "System Reset";
    case 24:
      return "Hardware Security";
    case 25:
      return "System Power Controls";
    case 26:
      return "Voltage Probe";
    case 27:
      return "Cooling Device";
    case 28:
      return "Temperature Probe";
    case 29:
      return "Electrical Current Probe";
    case 30:
      return "Out-of-Band Remote Access";
    case 31:
      return "Boot Integrity Services";
    case 32:
      return "System Boot Information";
    case 33:
      return "64-bit Memory Error Information";
    case 34:
      return "Management Device";
    case 35:
      return "Management Device Component";
    case 36:
      return "Management Device Threshold Data";
    case 37:
      return "Memory Channel";
    case 38:
      return "IPMI Device Information";
    case 39:
      return "System Power Supply";
    case 40:
      return "Additional Information";
    case 41:
      return "Onboard Devices Extended Info";
    case 126:
      return "Inactive";
    case 127:
      return "End-of-Table";
    case 130:
      return "Memory SPD Data";
    case 131:
      return "OEM Processor Type";
    case 132:
      return "OEM Processor Bus Speed";
    default:
      return "Unknown";
  }
}

}  // namespace warden
