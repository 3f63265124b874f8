#include "vuln/advisory_matcher.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/strings.h"
#include "version/version_compare.h"

namespace warden {
namespace {

int CompareFor(PackageScheme scheme, std::string_view a, std::string_view b) {
  return scheme == PackageScheme::kRpmBinary ? CompareRpmVersions(a, b)
                                             : CompareDebianVersions(a, b);
}

// Lower sorts first = decides. The tracker is Debian's primary data; OSV
// records derived from it add advisory ids. Ubuntu Pro (ESM) records only
// matter where the standard archive has nothing.
int SourcePriority(const AffectedRecord& r) {
  int p = StartsWith(r.source, "osv-") ? 1 : 0;
  if (r.flavour == "pro") p += 2;
  return p;
}

// Among the vulnerable verdicts one feed gives, which status decides.
int StatusRank(VendorStatus s) {
  switch (s) {
    case VendorStatus::kFixed:
      return 0;
    case VendorStatus::kAffected:
      return 1;
    case VendorStatus::kDeferred:
      return 2;
    case VendorStatus::kUnderInvestigation:
      return 3;
    case VendorStatus::kWillNotFix:
      return 4;
    case VendorStatus::kNotAffected:
      return 5;
  }
  return 5;
}

std::string RpmFlavour(const RpmPackage& p) {
  if (p.release.find("ksplice") != std::string::npos) return "ksplice";
  if (p.release.find("_fips") != std::string::npos) return "fips";
  return {};
}

bool RpmIsModular(const RpmPackage& p) {
  return !p.module_stream.empty() || p.release.find(".module") != std::string::npos;
}

bool RecordIsModular(const AffectedRecord& r) {
  return !r.module_stream.empty() || r.fixed_version.find(".module") != std::string::npos;
}

bool RpmRecordApplies(const AffectedRecord& r, const RpmPackage& p) {
  if (!r.arch.empty() && r.arch != p.arch && p.arch != "noarch") return false;
  if (r.flavour != RpmFlavour(p)) return false;
  if (RecordIsModular(r) != RpmIsModular(p)) return false;
  if (!r.module_stream.empty() && !p.module_stream.empty() && r.module_stream != p.module_stream)
    return false;
  return true;
}

std::string VendorTrackerLink(const std::string& distro, const std::string& cve) {
  if (!StartsWith(cve, "CVE-")) return {};
  if (distro == "debian") return "https://security-tracker.debian.org/tracker/" + cve;
  if (distro == "ubuntu") return "https://ubuntu.com/security/" + cve;
  if (distro == "ol") return "https://linux.oracle.com/cve/" + cve + ".html";
  if (distro == "rhel") return "https://access.redhat.com/security/cve/" + cve;
  if (distro == "almalinux") return "https://errata.almalinux.org/";
  if (distro == "rocky") return "https://errata.rockylinux.org/";
  return {};
}

void AddUnique(std::vector<std::string>* list, const std::string& v) {
  if (!v.empty() && std::find(list->begin(), list->end(), v) == list->end()) list->push_back(v);
}

// The records one installed package sees, grouped per CVE, then merged.
Status MergeIntoMatches(const std::vector<const AffectedRecord*>& records,
                        std::string_view compared_version, PackageScheme scheme,
                        const VulnerabilityMatch& base, std::vector<VulnerabilityMatch>* out) {
  std::map<std::string, std::vector<const AffectedRecord*>> by_cve;
  for (const AffectedRecord* r : records) by_cve[r->vuln_id].push_back(r);
  for (auto& [cve, list] : by_cve) {
    // The deciding feed: the highest-priority one that has any record.
    int best_priority = 100;
    for (const AffectedRecord* r : list)
      best_priority = std::min(best_priority, SourcePriority(*r));
    const AffectedRecord* decider = nullptr;
    for (const AffectedRecord* r : list) {
      if (SourcePriority(*r) != best_priority || !RecordAffectsVersion(*r, compared_version))
        continue;
      if (decider == nullptr || StatusRank(r->status) < StatusRank(decider->status) ||
          (r->status == decider->status && r->status == VendorStatus::kFixed &&
           CompareFor(scheme, r->fixed_version, decider->fixed_version) > 0)) {
        decider = r;  // with several fixes, the newest one fixes them all
      }
    }
    if (decider == nullptr) continue;  // fixed, out of range or not affected per the primary feed
    VulnerabilityMatch m = base;
    m.cve = cve;
    m.status = decider->status;
    m.fixed_version = decider->status == VendorStatus::kFixed ? decider->fixed_version : "";
    m.vendor_status = decider->vendor_status;
    m.distro = decider->distro;
    m.release = decider->release;
    // Advisories, ratings and links from every record about this pair; the
    // decider's first.
    std::vector<const AffectedRecord*> ordered = {decider};
    for (const AffectedRecord* r : list)
      if (r != decider) ordered.push_back(r);
    for (const AffectedRecord* r : ordered) {
      AddUnique(&m.feeds, r->source);
      if (r->status != VendorStatus::kFixed || m.fixed_version.empty() ||
          r->fixed_version == m.fixed_version || r == decider)
        AddUnique(&m.advisories, r->advisory);
      if (m.vendor_severity.empty()) {
        if (ParseVendorSeverity(r->vendor_severity)) m.vendor_severity = r->vendor_severity;
      }
      if (r->cvss_score > m.cvss_score) {
        m.cvss_score = r->cvss_score;
        m.cvss_vector = r->cvss_vector;
      }
    }
    if (m.vendor_severity.empty() && !decider->vendor_severity.empty())
      m.vendor_severity = decider->vendor_severity;
    m.advisory = m.advisories.empty() ? "" : m.advisories.front();
    if (auto s = ParseVendorSeverity(m.vendor_severity)) {
      m.severity = *s;
      m.severity_known = true;
    } else if (m.cvss_score >= 0) {
      m.severity = SeverityFromCvssScore(m.cvss_score);
      m.severity_known = true;
    }
    if (StartsWith(cve, "CVE-")) AddUnique(&m.links, "https://nvd.nist.gov/vuln/detail/" + cve);
    AddUnique(&m.links, VendorTrackerLink(m.distro, cve));
    // Titles and advisory links are read later (FillDocumentTexts), only for
    // the records that made a finding: most records of a package do not.
    for (const AffectedRecord* r : ordered) {
      const bool contributes =
          std::find(m.advisories.begin(), m.advisories.end(), r->advisory) != m.advisories.end();
      if (r == decider || contributes) m.documents.emplace_back(r->source, r->document);
    }
    out->push_back(std::move(m));
  }
  return Status::Ok();
}

// Reads each needed document once, in key order (neighbouring documents share
// database pages), and fills titles and advisory links.
Status FillDocumentTexts(FeedDatabase& db, std::vector<VulnerabilityMatch>* matches) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& m : *matches) keys.insert(keys.end(), m.documents.begin(), m.documents.end());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<std::pair<std::string, std::string>> texts(keys.size());  // title, link
  for (size_t i = 0; i < keys.size(); ++i)
    RETURN_IF_ERROR(
        db.DocumentText(keys[i].first, keys[i].second, &texts[i].first, &texts[i].second));
  for (auto& m : *matches) {
    for (const auto& key : m.documents) {
      size_t i =
          static_cast<size_t>(std::lower_bound(keys.begin(), keys.end(), key) - keys.begin());
      if (m.title.empty()) m.title = texts[i].first;
      AddUnique(&m.links, texts[i].second);
    }
    m.documents.clear();
  }
  return Status::Ok();
}

