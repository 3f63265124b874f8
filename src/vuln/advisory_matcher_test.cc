#include "vuln/advisory_matcher.h"

#include <gtest/gtest.h>

#include "vuln/vuln_test_util.h"

namespace warden {
namespace {

using testing::DebRecord;
using testing::RpmRecord;
using testing::TempDir;
using testing::WriteFeedDatabase;

DebPackage Deb(const std::string& name, const std::string& version, const std::string& source = "",
               const std::string& source_version = "") {
  DebPackage p;
  p.name = name;
  p.version = version;
  p.arch = "amd64";
  p.source = source.empty() ? name : source;
  p.source_version = source_version.empty() ? version : source_version;
  p.status = "install ok installed";
  return p;
}

RpmPackage Rpm(const std::string& name, int64_t epoch, const std::string& version,
               const std::string& release, const std::string& arch = "x86_64",
               const std::string& module_stream = "") {
  RpmPackage p;
  p.name = name;
  p.epoch = epoch;
  p.version = version;
  p.release = release;
  p.arch = arch;
  p.module_stream = module_stream;
  return p;
}

ScanTarget DebianTarget(std::vector<DebPackage> debs,
                        const std::string& kernel = "6.1.0-18-amd64") {
  ScanTarget t;
  t.family = PackageFamily::kDeb;
  t.distro = "debian";
  t.release = "bookworm";
  t.debs = std::move(debs);
  t.running_kernel = kernel;
  return t;
}

ScanTarget OracleTarget(std::vector<RpmPackage> rpms, const std::string& kernel = "") {
  ScanTarget t;
  t.family = PackageFamily::kRpm;
  t.distro = "ol";
  t.release = "8";
  t.rpms = std::move(rpms);
  t.running_kernel = kernel;
  return t;
}

std::vector<VulnerabilityMatch> Match(const std::vector<AffectedRecord>& records,
                                      const ScanTarget& target) {
  TempDir dir;
  auto db = FeedDatabase::OpenReadOnly(WriteFeedDatabase(dir, records));
  EXPECT_TRUE(db.ok()) << db.status().message();
  if (!db.ok()) return {};
  auto matches = MatchVulnerabilities(**db, target);
  EXPECT_TRUE(matches.ok()) << matches.status().message();
  return matches.ok() ? *matches : std::vector<VulnerabilityMatch>{};
}

TEST(AdvisoryMatcherTest, DebianMatchesBySourcePackageAndSourceVersion) {
  // libsope1's binary version carries a binNMU suffix; the tracker speaks of the source version.
  auto matches = Match(
      {DebRecord("sope", "bookworm", "CVE-2025-53603", VendorStatus::kFixed, "5.8.0-1+deb12u1")},
      DebianTarget({Deb("libsope1", "5.8.0-1+b1", "sope", "5.8.0-1")}));
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].package, "libsope1");
  EXPECT_EQ(matches[0].source_package, "sope");
  EXPECT_EQ(matches[0].installed_version, "5.8.0-1+b1");
  EXPECT_EQ(matches[0].compared_version, "5.8.0-1");
  EXPECT_EQ(matches[0].status, VendorStatus::kFixed);
  EXPECT_EQ(matches[0].fixed_version, "5.8.0-1+deb12u1");
}

TEST(AdvisoryMatcherTest, InstalledFixedVersionIsNotAFinding) {
  auto matches = Match(
      {DebRecord("sope", "bookworm", "CVE-2025-53603", VendorStatus::kFixed, "5.8.0-1+deb12u1")},
      DebianTarget({Deb("libsope1", "5.8.0-1+deb12u1", "sope")}));
  EXPECT_TRUE(matches.empty());
}

TEST(AdvisoryMatcherTest, OtherReleasesRecordsDoNotApply) {
  auto matches = Match(
      {DebRecord("sope", "bullseye", "CVE-2025-53603", VendorStatus::kFixed, "5.0.1-2+deb11u1")},
      DebianTarget({Deb("sope", "5.0.1-2")}));
  EXPECT_TRUE(matches.empty());
}

