#include "vuln/debian_tracker_importer.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"
#include "vuln/vuln_test_util.h"

namespace warden {
namespace {

using testing::CollectingSink;

std::string Sample() {
  auto text = HostFs("/").ReadFile(testing::FixturePath("vuln/samples/debian-tracker-subset.json"));
  EXPECT_TRUE(text.ok()) << text.status().message();
  return text.ok() ? *text : "";
}

TEST(DebianTrackerImporterTest, SampleGivesOneRecordPerPackageCveAndRelease) {
  CollectingSink sink;
  ASSERT_TRUE(ImportDebianTrackerJson(Sample(), "sample", sink).ok());
  // 4 releases x (2 prototypejs + txt2man + backupninja) + 5 chromium + 4 sope.
  EXPECT_EQ(sink.records.size(), 25u);
  auto sope = sink.Find("sope", "CVE-2025-53603", "bookworm");
  ASSERT_EQ(sope.size(), 1u);
  EXPECT_EQ(sope[0].status, VendorStatus::kFixed);
  EXPECT_EQ(sope[0].fixed_version, "5.8.0-1+deb12u1");
  EXPECT_EQ(sope[0].distro, "debian");
  EXPECT_EQ(sope[0].scheme, PackageScheme::kDebSource);
  EXPECT_EQ(sope[0].link, "https://security-tracker.debian.org/tracker/CVE-2025-53603");
}

TEST(DebianTrackerImporterTest, FixedVersionZeroMeansNotAffected) {
  CollectingSink sink;
  ASSERT_TRUE(ImportDebianTrackerJson(Sample(), "sample", sink).ok());
  auto r = sink.Find("prototypejs", "CVE-2007-2383", "buster");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, VendorStatus::kNotAffected);
  EXPECT_EQ(r[0].fixed_version, "");
}

TEST(DebianTrackerImporterTest, OpenInEndOfLifeReleaseIsWillNotFix) {
  CollectingSink sink;
  ASSERT_TRUE(ImportDebianTrackerJson(Sample(), "sample", sink).ok());
  auto r = sink.Find("chromium", "CVE-2022-0456", "buster");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, VendorStatus::kWillNotFix);
  EXPECT_EQ(r[0].vendor_status, "open (end-of-life)");
}

TEST(DebianTrackerImporterTest, EmptyReleasesListGivesNoRecordsButIsNoError) {
  CollectingSink sink;
  ASSERT_TRUE(ImportDebianTrackerJson(Sample(), "sample", sink).ok());
  EXPECT_TRUE(sink.Find("chromium-browser", "CVE-2022-0358").empty());
  EXPECT_NE(std::find(sink.documents.begin(), sink.documents.end(),
                      "debian-tracker/chromium-browser/CVE-2022-0358"),
            sink.documents.end());
}

TEST(DebianTrackerImporterTest, UrgencyIsKeptAsTheVendorRating) {
  CollectingSink sink;
  ASSERT_TRUE(ImportDebianTrackerJson(Sample(), "sample", sink).ok());
  auto r = sink.Find("prototypejs", "CVE-2008-7220", "sid");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].vendor_severity, "high**");
}