constexpr std::string_view kDebKernelBinaryPrefixes[] = {
    "linux-image-",       "linux-modules-",   "linux-headers-",  "linux-tools-",
    "linux-cloud-tools-", "linux-buildinfo-", "linux-kbuild-",   "linux-libc-dev",
    "linux-perf",         "linux-support-",   "linux-compiler-", "linux-doc",
    "linux-source",       "linux-bpf-dev",    "linux-config-",   "linux-kernel-headers"};

// Signed kernel images are built from a wrapper source package
// (linux-signed-amd64 6.1.76+1) whose version is not the kernel's; the
// feeds track the kernel source ("linux" 6.1.76-1), which is also the
// image's own binary version. Ubuntu: linux-signed-hwe-6.5 -> linux-hwe-6.5.
std::string UnsignedKernelSource(std::string_view source) {
  std::string rest(source.substr(std::string_view("linux-signed").size()));
  for (std::string_view arch : {"-amd64", "-arm64", "-i386", "-armhf", "-armel", "-ppc64el",
                                "-s390x", "-mips64el", "-riscv64", "-loong64"}) {
    if (rest == arch) return "linux";
  }
  return "linux" + rest;
}

}  // namespace

bool RecordAffectsVersion(const AffectedRecord& r, std::string_view installed) {
  if (r.status == VendorStatus::kNotAffected) return false;
  if (!r.introduced.empty() && CompareFor(r.scheme, installed, r.introduced) < 0) return false;
  if (!r.last_affected.empty() && CompareFor(r.scheme, installed, r.last_affected) > 0)
    return false;
  if (r.status == VendorStatus::kFixed) return CompareFor(r.scheme, installed, r.fixed_version) < 0;
  return true;
}

bool IsKernelPackage(const DebPackage& p) {
  const std::string& src = p.source.empty() ? p.name : p.source;
  if (src != "linux" && !StartsWith(src, "linux-")) return false;
  for (std::string_view prefix : kDebKernelBinaryPrefixes)
    if (StartsWith(p.name, prefix)) return true;
  return false;
}

bool IsKernelPackage(const RpmPackage& p) {
  return p.name == "kernel" || StartsWith(p.name, "kernel-");
}

bool BelongsToRunningKernel(const DebPackage& p, std::string_view running_kernel) {
  // linux-image-6.1.0-18-amd64, linux-headers-6.1.0-18-amd64, linux-modules-5.15.0-91-generic.
  return !running_kernel.empty() && p.name.find(running_kernel) != std::string::npos;
}