TEST(AdvisoryMatcherTest, StatusesAreKeptApart) {
  std::vector<AffectedRecord> records = {
      DebRecord("a", "bookworm", "CVE-2024-1", VendorStatus::kAffected),
      DebRecord("b", "bookworm", "CVE-2024-2", VendorStatus::kWillNotFix),
      DebRecord("c", "bookworm", "CVE-2024-3", VendorStatus::kDeferred),
      DebRecord("d", "bookworm", "CVE-2024-4", VendorStatus::kUnderInvestigation),
      DebRecord("e", "bookworm", "CVE-2024-5", VendorStatus::kNotAffected)};
  auto matches = Match(records, DebianTarget({Deb("a", "1"), Deb("b", "1"), Deb("c", "1"),
                                              Deb("d", "1"), Deb("e", "1")}));
  ASSERT_EQ(matches.size(), 4u);
  EXPECT_EQ(matches[0].status, VendorStatus::kAffected);
  EXPECT_EQ(matches[1].status, VendorStatus::kWillNotFix);
  EXPECT_EQ(matches[2].status, VendorStatus::kDeferred);
  EXPECT_EQ(matches[3].status, VendorStatus::kUnderInvestigation);
  for (const auto& m : matches) EXPECT_EQ(m.fixed_version, "");
}

TEST(AdvisoryMatcherTest, TrackerDecidesAndOsvAddsTheAdvisory) {
  AffectedRecord tracker =
      DebRecord("nginx", "bookworm", "CVE-2014-3616", VendorStatus::kFixed, "1.2.1-2.2+deb12u3");
  tracker.vendor_severity = "medium";
  AffectedRecord osv = tracker;
  osv.source = "osv-debian";
  osv.document = "DSA-3029-1";
  osv.advisory = "DSA-3029-1";
  osv.link = "https://www.debian.org/security/2014/dsa-3029";
  auto matches =
      Match({tracker, osv}, DebianTarget({Deb("nginx-core", "1.2.1-2.2+deb12u2", "nginx")}));
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].advisory, "DSA-3029-1");
  EXPECT_EQ(matches[0].severity, Severity::kMedium);
  ASSERT_EQ(matches[0].feeds.size(), 2u);
  EXPECT_EQ(matches[0].feeds[0], "debian-tracker");
  EXPECT_NE(std::find(matches[0].links.begin(), matches[0].links.end(),
                      "https://nvd.nist.gov/vuln/detail/CVE-2014-3616"),
            matches[0].links.end());
  EXPECT_NE(std::find(matches[0].links.begin(), matches[0].links.end(),
                      "https://security-tracker.debian.org/tracker/CVE-2014-3616"),
            matches[0].links.end());
}

TEST(AdvisoryMatcherTest, TrackerSayingFixedOverridesAStaleOsvRange) {
  AffectedRecord tracker = DebRecord("pkg", "bookworm", "CVE-2024-7", VendorStatus::kNotAffected);
  AffectedRecord osv = DebRecord("pkg", "bookworm", "CVE-2024-7", VendorStatus::kFixed, "9.9-1");
  osv.source = "osv-debian";
  osv.document = "DLA-7-1";
  EXPECT_TRUE(Match({tracker, osv}, DebianTarget({Deb("pkg", "1.0-1")})).empty());
}

TEST(AdvisoryMatcherTest, OsvRangeBoundsAreHonoured) {
  AffectedRecord r = DebRecord("pkg", "bookworm", "CVE-2024-8", VendorStatus::kFixed, "2.0-5");
  r.introduced = "2.0-1";
  EXPECT_TRUE(Match({r}, DebianTarget({Deb("pkg", "1.9-1")})).empty());
  EXPECT_EQ(Match({r}, DebianTarget({Deb("pkg", "2.0-3")})).size(), 1u);
  AffectedRecord last = DebRecord("pkg", "bookworm", "CVE-2024-9", VendorStatus::kAffected);
  last.last_affected = "2.0-3";
  EXPECT_TRUE(Match({last}, DebianTarget({Deb("pkg", "2.0-4")})).empty());
  EXPECT_EQ(Match({last}, DebianTarget({Deb("pkg", "2.0-3")})).size(), 1u);
}

TEST(AdvisoryMatcherTest, OnlyTheRunningKernelsPackagesCount) {
  auto records = {
      DebRecord("linux", "bookworm", "CVE-2024-26581", VendorStatus::kFixed, "6.1.76-1")};
  auto matches =
      Match(records, DebianTarget({Deb("linux-image-6.1.0-18-amd64", "6.1.76-1~pre", "linux"),
                                   Deb("linux-image-6.1.0-17-amd64", "6.1.69-1", "linux"),
                                   Deb("linux-libc-dev", "6.1.69-1", "linux"),
                                   Deb("linux-headers-6.1.0-18-amd64", "6.1.76-1~pre", "linux")},
                                  "6.1.0-18-amd64"));
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].package, "linux-headers-6.1.0-18-amd64");
  EXPECT_EQ(matches[1].package, "linux-image-6.1.0-18-amd64");
  EXPECT_TRUE(matches[1].kernel);
}

