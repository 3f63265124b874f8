// OsRelease reads the OS identity from /etc/os-release (falling back to
// /usr/lib/os-release), as the os_version table and the vulnerability matcher
// need it: ID, VERSION_ID, codename, ID_LIKE. Read through HostFs so a mounted
// image or fixture tree can be identified. Does not guess from other files.
#pragma once

#include <map>
#include <string>

#include "core/host_fs.h"
#include "core/status.h"

namespace warden {

struct OsRelease {
  std::string id;       // "debian", "ubuntu", "ol", "rhel", "almalinux", "rocky", "amzn"
  std::string id_like;  // "rhel fedora"
  std::string name;     // "Debian GNU/Linux"
  std::string pretty_name;
  std::string version;           // "12 (bookworm)"
  std::string version_id;        // "12"
  std::string version_codename;  // "bookworm"
  std::string platform_id;       // "platform:el9"
  std::string build_id;
  std::map<std::string, std::string> fields;  // every KEY=value, unquoted
};

Result<OsRelease> ReadOsRelease(const HostFs& fs);
// Parses os-release text (KEY=value lines, shell-style quoting).
OsRelease ParseOsRelease(std::string_view text);

}  // namespace warden
