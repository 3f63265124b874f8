// The package group of tables: what software is installed and where it comes
// from (deb/rpm packages and their files, apt/yum sources, Python and npm
// packages, browser add-ons). Each table lives in its own <table>_table.cc;
// RegisterPackageTables (package_tables.cc) calls them all. deb_* and rpm_*
// read the shared inventory (src/inventory), so the tables and the
// vulnerability matcher always agree on what is installed.
//
// Also declares the few path helpers these tables share; they read only
// through HostFs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/host_fs.h"
#include "sql/table.h"

namespace warden {

void RegisterDebPackagesTable(TableRegistry& r);
void RegisterDebPackageFilesTable(TableRegistry& r);
void RegisterRpmPackagesTable(TableRegistry& r);
void RegisterRpmPackageFilesTable(TableRegistry& r);
void RegisterAptSourcesTable(TableRegistry& r);
void RegisterYumSourcesTable(TableRegistry& r);
void RegisterPythonPackagesTable(TableRegistry& r);
void RegisterNpmPackagesTable(TableRegistry& r);
void RegisterChromeExtensionsTable(TableRegistry& r);
void RegisterFirefoxAddonsTable(TableRegistry& r);

// dir + "/" + name without doubled or trailing slashes ("/" + "etc" = "/etc").
std::string JoinHostPath(std::string_view dir, std::string_view name);

// The existing host paths matching a pattern whose components may hold
// shell wildcards ("/usr/lib/python3*/dist-packages"), sorted. Wildcards
// never match "/" or a leading "."; directories that cannot be listed are
// skipped. Reads through fs.
std::vector<std::string> ExpandHostPattern(const HostFs& fs, std::string_view pattern);

}  // namespace warden
