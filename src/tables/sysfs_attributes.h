// Reading sysfs (and procfs) attribute files through HostFs: one value per
// file, trailing newline and padding stripped. Shared by the device tables
// (pci_devices, usb_devices, block_devices, disk_encryption, system_info).
// A missing or unreadable attribute is std::nullopt, never an error: devices
// come and go while a table walks them, and many attributes only exist for
// some device kinds. Does not interpret values beyond numbers and links.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_fs.h"
#include "core/strings.h"

namespace warden {

// The file's text without leading/trailing whitespace; nullopt when the file
// cannot be read. Reads at most max_bytes (attributes are small).
std::optional<std::string> ReadAttribute(const HostFs& fs, std::string_view path,
                                         size_t max_bytes = 64 * 1024);
// The attribute parsed as an integer in `base` (16 accepts a "0x" prefix);
// nullopt when missing or not a number.
std::optional<int64_t> ReadIntegerAttribute(const HostFs& fs, std::string_view path, int base = 10);
// The last path component of a symlink's target ("../../bus/pci/drivers/ahci"
// gives "ahci"); nullopt when the path is not a readable link.
std::optional<std::string> ReadLinkBasename(const HostFs& fs, std::string_view path);
// Entry names of a directory in sorted order; empty when it cannot be listed.
std::vector<std::string> ListDirSorted(const HostFs& fs, std::string_view path);
// Parses KEY=value lines (a sysfs "uevent" file, a udev database entry with
// the "E:" prefix already removed by the caller, ...).
std::map<std::string, std::string> ParseKeyValueLines(std::string_view text);

}  // namespace warden
