// ScanTarget is what the vulnerability matcher needs to know about one host
// (live, a mounted image via --root, or a fixture tree): which distribution
// release it runs, in the feeds' own terms (Debian codename, Ubuntu
// "22.04", RPM major release), its installed packages (from the shared
// inventory, so `warden scan vulns` and the deb_packages/rpm_packages tables
// agree), and the running kernel. Read through HostFs only.
// It does not read feeds or judge versions.
#pragma once

#include <string>
#include <vector>

#include "core/host_fs.h"
#include "core/status.h"
#include "inventory/os_release.h"
#include "inventory/package_inventory.h"

namespace warden {

enum class PackageFamily { kDeb, kRpm };

struct ScanTarget {
  OsRelease os;
  std::string distro;   // feed distribution key: debian, ubuntu, ol, rhel, almalinux, rocky, amzn
  std::string release;  // feed release key: "bookworm", "22.04", "8"
  PackageFamily family = PackageFamily::kDeb;
  std::vector<DebPackage> debs;
  std::vector<RpmPackage> rpms;
  // `uname -r` of the running kernel (/proc/sys/kernel/osrelease). When the
  // root has no /proc (a mounted image), the newest installed kernel: the one
  // that would boot.
  std::string running_kernel;
  bool running_kernel_inferred = false;
};

// Maps an os-release identity onto the feeds' distribution/release keys.
// InvalidArgument naming the OS when Warden has no vendor feed for it.
Status ResolveDistro(const OsRelease& os, ScanTarget* target);

// Reads os-release, the package inventory and the running kernel under fs.
Result<ScanTarget> ReadScanTarget(const HostFs& fs);

// Fills running_kernel from the newest installed kernel when it is empty.
void InferRunningKernel(ScanTarget* target);

}  // namespace warden