TEST(AdvisoryMatcherTest, SignedKernelImagesAreJudgedAsTheKernelSource) {
  auto records = {
      DebRecord("linux", "bookworm", "CVE-2024-26581", VendorStatus::kFixed, "6.1.82-1")};
  auto matches = Match(records, DebianTarget({Deb("linux-image-6.1.0-18-amd64", "6.1.76-1",
                                                  "linux-signed-amd64", "6.1.76+1")},
                                             "6.1.0-18-amd64"));
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].source_package, "linux");
  EXPECT_EQ(matches[0].compared_version, "6.1.76-1");
}

TEST(AdvisoryMatcherTest, WithoutProcTheNewestInstalledKernelIsTheRunningOne) {
  ScanTarget t = DebianTarget({Deb("linux-image-6.1.0-17-amd64", "6.1.69-1", "linux"),
                               Deb("linux-image-6.1.0-18-amd64", "6.1.76-1", "linux"),
                               Deb("linux-image-amd64", "6.1.76-1", "linux-signed-amd64")},
                              "");
  InferRunningKernel(&t);
  EXPECT_EQ(t.running_kernel, "6.1.0-18-amd64");
  EXPECT_TRUE(t.running_kernel_inferred);
  ScanTarget o = OracleTarget({Rpm("kernel-uek", -1, "5.15.0", "200.131.27.el8uek"),
                               Rpm("kernel-uek", -1, "5.15.0", "202.135.2.el8uek")});
  InferRunningKernel(&o);
  EXPECT_EQ(o.running_kernel, "5.15.0-202.135.2.el8uek.x86_64");
}

TEST(AdvisoryMatcherTest, RpmComparesFullEpochVersionRelease) {
  auto records = {RpmRecord("bind", "8", "CVE-2024-1737", "32:9.11.36-16.el8_10.2")};
  auto vulnerable = Match(records, OracleTarget({Rpm("bind", 32, "9.11.36", "16.el8_10")}));
  ASSERT_EQ(vulnerable.size(), 1u);
  EXPECT_EQ(vulnerable[0].installed_version, "32:9.11.36-16.el8_10");
  EXPECT_EQ(vulnerable[0].fixed_version, "32:9.11.36-16.el8_10.2");
  EXPECT_EQ(vulnerable[0].severity, Severity::kHigh);  // IMPORTANT
  // A lower epoch with a higher version is still older.
  EXPECT_EQ(Match(records, OracleTarget({Rpm("bind", 31, "9.99", "1.el8")})).size(), 1u);
  EXPECT_TRUE(Match(records, OracleTarget({Rpm("bind", 32, "9.11.36", "16.el8_10.2")})).empty());
}

TEST(AdvisoryMatcherTest, RpmArchMustMatchUnlessNoarch) {
  AffectedRecord r = RpmRecord("openssl", "8", "CVE-2024-2", "1:1.1.1k-12.el8_9");
  r.arch = "aarch64";
  EXPECT_TRUE(Match({r}, OracleTarget({Rpm("openssl", 1, "1.1.1k", "9.el8")})).empty());
  EXPECT_EQ(Match({r}, OracleTarget({Rpm("openssl", 1, "1.1.1k", "9.el8", "aarch64")})).size(), 1u);
  EXPECT_EQ(Match({r}, OracleTarget({Rpm("openssl", 1, "1.1.1k", "9.el8", "noarch")})).size(), 1u);
}

TEST(AdvisoryMatcherTest, RpmFlavoursAreComparedOnlyWithTheirOwnRecords) {
  AffectedRecord plain = RpmRecord("glibc", "8", "CVE-2024-3", "2.28-236.0.1.el8_9.12");
  AffectedRecord ksplice =
      RpmRecord("glibc", "8", "CVE-2024-3", "2:2.28-236.0.1.el8_9.12.ksplice1", "ELSA-2024-9");
  ksplice.flavour = "ksplice";
  auto on_ksplice =
      Match({plain, ksplice}, OracleTarget({Rpm("glibc", 2, "2.28", "236.0.1.el8_9.11.ksplice1")}));
  ASSERT_EQ(on_ksplice.size(), 1u);
  EXPECT_EQ(on_ksplice[0].fixed_version, "2:2.28-236.0.1.el8_9.12.ksplice1");
  auto on_plain =
      Match({plain, ksplice}, OracleTarget({Rpm("glibc", -1, "2.28", "236.0.1.el8_9.11")}));
  ASSERT_EQ(on_plain.size(), 1u);
  EXPECT_EQ(on_plain[0].fixed_version, "2.28-236.0.1.el8_9.12");
}