TEST(DebianTrackerImporterTest, OpenStatusesStayApart) {
  CollectingSink sink;
  const char* json = R"({"pkg": {
    "CVE-2024-1": {"releases": {"bookworm": {"status": "open", "urgency": "medium"}}},
    "CVE-2024-2": {"releases": {"bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "postponed"}}},
    "CVE-2024-3": {"releases": {"bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "ignored"}}},
    "CVE-2024-4": {"releases": {"bookworm": {"status": "undetermined", "urgency": "not yet assigned"}}},
    "CVE-2024-5": {"releases": {"bookworm": {"status": "open", "urgency": "unimportant"}}}}})";
  ASSERT_TRUE(ImportDebianTrackerJson(json, "inline", sink).ok());
  ASSERT_EQ(sink.records.size(), 5u);
  EXPECT_EQ(sink.Find("pkg", "CVE-2024-1")[0].status, VendorStatus::kAffected);
  EXPECT_EQ(sink.Find("pkg", "CVE-2024-2")[0].status, VendorStatus::kDeferred);
  EXPECT_EQ(sink.Find("pkg", "CVE-2024-2")[0].vendor_status, "open (postponed): Minor issue");
  EXPECT_EQ(sink.Find("pkg", "CVE-2024-3")[0].status, VendorStatus::kWillNotFix);
  EXPECT_EQ(sink.Find("pkg", "CVE-2024-4")[0].status, VendorStatus::kUnderInvestigation);
  EXPECT_EQ(sink.Find("pkg", "CVE-2024-5")[0].status, VendorStatus::kWillNotFix);
}

TEST(DebianTrackerImporterTest, TruncatedFileErrorNamesFileLineAndColumn) {
  CollectingSink sink;
  std::string text = Sample();
  text.resize(text.size() / 2);
  Status st = ImportDebianTrackerJson(text, "tracker.json", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kParseError);
  EXPECT_NE(st.message().find("tracker.json"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("line "), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("column "), std::string::npos) << st.message();
}

TEST(DebianTrackerImporterTest, TopLevelListIsRejected) {
  CollectingSink sink;
  Status st = ImportDebianTrackerJson("[1, 2]", "x.json", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("expected an object of source packages"), std::string::npos)
      << st.message();
}

TEST(DebianTrackerImporterTest, OversizedStringIsRejectedWithItsPackage) {
  CollectingSink sink;
  std::string json =
      R"({"pkg": {"CVE-2024-1": {"description": ")" + std::string(2 << 20, 'a') + R"("}}})";
  Status st = ImportDebianTrackerJson(json, "x.json", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("too long"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("x.json: /pkg/CVE-2024-1"), std::string::npos) << st.message();
}

// A shape error names the file and the JSON pointer of the value, and the
// sink never hears of the entry it is in (so a re-import cannot erase the
// entry's stored records).
void ExpectShapeError(const std::string& json, const std::string& where) {
  CollectingSink sink;
  Status st = ImportDebianTrackerJson(json, "tracker.json", sink);
  ASSERT_FALSE(st.ok()) << json;
  EXPECT_EQ(st.code(), StatusCode::kParseError);
  EXPECT_NE(st.message().find("tracker.json: " + where), std::string::npos) << st.message();
  EXPECT_TRUE(sink.documents.empty()) << json;
  EXPECT_TRUE(sink.records.empty()) << json;
}

TEST(DebianTrackerImporterTest, ReleasesOfTheWrongTypeIsAnErrorNotAnEmptyEntry) {
  ExpectShapeError(R"({"openssl": {"CVE-2023-5678": {"releases": "bookworm"}}})",
                   "/openssl/CVE-2023-5678/releases: expected an object of releases, found string");
  ExpectShapeError(R"({"openssl": {"CVE-2023-5678": {"releases": ["bookworm"]}}})",
                   "/openssl/CVE-2023-5678/releases: expected an object of releases (or an empty "
                   "list), found array");
  ExpectShapeError(R"({"openssl": {"CVE-2023-5678": {"releases": {"bookworm": "resolved"}}}})",
                   "/openssl/CVE-2023-5678/releases/bookworm: expected an object");
}

TEST(DebianTrackerImporterTest, FixedVersionOfTheWrongTypeIsAnError) {
  ExpectShapeError(R"({"openssl": {"CVE-2023-5678": {"releases": {"bookworm":
                     {"status": "resolved", "fixed_version": 123, "urgency": "low"}}}}})",
                   "/openssl/CVE-2023-5678/releases/bookworm/fixed_version: expected a string, "
                   "found number 123");
  ExpectShapeError(R"({"p": {"CVE-1": {"releases": {"sid": {"status": ["open"]}}}}})",
                   "/p/CVE-1/releases/sid/status: expected a string, found array");
  ExpectShapeError(R"({"p": {"CVE-1": {"description": 7, "releases": {}}}})",
                   "/p/CVE-1/description: expected a string, found number 7");
}

TEST(DebianTrackerImporterTest, MissingReleasesOrStatusIsAnError) {
  ExpectShapeError(R"({"p": {"CVE-1": {"description": "x"}}})", "/p/CVE-1: missing \"releases\"");
  ExpectShapeError(R"({"p": {"CVE-1": {"releases": {"sid": {"urgency": "low"}}}}})",
                   "/p/CVE-1/releases/sid: missing \"status\"");
  ExpectShapeError(R"({"p": {"CVE-1": "resolved"}})",
                   "/p/CVE-1: expected an object (one CVE entry), found string");
  ExpectShapeError(R"({"p": ["CVE-1"]})", "/p: expected an object of CVE ids, found array");
}

TEST(DebianTrackerImporterTest, PointerEscapesSlashAndTildeInKeys) {
  ExpectShapeError(R"({"a/b~c": {"CVE-1": {"releases": 1}}})", "/a~1b~0c/CVE-1/releases");
}

TEST(DebianTrackerImporterTest, ShapeErrorStopsBeforeTheBadEntryReachesTheSink) {
  CollectingSink sink;
  Status st = ImportDebianTrackerJson(R"({"p": {
    "CVE-1": {"releases": {"sid": {"status": "resolved", "fixed_version": "1.0"}}},
    "CVE-2": {"releases": {"sid": {"status": "resolved", "fixed_version": "1.0"},
                           "bookworm": {"status": "resolved", "fixed_version": 2}}}}})",
                                      "t.json", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(sink.documents, std::vector<std::string>{"debian-tracker/p/CVE-1"});
  EXPECT_EQ(sink.records.size(), 1u);
}

TEST(DebianTrackerImporterTest, NullOptionalFieldsReadAsAbsent) {
  CollectingSink sink;
  Status st = ImportDebianTrackerJson(R"({"p": {"CVE-1": {"description": null, "releases":
      {"sid": {"status": "open", "urgency": null, "nodsa": null, "fixed_version": null}}}}})",
                                      "t.json", sink);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.records[0].status, VendorStatus::kAffected);
}

TEST(DebianTrackerImporterTest, TrailingGarbageIsAnError) {
  CollectingSink sink;
  EXPECT_FALSE(ImportDebianTrackerJson(R"({"pkg": {}} x)", "x.json", sink).ok());
}

}  // namespace
}  // namespace warden
