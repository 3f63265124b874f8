#include "agent/vuln_detector.h"

#include <gtest/gtest.h>

#include "vuln/vuln_test_util.h"

namespace warden {
namespace {

using testing::DebRecord;
using testing::FixturePath;
using testing::TempDir;

RuleConfig VulnRule(const std::string& db, Severity min = Severity::kLow) {
  RuleConfig r;
  r.id = std::string(kVulnRuleId);
  r.risk_level = RiskLevel::kVeryHigh;
  r.vuln.feed_database = db;
  r.vuln.min_severity = min;
  return r;
}

AffectedRecord Rated(AffectedRecord r, const std::string& severity) {
  r.vendor_severity = severity;
  return r;
}

// sope: high, fixed; openssl: low, fixed; zlib: high, not fixed.
std::string ThreeCveFeed(const TempDir& dir) {
  return testing::WriteFeedDatabase(
      dir,
      {Rated(
           DebRecord("sope", "bookworm", "CVE-2025-53603", VendorStatus::kFixed, "5.8.0-1+deb12u1"),
           "high"),
       Rated(DebRecord("openssl", "bookworm", "CVE-2024-0001", VendorStatus::kFixed,
                       "3.0.13-1~deb12u1"),
             "low"),
       Rated(DebRecord("zlib", "bookworm", "CVE-2024-0002", VendorStatus::kAffected), "high")});
}

TEST(VulnDetectorTest, OneHostProblemListsQualifyingCvesWithCountsAndDrillDown) {
  TempDir dir;
  std::string db = ThreeCveFeed(dir);
  HostFs fs(FixturePath("vuln/debian-root"));
  auto det = DetectVulnerabilities(fs, VulnRule(db), "h1", 1000);
  ASSERT_TRUE(det.ok()) << det.status().message();
  ASSERT_FALSE(det->skipped) << det->skip_reason;
  ASSERT_EQ(det->observation.findings.size(), 1u);
  const Finding& f = det->observation.findings[0];
  EXPECT_EQ(f.title, "Scanned host has vulnerabilities");
  EXPECT_EQ(f.risk_level, RiskLevel::kVeryHigh);
  // zlib's CVE has no fix: left out without include_unfixed.
  EXPECT_EQ(f.attributes["cves"], Json({"CVE-2024-0001", "CVE-2025-53603"}));
  EXPECT_EQ(f.attributes["counts"]["high"], 1);
  EXPECT_EQ(f.attributes["counts"]["low"], 1);
  ASSERT_EQ(det->observation.details.at(f.id).size(), 3u) << "libsope1, libssl3 and openssl";
  EXPECT_NE(f.links.at(0).find("nvd.nist.gov"), std::string::npos);
}

TEST(VulnDetectorTest, MinSeverityAndUnfixedSettingsApply) {
  TempDir dir;
  std::string db = ThreeCveFeed(dir);
  HostFs fs(FixturePath("vuln/debian-root"));
  RuleConfig rule = VulnRule(db, Severity::kHigh);
  rule.vuln.include_unfixed = true;
  auto det = DetectVulnerabilities(fs, rule, "h1", 1000);
  ASSERT_TRUE(det.ok());
  EXPECT_EQ(det->observation.findings.at(0).attributes["cves"],
            Json({"CVE-2024-0002", "CVE-2025-53603"}));
}

TEST(VulnDetectorTest, NoFeedDatabaseSkipsWithHowToImport) {
  TempDir dir;
  HostFs fs(FixturePath("vuln/debian-root"));
  auto det = DetectVulnerabilities(fs, VulnRule(dir.path() + "/missing.db"), "h1", 1000);
  ASSERT_TRUE(det.ok());
  EXPECT_TRUE(det->skipped);
  EXPECT_NE(det->skip_reason.find("warden feed import"), std::string::npos);
}

TEST(VulnDetectorTest, FeedWithoutThisReleaseSkips) {
  TempDir dir;
  std::string db = testing::WriteFeedDatabase(
      dir,
      {DebRecord("sope", "bullseye", "CVE-2025-53603", VendorStatus::kFixed, "5.0.1-2+deb11u1")});
  HostFs fs(FixturePath("vuln/debian-root"));
  auto det = DetectVulnerabilities(fs, VulnRule(db), "h1", 1000);
  ASSERT_TRUE(det.ok());
  EXPECT_TRUE(det->skipped);
  EXPECT_NE(det->skip_reason.find("no records for debian bookworm"), std::string::npos)
      << det->skip_reason;
}

TEST(VulnDetectorTest, CleanHostHasNoProblem) {
  TempDir dir;
  std::string db = testing::WriteFeedDatabase(
      dir, {DebRecord("sope", "bookworm", "CVE-2025-53603", VendorStatus::kFixed, "5.8.0-1")});
  HostFs fs(FixturePath("vuln/debian-root"));
  auto det = DetectVulnerabilities(fs, VulnRule(db), "h1", 1000);
  ASSERT_TRUE(det.ok());
  EXPECT_FALSE(det->skipped);
  EXPECT_TRUE(det->observation.findings.empty());
}

}  // namespace
}  // namespace warden