bool BelongsToRunningKernel(const RpmPackage& p, std::string_view running_kernel) {
  if (running_kernel.empty()) return false;
  // uname -r of an rpm kernel is version-release.arch (plus "+debug" for debug kernels).
  std::string vr = p.version + "-" + p.release;
  return running_kernel == vr || StartsWith(running_kernel, vr + ".") ||
         StartsWith(running_kernel, vr + "+");
}

Result<std::vector<VulnerabilityMatch>> MatchVulnerabilities(FeedDatabase& db,
                                                             const ScanTarget& target) {
  std::vector<VulnerabilityMatch> out;
  std::vector<AffectedRecord> records;
  std::vector<const AffectedRecord*> applicable;
  if (target.family == PackageFamily::kDeb) {
    // Which source each eligible binary is judged as; then every source is
    // looked up once (many binaries share one), in key order so consecutive
    // lookups share database pages.
    struct Eligible {
      const DebPackage* package;
      std::string source;
      std::string compared;
      bool kernel;
    };
    std::vector<Eligible> eligible;
    for (const DebPackage& p : target.debs) {
      if (!p.IsUnpacked()) continue;  // removed, only conffiles left: no code on disk
      const bool kernel = IsKernelPackage(p);
      if (kernel && !BelongsToRunningKernel(p, target.running_kernel)) continue;
      std::string source = p.source.empty() ? p.name : p.source;
      std::string compared = p.source_version.empty() ? p.version : p.source_version;
      if (StartsWith(source, "linux-signed")) {
        source = UnsignedKernelSource(source);
        compared = p.version;
      }
      eligible.push_back({&p, std::move(source), std::move(compared), kernel});
    }
    std::vector<std::string> sources;
    for (const Eligible& e : eligible) sources.push_back(e.source);
    std::sort(sources.begin(), sources.end());
    sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
    std::unordered_map<std::string, std::vector<AffectedRecord>> by_source;
    for (const std::string& source : sources) {
      std::vector<AffectedRecord> found;
      RETURN_IF_ERROR(db.Lookup(target.distro, target.release, source, &found));
      if (!found.empty()) by_source.emplace(source, std::move(found));
    }
    for (const Eligible& e : eligible) {
      const DebPackage& p = *e.package;
      auto it = by_source.find(e.source);
      if (it == by_source.end()) continue;
      applicable.clear();
      for (const AffectedRecord& r : it->second) {
        if (r.scheme != PackageScheme::kDebSource) continue;
        if (!r.flavour.empty() && r.flavour != "pro") continue;  // FIPS kernels need a FIPS host
        applicable.push_back(&r);
      }
      VulnerabilityMatch base;
      base.package = p.name;
      base.arch = p.arch;
      base.installed_version = p.version;
      base.source_package = e.source;
      base.compared_version = e.compared;
      base.kernel = e.kernel;
      RETURN_IF_ERROR(MergeIntoMatches(applicable, base.compared_version, PackageScheme::kDebSource,
                                       base, &out));
    }
  } else {
    // In name order, so consecutive lookups share database pages.
    std::vector<const RpmPackage*> ordered_rpms;
    for (const RpmPackage& p : target.rpms) ordered_rpms.push_back(&p);
    std::sort(ordered_rpms.begin(), ordered_rpms.end(),
              [](const RpmPackage* a, const RpmPackage* b) { return a->name < b->name; });
    for (const RpmPackage* rpm : ordered_rpms) {
      const RpmPackage& p = *rpm;
      if (p.name == "gpg-pubkey") continue;  // signing keys, not software
      const bool kernel = IsKernelPackage(p);
      if (kernel && !BelongsToRunningKernel(p, target.running_kernel)) continue;
      records.clear();
      RETURN_IF_ERROR(db.Lookup(target.distro, target.release, p.name, &records));
      if (records.empty()) continue;
      applicable.clear();
      for (const AffectedRecord& r : records)
        if (r.scheme == PackageScheme::kRpmBinary && RpmRecordApplies(r, p))
          applicable.push_back(&r);
      VulnerabilityMatch base;
      base.package = p.name;
      base.arch = p.arch;
      base.installed_version = p.Evr();
      base.source_package = p.name;
      // rpm treats a missing epoch as 0 when comparing; say so explicitly.
      base.compared_version =
          (p.epoch >= 0 ? std::to_string(p.epoch) : "0") + ":" + p.version + "-" + p.release;
      base.kernel = kernel;
      RETURN_IF_ERROR(MergeIntoMatches(applicable, base.compared_version, PackageScheme::kRpmBinary,
                                       base, &out));
    }
  }
  RETURN_IF_ERROR(FillDocumentTexts(db, &out));
  std::sort(out.begin(), out.end(), [](const VulnerabilityMatch& a, const VulnerabilityMatch& b) {
    if (a.package != b.package) return a.package < b.package;
    if (a.arch != b.arch) return a.arch < b.arch;
    return a.cve < b.cve;
  });
  return out;
}

}  // namespace warden
