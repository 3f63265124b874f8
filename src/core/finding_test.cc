#include "core/finding.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace warden {
namespace {

Finding Sample() {
  Finding f;
  f.id = MakeFindingId({"HOST-VULN", "openssl", "CVE-2024-0001"});
  f.rule_id = "HOST-VULN";
  f.title = "openssl is vulnerable to CVE-2024-0001";
  f.risk_level = RiskLevel::kVeryHigh;
  f.source = "host.vuln";
  f.resource = "web-1";
  f.first_seen = 1700000000;
  f.last_seen = 1700000600;
  f.remediation = "apt-get install --only-upgrade openssl";
  f.links = {"https://nvd.nist.gov/vuln/detail/CVE-2024-0001"};
  f.attributes["package"] = "openssl";
  f.attributes["fixed_version"] = nullptr;
  f.evidence["installed_version"] = "3.0.11-1~deb12u1";
  return f;
}

TEST(FindingTest, IdIsStableAndSeparatesParts) {
  EXPECT_EQ(MakeFindingId({"a", "bc"}), MakeFindingId({"a", "bc"}));
  EXPECT_NE(MakeFindingId({"a", "bc"}), MakeFindingId({"ab", "c"}));
  EXPECT_EQ(MakeFindingId({"x"}).size(), 32u);
}

TEST(FindingTest, JsonHasCommonKeysAndAttributesAtTopLevel) {
  Json j = FindingToJson(Sample());
  EXPECT_EQ(j["rule_id"], "HOST-VULN");
  EXPECT_EQ(j["risk_level"], "very_high");
  EXPECT_EQ(j["package"], "openssl");
  EXPECT_TRUE(j["fixed_version"].is_null());
  EXPECT_EQ(j["first_seen"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(j["evidence"]["installed_version"], "3.0.11-1~deb12u1");
  EXPECT_EQ(j["links"][0], "https://nvd.nist.gov/vuln/detail/CVE-2024-0001");
}

TEST(FindingTest, OcsfHasTheRequiredAttributesOfTheClass) {
  Json j = FindingToOcsf(Sample(), OcsfClass::kDetectionFinding);
  for (const char* key : {"activity_id", "category_uid", "class_uid", "type_uid", "time",
                          "severity_id", "finding_info", "metadata"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["class_uid"], 2004);
  EXPECT_EQ(j["category_uid"], 2);
  EXPECT_EQ(j["type_uid"], 200401);
  EXPECT_EQ(j["severity_id"], 5);
  EXPECT_EQ(j["severity"], "Very High");  // the original label is kept
  EXPECT_EQ(j["time"], int64_t{1700000600} * 1000);
  EXPECT_EQ(j["finding_info"]["uid"], Sample().id);
  EXPECT_EQ(j["metadata"]["product"]["name"], "Warden");
  Json v = FindingToOcsf(Sample(), OcsfClass::kVulnerabilityFinding);
  EXPECT_EQ(v["class_uid"], 2002);
  EXPECT_EQ(v["type_uid"], 200201);
}

TEST(RiskLevelTest, ParsesEverySpellingAndMapsOutward) {
  EXPECT_EQ(ParseRiskLevel("very_high"), RiskLevel::kVeryHigh);
  EXPECT_EQ(ParseRiskLevel("Very High"), RiskLevel::kVeryHigh);
  EXPECT_EQ(ParseRiskLevel("EXTREME"), RiskLevel::kExtreme);
  EXPECT_FALSE(ParseRiskLevel("critical").has_value());
  EXPECT_EQ(OcsfSeverityId(RiskLevel::kExtreme), 5);
  EXPECT_EQ(OcsfSeverityId(RiskLevel::kLow), 2);
  EXPECT_EQ(SyslogSeverity(RiskLevel::kExtreme), 1);
  EXPECT_EQ(SyslogSeverity(RiskLevel::kLow), 5);
  EXPECT_EQ(CefSeverity(RiskLevel::kVeryHigh), 9);
  EXPECT_EQ(CefSeverity(RiskLevel::kMedium), 5);
}

TEST(TimeFormatTest, Rfc3339RoundTrips) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(ParseRfc3339("2023-11-14T22:13:20Z"), 1700000000);
  EXPECT_EQ(ParseRfc3339("2023-11-14T23:13:20+01:00"), 1700000000);
  EXPECT_EQ(ParseRfc3339("2023-11-14T22:13:20.123Z"), 1700000000);
  EXPECT_FALSE(ParseRfc3339("2023-13-14T22:13:20Z").has_value());
  EXPECT_FALSE(ParseRfc3339("yesterday").has_value());
}

}  // namespace
}  // namespace warden
