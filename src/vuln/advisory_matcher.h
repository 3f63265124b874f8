// AdvisoryMatcher decides, for each installed package, which vendor records
// apply and what the vendor says about the installed version. It uses vendor
// data only - never upstream (NVD) version ranges - because distributions
// backport fixes: openssl 3.0.11-1~deb12u2 is fixed although upstream says
// "before 3.0.12". The rules:
//   - Debian/Ubuntu: records are keyed by *source* package; the installed
//     package's source version is compared (dpkg rules) with the record's,
//     in the host's release (codename for Debian, "22.04" for Ubuntu).
//     Ubuntu Pro records count only where no standard record exists.
//   - RPM families: records are keyed by *binary* name in the host's major
//     release; arch must match (or be unset, or the package noarch); the
//     flavour must match (a _fips or ksplice build is compared only with
//     records for that flavour); modular packages match only records of the
//     same module stream (and non-modular only non-modular records); full
//     epoch:version-release comparison (rpm rules).
//   - Statuses stay apart: a record says fixed (in a version), affected (no
//     fix), will-not-fix, deferred, under investigation or not-affected; an
//     installed version at or past the fix, outside an OSV range, or
//     not-affected yields no match.
//   - Kernel packages (linux-image-*, kernel-*) count only when they belong to
//     the running kernel: other installed kernels are not running code.
//   - One match per (binary package, CVE): when several records (feeds,
//     advisories) speak about the same pair, the primary feed decides
//     (Debian tracker before OSV; among one feed's records the one with a fix
//     the installed version lacks), the others add advisories and ratings.
// Severity: the vendor's rating first, then the CVSS v3 base score band.
// Thread-compatible; one matcher per FeedDatabase.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "vuln/feed_database.h"
#include "vuln/feed_record.h"
#include "vuln/scan_target.h"
#include "vuln/severity.h"

namespace warden {

struct VulnerabilityMatch {
  // The installed package.
  std::string package;  // binary package name
  std::string arch;
  std::string installed_version;  // dpkg version / rpm [epoch:]version-release
  std::string source_package;     // Debian source package; the rpm's own name otherwise
  std::string compared_version;   // the version compared with the feed (source version on Debian)
  // The verdict.
  std::string cve;
  VendorStatus status = VendorStatus::kAffected;
  std::string fixed_version;  // "" when no fix
  std::string vendor_status;
  Severity severity = Severity::kNone;
  bool severity_known = false;
  std::string vendor_severity;  // the vendor's own word
  double cvss_score = -1;
  std::string cvss_vector;
  std::string advisory;                 // primary advisory id ("" when none)
  std::vector<std::string> advisories;  // all advisory ids seen
  std::vector<std::string> feeds;       // feed sources that spoke
  std::string title;
  std::vector<std::string> links;
  std::string distro;
  std::string release;
  bool kernel = false;  // a running-kernel package
  // Internal: the documents (feed source, document id) whose title and link
  // this match shows, read in one ordered pass after matching.
  std::vector<std::pair<std::string, std::string>> documents;
};

// Every match for the target, sorted by package, then CVE.
Result<std::vector<VulnerabilityMatch>> MatchVulnerabilities(FeedDatabase& db,
                                                             const ScanTarget& target);

// The per-record verdict, exposed for tests: whether `installed` (compared
// with the record's scheme) is affected according to this record.
bool RecordAffectsVersion(const AffectedRecord& record, std::string_view installed);

// Whether a binary package is part of a kernel build, and if so whether it is
// the running kernel's (exposed for tests).
bool IsKernelPackage(const DebPackage& p);
bool IsKernelPackage(const RpmPackage& p);
bool BelongsToRunningKernel(const DebPackage& p, std::string_view running_kernel);
bool BelongsToRunningKernel(const RpmPackage& p, std::string_view running_kernel);

}  // namespace warden
