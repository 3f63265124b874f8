// Md5Hex: the lower-case hex MD5 of a byte string, for the tables whose
// osquery schema carries an md5 column (acpi_tables, smbios_tables). Not for
// anything security-relevant: MD5 is there for compatibility only.
#pragma once

#include <string>
#include <string_view>

namespace warden {

std::string Md5Hex(std::string_view data);

}  // namespace warden
