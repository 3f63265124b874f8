// The normalised shape every feed importer produces, whatever the vendor's
// format: one AffectedRecord per (CVE, distribution release, package, variant)
// with the vendor's verdict, plus per-CVE details. Importers hand records to a
// FeedSink; the feed database is one sink, tests and fuzzers use another. The
// record keeps vendor statuses apart (fixed, affected without fix, will not
// fix, deferred, not affected, under investigation) instead of folding them
// into "vulnerable or not": that is the matcher's job, per installed package.
// This file holds no logic beyond naming.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace warden {

// The vendor's verdict for one package in one release.
enum class VendorStatus {
  kFixed,               // fixed in `fixed_version`; older versions are affected
  kAffected,            // affected, no fix published yet
  kWillNotFix,          // the vendor decided not to fix (Debian "ignored"/"unimportant")
  kDeferred,            // fix postponed (Debian "postponed", Red Hat "deferred")
  kNotAffected,         // never affected in this release
  kUnderInvestigation,  // not yet triaged (Debian "undetermined")
};

std::string_view VendorStatusName(VendorStatus status);  // "fixed", "will_not_fix", ...
std::optional<VendorStatus> ParseVendorStatusName(std::string_view name);

// Which comparator and package identity a record uses.
enum class PackageScheme {
  kDebSource,  // Debian/Ubuntu: `package` is the source package, versions are source versions
  kRpmBinary,  // RPM families: `package` is the binary name, versions are [epoch:]version-release
};

struct AffectedRecord {
  std::string source;    // the feed: "debian-tracker", "osv-debian", "oracle-elsa", ...
  std::string document;  // what a re-import replaces: OSV id, ELSA id, "pkg/CVE" for the tracker
  std::string distro;    // "debian", "ubuntu", "ol", "almalinux", "rocky", "rhel"
  std::string release;   // Debian codename ("bookworm"), Ubuntu "22.04", RPM major ("8")
  std::string package;
  PackageScheme scheme = PackageScheme::kDebSource;
  std::string arch;           // RPM only; "" applies to every arch
  std::string flavour;        // "", "fips", "ksplice", "pro" (Ubuntu Pro)
  std::string module_stream;  // "nodejs:18"; "" for non-modular packages
  std::string vuln_id;        // CVE-YYYY-N (or the feed's id when it has no CVE)
  std::string advisory;       // DSA-3029-1, ELSA-2018-4250, USN-..., "" when none
  VendorStatus status = VendorStatus::kAffected;
  std::string introduced;       // first affected version ("" or "0": from the beginning)
  std::string fixed_version;    // with kFixed
  std::string last_affected;    // OSV "last_affected": versions after it are not affected
  std::string vendor_status;    // the feed's own words ("open", "postponed", "ignored: minor")
  std::string vendor_severity;  // the vendor's rating word as published ("high**", "IMPORTANT")
  double cvss_score = -1;       // -1 when the feed has none
  std::string cvss_vector;
  std::string title;  // short description (advisory title or first line)
  std::string link;   // the vendor's page for this advisory or CVE
};

// Told how many bytes of the current input an importer has consumed.
using ProgressFn = std::function<void(uint64_t bytes_done)>;

// Receives what an importer parses. Returning a non-OK status stops the import.
class FeedSink {
 public:
  virtual ~FeedSink() = default;
  // Called before the records of `document` (replaces what an earlier import
  // stored for it).
  virtual Status BeginDocument(std::string_view source, std::string_view document) = 0;
  virtual Status Add(const AffectedRecord& record) = 0;
  // The feed's own timestamp (epoch seconds) when the format carries one.
  virtual void SetFeedTime(std::string_view /*source*/, int64_t /*epoch_seconds*/) {}
};

// The Debian codename of a numeric release ("12" -> "bookworm"), "" when unknown.
std::string_view DebianCodename(std::string_view version_number);

}  // namespace warden