TEST(AdvisoryMatcherTest, RpmModuleStreamMustMatch) {
  AffectedRecord r =
      RpmRecord("nodejs", "8", "CVE-2024-27983", "1:18.20.2-1.module+el8.9.0+90274+8ed5dd61");
  r.module_stream = "nodejs:18";
  EXPECT_EQ(Match({r}, OracleTarget({Rpm("nodejs", 1, "18.19.0", "1.module+el8.9.0+90001+aaaa",
                                         "x86_64", "nodejs:18")}))
                .size(),
            1u);
  EXPECT_TRUE(Match({r}, OracleTarget({Rpm("nodejs", 1, "20.11.1", "1.module+el8.9.0+90100+bbbb",
                                           "x86_64", "nodejs:20")}))
                  .empty());
  // A non-modular build of the same name is not judged by a modular fix.
  EXPECT_TRUE(Match({r}, OracleTarget({Rpm("nodejs", 1, "10.0", "1.el8")})).empty());
}

TEST(AdvisoryMatcherTest, RpmOnlyRunningKernelCounts) {
  auto records = {RpmRecord("kernel-uek", "8", "CVE-2024-4", "5.15.0-205.149.5.el8uek")};
  auto matches = Match(records, OracleTarget({Rpm("kernel-uek", -1, "5.15.0", "200.131.27.el8uek"),
                                              Rpm("kernel-uek", -1, "5.15.0", "202.135.2.el8uek")},
                                             "5.15.0-200.131.27.el8uek.x86_64"));
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].installed_version, "5.15.0-200.131.27.el8uek");
}

TEST(AdvisoryMatcherTest, SeveralFixesForOneCveReportTheNewest) {
  auto records = {RpmRecord("curl", "8", "CVE-2024-5", "7.61.1-30.el8", "ELSA-2023-1"),
                  RpmRecord("curl", "8", "CVE-2024-5", "7.61.1-34.el8", "ELSA-2024-2")};
  auto matches = Match(records, OracleTarget({Rpm("curl", -1, "7.61.1", "25.el8")}));
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].fixed_version, "7.61.1-34.el8");
  EXPECT_EQ(matches[0].advisory, "ELSA-2024-2");
}

TEST(AdvisoryMatcherTest, CvssBandIsTheFallbackSeverity) {
  AffectedRecord r = DebRecord("pkg", "bookworm", "CVE-2024-6", VendorStatus::kFixed, "2.0-1");
  r.vendor_severity = "not yet assigned";
  r.cvss_score = 9.8;
  r.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
  auto matches = Match({r}, DebianTarget({Deb("pkg", "1.0-1")}));
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].severity, Severity::kCritical);
  EXPECT_TRUE(matches[0].severity_known);
  r.cvss_score = -1;
  r.cvss_vector.clear();
  auto unrated = Match({r}, DebianTarget({Deb("pkg", "1.0-1")}));
  ASSERT_EQ(unrated.size(), 1u);
  EXPECT_FALSE(unrated[0].severity_known);
}

TEST(AdvisoryMatcherTest, UbuntuProRecordsOnlyFillGaps) {
  auto ubuntu = [](const std::string& flavour, VendorStatus status, const std::string& fixed) {
    AffectedRecord r = DebRecord("openssl", "22.04", "CVE-2024-10", status, fixed);
    r.source = "osv-ubuntu";
    r.distro = "ubuntu";
    r.flavour = flavour;
    r.document = "UBUNTU-" + flavour;
    return r;
  };
  ScanTarget t = DebianTarget({Deb("openssl", "3.0.2-0ubuntu1.10")});
  t.distro = "ubuntu";
  t.release = "22.04";
  // The standard archive's record says fixed at an older version: no finding,
  // whatever the Pro record says.
  EXPECT_TRUE(Match({ubuntu("", VendorStatus::kFixed, "3.0.2-0ubuntu1.9"),
                     ubuntu("pro", VendorStatus::kFixed, "3.0.2-0ubuntu1.12+esm1")},
                    t)
                  .empty());
  EXPECT_EQ(Match({ubuntu("pro", VendorStatus::kFixed, "3.0.2-0ubuntu1.12+esm1")}, t).size(), 1u);
}

TEST(AdvisoryMatcherTest, RemovedPackagesWithOnlyConffilesAreSkipped) {
  DebPackage removed = Deb("sope", "5.8.0-1");
  removed.status = "deinstall ok config-files";
  EXPECT_TRUE(Match({DebRecord("sope", "bookworm", "CVE-2025-53603", VendorStatus::kFixed,
                               "5.8.0-1+deb12u1")},
                    DebianTarget({removed}))
                  .empty());
}

}  // namespace
}  // namespace warden
