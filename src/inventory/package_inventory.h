// The installed-package inventory, shared by the SQL tables (deb_packages,
// rpm_packages) and the vulnerability matcher, so both always agree on what
// is installed. Reads dpkg's status database and rpm databases (BDB, NDB or
// SQLite, through librpm) under a HostFs root. Does not match or judge
// versions (that is src/vuln).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/host_fs.h"
#include "core/status.h"

namespace warden {

struct DebPackage {
  std::string name;            // binary package
  std::string version;         // full version: [epoch:]upstream[-revision]
  std::string arch;
  std::string source;          // source package (Source:, or the binary name)
  std::string source_version;  // from "Source: name (version)", else the binary version
  std::string status;          // e.g. "install ok installed"
  std::string maintainer;
  std::string section;
  std::string priority;
  std::string revision;        // Debian revision part of version ("" if none)
  int64_t installed_size = 0;  // KiB as dpkg records it
  std::string description;     // first line only
};

struct RpmPackage {
  std::string name;
  int64_t epoch = -1;  // -1 when the header has no epoch
  std::string version;
  std::string release;
  std::string arch;
  std::string source_rpm;
  std::string vendor;
  std::string package_group;
  std::string summary;
  std::string sha1;            // header SHA1 digest
  std::string module_stream;   // "nodejs:18" from the MODULARITYLABEL, "" when none
  int64_t size = 0;
  int64_t install_time = 0;
  // "[epoch:]version-release" as rpm compares it.
  std::string Evr() const;
};

// Packages dpkg considers installed (status "install ok installed" and
// other half-installed states are kept; status tells which). Zero packages
// when the host has no dpkg database.
Result<std::vector<DebPackage>> ReadDpkgStatus(const HostFs& fs);
// Parses the text of a dpkg status file; `origin` names it in errors.
Result<std::vector<DebPackage>> ParseDpkgStatus(std::string_view text, std::string_view origin);
// The files each package installed (from /var/lib/dpkg/info/<pkg>[:arch].list).
Result<std::vector<std::string>> ReadDpkgFileList(const HostFs& fs, const DebPackage& package);

// Packages in the rpm database under fs root (/var/lib/rpm or /usr/lib/sysimage/rpm).
// Zero packages when there is no rpm database; an error when one exists but
// cannot be read.
Result<std::vector<RpmPackage>> ReadRpmDatabase(const HostFs& fs);

}  // namespace warden
