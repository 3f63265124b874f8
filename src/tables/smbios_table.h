// SmbiosTable parses the SMBIOS/DMI structure table the kernel exports at
// /sys/firmware/dmi/tables/DMI: a sequence of structures, each a formatted
// area (4-byte header: type, length, handle; then type-specific fields) and a
// string set ending in a double NUL. Used by smbios_tables, platform_info
// (type 0), system_info (types 1 and 2) and cpu_info (type 4).
// It only reads the table file through HostFs; it never scans /dev/mem or EFI
// system tables for an entry point as osquery can (that needs raw memory
// access and does not work on a mounted image). A host without the file (most
// containers, some VMs) simply has no structures. Parsing stops at the first
// structure that does not fit in the data, so truncated or junk input yields
// the structures before it and never reads out of bounds.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_fs.h"

namespace warden {

// SMBIOS structure types the tables read.
inline constexpr uint8_t kSmbiosBiosInformation = 0;
inline constexpr uint8_t kSmbiosSystemInformation = 1;
inline constexpr uint8_t kSmbiosBaseboardInformation = 2;
inline constexpr uint8_t kSmbiosProcessorInformation = 4;
inline constexpr uint8_t kSmbiosEndOfTable = 127;

struct SmbiosStructure {
  uint8_t type = 0;
  uint8_t header_length = 0;  // length of the formatted area, header included
  uint16_t handle = 0;
  std::string_view formatted;             // the formatted area (header_length bytes)
  std::string_view raw;                   // formatted area + string set + terminating NULs
  std::vector<std::string_view> strings;  // the string set, 1-based in SMBIOS

  // A byte/word/dword of the formatted area at offset; nullopt when the
  // structure is too short to have that field (older SMBIOS versions).
  std::optional<uint8_t> Byte(size_t offset) const;
  std::optional<uint16_t> Word(size_t offset) const;
  std::optional<uint32_t> Dword(size_t offset) const;
  // The string a field at `offset` refers to, right-trimmed; "" when the field
  // is absent, 0 (no string) or points past the string set.
  std::string StringAt(size_t offset) const;
};

class SmbiosTable {
 public:
  // Parses raw table bytes (the contents of the DMI file).
  static SmbiosTable Parse(std::string data);
  // Reads /sys/firmware/dmi/tables/DMI; an empty table when it is absent or
  // unreadable.
  static SmbiosTable Read(const HostFs& fs);

  SmbiosTable(const SmbiosTable&) = delete;
  SmbiosTable& operator=(const SmbiosTable&) = delete;
  SmbiosTable(SmbiosTable&&) = default;
  SmbiosTable& operator=(SmbiosTable&&) = default;

  bool empty() const { return structures_.empty(); }
  // In table order. Views stay valid while this object lives.
  const std::vector<SmbiosStructure>& structures() const { return structures_; }
  // The first structure of a type, or nullptr.
  const SmbiosStructure* FindFirst(uint8_t type) const;

 private:
  SmbiosTable() = default;
  // Owned on the heap so the views survive moves of the SmbiosTable.
  std::unique_ptr<std::string> data_;
  std::vector<SmbiosStructure> structures_;
};

// osquery's description for a structure type ("BIOS Information"), or
// "Unknown".
std::string_view SmbiosTypeDescription(uint8_t type);

}  // namespace warden
