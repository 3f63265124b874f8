// The installed-package inventory, shared by the SQL tables (deb_packages,
// rpm_packages) and the vulnerability matcher, so both always agree on what
// is installed. Reads dpkg's status database and rpm databases (through
// librpm: SQLite and Berkeley DB; NDB only where librpm was built with it,
// which Debian's is not, so an NDB database is reported as unreadable) under
// a HostFs root. Does not match or judge versions (that is src/vuln).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_fs.h"
#include "core/status.h"

namespace warden {

struct DebPackage {
  std::string name;     // binary package
  std::string version;  // full version: [epoch:]upstream[-revision]
  std::string arch;
  std::string source;          // source package (Source:, or the binary name)
  std::string source_version;  // from "Source: name (version)", else the binary version
  std::string status;          // e.g. "install ok installed"
  std::string maintainer;
  std::string section;
  std::string priority;
  std::string revision;        // Debian revision part of version ("" if none)
  int64_t installed_size = 0;  // KiB as dpkg records it (0 when the field is absent)
  std::string description;     // first line only
  // Added for the tables: the Source: field verbatim ("" when absent), which is
  // what osquery's deb_packages.source shows; and Multi-Arch, which decides
  // whether dpkg names the file list "<name>.list" or "<name>:<arch>.list".
  std::string source_field;
  std::string multi_arch;

  // The dpkg state: the third word of status ("installed", "config-files",
  // "half-installed", "unpacked", "half-configured", "triggers-awaited",
  // "triggers-pending").
  std::string_view State() const;
  // True when the package's files are (at least partly) on disk: every state
  // except "config-files", where only conffiles remain after a removal.
  // A vulnerability matcher should skip packages for which this is false.
  bool IsUnpacked() const;
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
  std::string sha1;           // header SHA1 digest
  std::string module_stream;  // "nodejs:18" from the MODULARITYLABEL, "" when none
  int64_t size = 0;
  int64_t install_time = 0;
  // "[epoch:]version-release" as rpm compares it.
  std::string Evr() const;
};

// One file an rpm package owns, from the package's header in the database.
struct RpmFile {
  std::string package;  // the owning package's name
  std::string path;
  std::string username;
  std::string groupname;
  uint32_t mode = 0;  // st_mode bits as rpm records them
  int64_t size = 0;
  std::string digest;       // hex file digest ("" for directories, links...)
  std::string digest_algo;  // "sha256", "md5", "sha1", "sha512"... ("" when unknown)
};

// The default dpkg administrative directory.
inline constexpr std::string_view kDpkgAdminDir = "/var/lib/dpkg";

// Packages the dpkg database knows, exactly the set `dpkg-query -W` lists
// (and osquery's deb_packages returns): every package whose state is not
// "not-installed". That includes "config-files" (removed, conffiles kept)
// and half-installed states; `status` tells which, IsUnpacked() filters.
// Read from <admindir>/status with the journal <admindir>/updates/NNNN
// applied on top, as dpkg does after an interrupted run. Zero packages when
// the host has no dpkg database (no status file); an error when it exists but
// cannot be read or is not a status file. `admindir` is a host path.
Result<std::vector<DebPackage>> ReadDpkgStatus(const HostFs& fs);
Result<std::vector<DebPackage>> ReadDpkgStatus(const HostFs& fs, std::string_view admindir);
// Parses the text of a dpkg status file (same selection as ReadDpkgStatus,
// without the journal); `origin` names it in errors. Fails only on text that
// is not a status file at all (binary data); damaged paragraphs are skipped.
Result<std::vector<DebPackage>> ParseDpkgStatus(std::string_view text, std::string_view origin);
// The files each package installed (from <admindir>/info/<pkg>[:arch].list),
// in file order, including dpkg's "/." entry. Empty when dpkg keeps no list
// (config-files packages, or the list was removed).
Result<std::vector<std::string>> ReadDpkgFileList(const HostFs& fs, const DebPackage& package);
Result<std::vector<std::string>> ReadDpkgFileList(const HostFs& fs, const DebPackage& package,
                                                  std::string_view admindir);

// Packages in the rpm database under fs root (/var/lib/rpm or /usr/lib/sysimage/rpm).
// Zero packages when there is no rpm database; an error when one exists but
// cannot be read.
// librpm is not thread-safe (global macro and log state), so every call below
// takes one process-wide lock; rpm's configuration is read once.
Result<std::vector<RpmPackage>> ReadRpmDatabase(const HostFs& fs);
// Only the packages with these names (looked up through rpm's name index).
Result<std::vector<RpmPackage>> ReadRpmDatabase(const HostFs& fs,
                                                const std::vector<std::string>& names);
// The files of every package, or of the named packages only when `names` is
// not empty. Same database selection and errors as ReadRpmDatabase.
Result<std::vector<RpmFile>> ReadRpmFiles(const HostFs& fs, const std::vector<std::string>& names);
// The host path of the rpm database directory ReadRpmDatabase would read
// ("/usr/lib/sysimage/rpm" or "/var/lib/rpm"), or "" when there is none.
std::string FindRpmDatabaseDir(const HostFs& fs);

}  // namespace warden
