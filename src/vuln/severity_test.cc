#include "vuln/severity.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

TEST(SeverityTest, CvssV3BaseScoreMatchesPublishedScores) {
  // Scores as NVD publishes them for these vectors (FIRST calculator).
  EXPECT_DOUBLE_EQ(*CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
  EXPECT_DOUBLE_EQ(*CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), 10.0);
  EXPECT_DOUBLE_EQ(*CvssV3BaseScore("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"), 8.1);
  EXPECT_DOUBLE_EQ(*CvssV3BaseScore("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"), 5.5);
  EXPECT_DOUBLE_EQ(*CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 6.1);
  EXPECT_DOUBLE_EQ(*CvssV3BaseScore("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), 7.8);
  EXPECT_DOUBLE_EQ(*CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), 0.0);
}

TEST(SeverityTest, IncompleteOrForeignVectorHasNoScore) {
  EXPECT_FALSE(CvssV3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"));
  EXPECT_FALSE(CvssV3BaseScore("AV:N/AC:L/Au:N/C:P/I:P/A:P"));  // CVSS v2
  EXPECT_FALSE(CvssV3BaseScore("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));
  EXPECT_FALSE(CvssV3BaseScore(""));
}

TEST(SeverityTest, VendorWordsMapOntoTheScale) {
  EXPECT_EQ(ParseVendorSeverity("high**"), Severity::kHigh);  // Debian's provisional marker
  EXPECT_EQ(ParseVendorSeverity("low**"), Severity::kLow);
  EXPECT_EQ(ParseVendorSeverity("IMPORTANT"), Severity::kHigh);
  EXPECT_EQ(ParseVendorSeverity("Moderate"), Severity::kMedium);
  EXPECT_EQ(ParseVendorSeverity("CRITICAL"), Severity::kCritical);
  EXPECT_EQ(ParseVendorSeverity("unimportant"), Severity::kLow);
  EXPECT_EQ(ParseVendorSeverity("negligible"), Severity::kLow);
}

TEST(SeverityTest, WordsWithoutARatingGiveNone) {
  EXPECT_FALSE(ParseVendorSeverity("not yet assigned"));
  EXPECT_FALSE(ParseVendorSeverity("end-of-life"));
  EXPECT_FALSE(ParseVendorSeverity(""));
}

TEST(SeverityTest, CvssBandsFollowFirst) {
  EXPECT_EQ(SeverityFromCvssScore(0.0), Severity::kNone);
  EXPECT_EQ(SeverityFromCvssScore(3.9), Severity::kLow);
  EXPECT_EQ(SeverityFromCvssScore(4.0), Severity::kMedium);
  EXPECT_EQ(SeverityFromCvssScore(7.0), Severity::kHigh);
  EXPECT_EQ(SeverityFromCvssScore(9.0), Severity::kCritical);
}

TEST(SeverityTest, ThresholdNamesParseInAnyCase) {
  EXPECT_EQ(ParseSeverityName("HIGH"), Severity::kHigh);
  EXPECT_EQ(ParseSeverityName("none"), Severity::kNone);
  EXPECT_FALSE(ParseSeverityName("important"));
}

TEST(SeverityTest, ARiskLevelGivenAsSeveritySaysHowTheScalesDiffer) {
  EXPECT_EQ(UnknownSeverityMessage("bogus"),
            "unknown severity 'bogus' (use none, low, medium, high or critical)");
  std::string mixed = UnknownSeverityMessage("very_high");
  EXPECT_NE(mixed.find("'very_high' is a risk level"), std::string::npos) << mixed;
  EXPECT_NE(mixed.find("a critical CVE's problem is very_high"), std::string::npos) << mixed;
}

TEST(SeverityTest, ACveSeverityGivenAsRiskLevelSaysHowTheScalesMeet) {
  EXPECT_EQ(UnknownRiskLevelMessage("severe"),
            "unknown risk level 'severe' (use extreme, very_high, high, medium or low)");
  std::string mixed = UnknownRiskLevelMessage("Critical");
  EXPECT_NE(mixed.find("'Critical' is a CVE severity"), std::string::npos) << mixed;
  EXPECT_NE(mixed.find("critical is very_high"), std::string::npos) << mixed;
  // The words the message promises map as it says.
  EXPECT_EQ(SeverityRiskLevel(Severity::kCritical), RiskLevel::kVeryHigh);
  EXPECT_EQ(SeverityRiskLevel(Severity::kNone), RiskLevel::kLow);
}

}  // namespace
}  // namespace warden
