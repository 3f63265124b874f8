#include "vuln/scan_target.h"

#include "core/strings.h"
#include "version/version_compare.h"
#include "vuln/feed_record.h"

namespace warden {
namespace {

std::string Major(std::string_view version_id) {
  size_t dot = version_id.find('.');
  return std::string(dot == std::string_view::npos ? version_id : version_id.substr(0, dot));
}

bool IsDigitChar(char c) { return c >= '0' && c <= '9'; }

// The kernel image packages whose version names the kernel they boot.
bool IsRpmKernelImage(const RpmPackage& p) {
  return p.name == "kernel" || p.name == "kernel-core" || p.name == "kernel-uek" ||
         p.name == "kernel-uek-core" || p.name == "kernel-rt-core" || p.name == "kernel-64k-core";
}

}  // namespace

Status ResolveDistro(const OsRelease& os, ScanTarget* target) {
  target->os = os;
  const std::string& id = os.id;
  if (id == "debian") {
    target->family = PackageFamily::kDeb;
    target->distro = "debian";
    target->release = os.version_codename;
    if (target->release.empty())
      target->release = std::string(DebianCodename(Major(os.version_id)));
    // Debian unstable's os-release carries neither codename nor version.
    if (target->release.empty()) target->release = "sid";
    return Status::Ok();
  }
  if (id == "ubuntu") {
    target->family = PackageFamily::kDeb;
    target->distro = "ubuntu";
    target->release = os.version_id;
    if (target->release.empty()) return InvalidArgument("os-release: Ubuntu without VERSION_ID");
    return Status::Ok();
  }
  if (id == "ol" || id == "rhel" || id == "almalinux" || id == "rocky" || id == "amzn") {
    target->family = PackageFamily::kRpm;
    target->distro = id;
    target->release = Major(os.version_id);
    if (target->release.empty())
      return InvalidArgument("os-release: " + id + " without VERSION_ID");
    return Status::Ok();
  }
  return InvalidArgument("no vendor vulnerability feed for this OS (os-release ID=" +
                         (id.empty() ? std::string("<none>") : id) +
                         "); supported: debian, ubuntu, ol, rhel, almalinux, rocky, amzn");
}

void InferRunningKernel(ScanTarget* target) {
  if (!target->running_kernel.empty()) return;
  std::string best, best_version;
  if (target->family == PackageFamily::kDeb) {
    // linux-image-<uname -r>; the meta packages (linux-image-amd64) name no release.
    for (const DebPackage& p : target->debs) {
      if (!StartsWith(p.name, "linux-image-") || p.name.size() <= 12 || !IsDigitChar(p.name[12]))
        continue;
      if (best.empty() || CompareDebianVersions(p.version, best_version) > 0) {
        best = p.name.substr(12);
        if (EndsWith(best, "-unsigned")) best.resize(best.size() - 9);
        best_version = p.version;
      }
    }
  } else {
    for (const RpmPackage& p : target->rpms) {
      if (!IsRpmKernelImage(p)) continue;
      std::string evr = p.Evr();
      if (best.empty() || CompareRpmVersions(evr, best_version) > 0) {
        best = p.version + "-" + p.release + "." + p.arch;
        best_version = evr;
      }
    }
  }
  target->running_kernel = best;
  target->running_kernel_inferred = !best.empty();
}

Result<ScanTarget> ReadScanTarget(const HostFs& fs) {
  ScanTarget target;
  auto os = ReadOsRelease(fs);
  if (!os.ok())
    return Status(os.status().code(), "cannot identify the OS: " + os.status().message());
  RETURN_IF_ERROR(ResolveDistro(*os, &target));
  if (target.family == PackageFamily::kDeb) {
    ASSIGN_OR_RETURN(target.debs, ReadDpkgStatus(fs));
  } else {
    ASSIGN_OR_RETURN(target.rpms, ReadRpmDatabase(fs));
  }
  if (auto k = fs.ReadFile("/proc/sys/kernel/osrelease", 4096); k.ok())
    target.running_kernel = std::string(TrimWhitespace(*k));
  InferRunningKernel(&target);
  return target;
}

}  // namespace warden
