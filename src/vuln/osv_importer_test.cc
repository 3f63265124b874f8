#include "vuln/osv_importer.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"
#include "vuln/vuln_test_util.h"

namespace warden {
namespace {

using testing::CollectingSink;

// Shaped like Ubuntu's OSV export (UBUNTU-CVE-*): Pro ecosystem, Ubuntu
// priority, a CVSS v3 vector, an open range (no fix).
constexpr const char* kUbuntuUnfixed = R"({
  "schema_version": "1.6.3", "id": "UBUNTU-CVE-2025-38094", "upstream": ["CVE-2025-38094"],
  "modified": "2025-07-10T08:00:00Z", "published": "2025-07-03T09:15:00Z",
  "details": "In the Linux kernel, the following vulnerability has been resolved: net: cadence: macb",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H"},
               {"type": "Ubuntu", "score": "medium"}],
  "affected": [
    {"package": {"ecosystem": "Ubuntu:Pro:14.04:LTS", "name": "linux-aws"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}], "versions": ["3.13.0-44.73"]},
    {"package": {"ecosystem": "Ubuntu:22.04:LTS", "name": "linux"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.15.0-140.150"}]}]}],
  "references": [{"type": "REPORT", "url": "https://ubuntu.com/security/CVE-2025-38094"}]})";

// Shaped like AlmaLinux's OSV export (ALSA-*): binary rpm names, a purl with
// arch and module, the vendor rating in database_specific.
constexpr const char* kAlmaModular = R"({
  "id": "ALSA-2023:4411", "modified": "2023-08-02T00:00:00Z", "summary": "Important: nodejs:18 security update",
  "aliases": ["CVE-2023-30581", "CVE-2023-30588"],
  "database_specific": {"severity": "Important"},
  "affected": [
    {"package": {"ecosystem": "AlmaLinux:8", "name": "nodejs",
                 "purl": "pkg:rpm/almalinux/nodejs?arch=x86_64&rpmmod=nodejs:18:8080020230719113210:63b34585"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
                {"fixed": "1:18.16.1-1.module_el8.8.0+3587+9b6dc4fc"}]}]},
    {"package": {"ecosystem": "PyPI", "name": "requests"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.31.0"}]}]}],
  "references": [{"type": "ADVISORY", "url": "https://errata.almalinux.org/8/ALSA-2023-4411.html"}]})";

TEST(OsvImporterTest, DebianSampleGivesFixedRecordForWheezy) {
  auto text = HostFs("/").ReadFile(testing::FixturePath("vuln/samples/osv-debian-DSA-3029-1.json"));
  ASSERT_TRUE(text.ok());
  CollectingSink sink;
  ASSERT_TRUE(ImportOsvRecord(*text, "DSA-3029-1.json", sink).ok());
  ASSERT_EQ(sink.records.size(), 1u);
  const AffectedRecord& r = sink.records[0];
  EXPECT_EQ(r.source, "osv-debian");
  EXPECT_EQ(r.distro, "debian");
  EXPECT_EQ(r.release, "wheezy");  // "Debian:7" in the feed, the codename on hosts
  EXPECT_EQ(r.package, "nginx");
  EXPECT_EQ(r.vuln_id, "CVE-2014-3616");
  EXPECT_EQ(r.advisory, "DSA-3029-1");
  EXPECT_EQ(r.status, VendorStatus::kFixed);
  EXPECT_EQ(r.fixed_version, "1.2.1-2.2+wheezy3");
  EXPECT_EQ(r.introduced, "");
  EXPECT_EQ(r.link, "https://www.debian.org/security/2014/dsa-3029");
  ASSERT_EQ(sink.feed_times.size(), 1u);
  EXPECT_EQ(sink.feed_times[0].second, 1411201087);  // 2014-09-20T08:18:07Z
}

TEST(OsvImporterTest, UbuntuProEcosystemBecomesFlavourAndOpenRangeIsAffected) {
  CollectingSink sink;
  ASSERT_TRUE(ImportOsvRecord(kUbuntuUnfixed, "u.json", sink).ok());
  ASSERT_EQ(sink.records.size(), 2u);
  auto pro = sink.Find("linux-aws", "CVE-2025-38094");
  ASSERT_EQ(pro.size(), 1u);
  EXPECT_EQ(pro[0].release, "14.04");
  EXPECT_EQ(pro[0].flavour, "pro");
  EXPECT_EQ(pro[0].status, VendorStatus::kAffected);
  EXPECT_EQ(pro[0].vendor_severity, "medium");
  EXPECT_DOUBLE_EQ(pro[0].cvss_score, 5.5);
  auto fixed = sink.Find("linux", "CVE-2025-38094");
  ASSERT_EQ(fixed.size(), 1u);
  EXPECT_EQ(fixed[0].flavour, "");
  EXPECT_EQ(fixed[0].status, VendorStatus::kFixed);
  EXPECT_EQ(fixed[0].fixed_version, "5.15.0-140.150");
}

TEST(OsvImporterTest, AlmaRecordKeepsArchModuleStreamAndEveryAlias) {
  CollectingSink sink;
  ASSERT_TRUE(ImportOsvRecord(kAlmaModular, "a.json", sink).ok());
  ASSERT_EQ(sink.records.size(), 2u);  // two CVEs; the PyPI package is not a distribution package
  for (const auto& r : sink.records) {
    EXPECT_EQ(r.source, "osv-almalinux");
    EXPECT_EQ(r.release, "8");
    EXPECT_EQ(r.scheme, PackageScheme::kRpmBinary);
    EXPECT_EQ(r.arch, "x86_64");
    EXPECT_EQ(r.module_stream, "nodejs:18");
    EXPECT_EQ(r.advisory, "ALSA-2023:4411");
    EXPECT_EQ(r.vendor_severity, "Important");
  }
  EXPECT_EQ(sink.records[0].vuln_id, "CVE-2023-30581");
  EXPECT_EQ(sink.records[1].vuln_id, "CVE-2023-30588");
}

TEST(OsvImporterTest, RedHatEusStreamGetsItsOwnFlavour) {
  CollectingSink sink;
  const char* json = R"({"id": "RHSA-2024:0001", "aliases": ["CVE-2024-1"], "affected": [
    {"package": {"ecosystem": "Red Hat:rhel_eus:8.6::baseos", "name": "openssl"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:1.1.1k-9.el8_6"}]}]},
    {"package": {"ecosystem": "Red Hat:enterprise_linux:8::baseos", "name": "openssl"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:1.1.1k-12.el8_9"}]}]}]})";
  ASSERT_TRUE(ImportOsvRecord(json, "r.json", sink).ok());
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].flavour, "rhel_eus");
  EXPECT_EQ(sink.records[1].flavour, "");
  EXPECT_EQ(sink.records[1].distro, "rhel");
  EXPECT_EQ(sink.records[1].release, "8");
}

TEST(OsvImporterTest, SeveralRangesAndLastAffectedBecomeSeparateRecords) {
  CollectingSink sink;
  const char* json = R"({"id": "DLA-1-1", "aliases": ["CVE-2024-9"], "affected": [
    {"package": {"ecosystem": "Debian:12", "name": "pkg"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0-2"},
                                                 {"introduced": "2.0-1"}, {"last_affected": "2.0-3"}]},
                {"type": "GIT", "repo": "https://example.org/x.git", "events": [{"introduced": "abc"}]}]}]})";
  ASSERT_TRUE(ImportOsvRecord(json, "d.json", sink).ok());
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].release, "bookworm");
  EXPECT_EQ(sink.records[0].fixed_version, "1.0-2");
  EXPECT_EQ(sink.records[1].status, VendorStatus::kAffected);
  EXPECT_EQ(sink.records[1].introduced, "2.0-1");
  EXPECT_EQ(sink.records[1].last_affected, "2.0-3");
}

TEST(OsvImporterTest, WithdrawnRecordResetsItsDocumentAndAddsNothing) {
  CollectingSink sink;
  const char* json =
      R"({"id": "DSA-9-1", "withdrawn": "2024-01-01T00:00:00Z", "aliases": ["CVE-2024-9"],
    "affected": [{"package": {"ecosystem": "Debian:12", "name": "pkg"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0-2"}]}]}]})";
  ASSERT_TRUE(ImportOsvRecord(json, "w.json", sink).ok());
  EXPECT_TRUE(sink.records.empty());
  ASSERT_EQ(sink.documents.size(), 1u);
  EXPECT_EQ(sink.documents[0], "osv-debian/DSA-9-1");
}

TEST(OsvImporterTest, MalformedJsonErrorNamesOriginAndPosition) {
  CollectingSink sink;
  Status st = ImportOsvRecord("{\"id\": \"X\",\n \"affected\": [", "all.zip:X.json", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("all.zip:X.json"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("line 2"), std::string::npos) << st.message();
}

TEST(OsvImporterTest, RecordWithoutIdIsRejected) {
  CollectingSink sink;
  Status st = ImportOsvRecord(R"({"affected": []})", "x.json", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("x.json: / (the document): missing \"id\""), std::string::npos)
      << st.message();
}

// A record with `replace` substituted for `field` in an otherwise good Debian
// record must fail naming the file and `where`, and the sink must not hear of
// the record at all (no BeginDocument: the stored records of its id stay).
void ExpectShapeError(const std::string& field, const std::string& replace,
                      const std::string& where) {
  std::string record = R"({"id": "DSA-9-1", "aliases": ["CVE-2024-9"], "summary": "s",
    "modified": "2024-01-01T00:00:00Z",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "references": [{"type": "ADVISORY", "url": "https://example.org/DSA-9-1"}],
    "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.13-1"}]}]}]})";
  size_t at = record.find(field);
  ASSERT_NE(at, std::string::npos) << field;
  record.replace(at, field.size(), replace);
  CollectingSink sink;
  Status st = ImportOsvRecord(record, "rec.json", sink);
  ASSERT_FALSE(st.ok()) << record;
  EXPECT_EQ(st.code(), StatusCode::kParseError);
  EXPECT_NE(st.message().find("rec.json: " + where), std::string::npos) << st.message();
  EXPECT_TRUE(sink.documents.empty()) << record;
  EXPECT_TRUE(sink.records.empty()) << record;
}

TEST(OsvImporterTest, FieldsOfTheWrongTypeAreErrorsNotEmptyValues) {
  ExpectShapeError(R"("ranges": [)", R"("ranges": "x", "r": [)",
                   "/affected/0/ranges: expected a list, found string");
  ExpectShapeError(R"({"fixed": "3.0.13-1"})", R"({"fixed": 3013})",
                   "/affected/0/ranges/0/events/1/fixed: expected a string, found number 3013");
  ExpectShapeError(R"("aliases": ["CVE-2024-9"])", R"("aliases": "CVE-2024-9")",
                   "/aliases: expected a list, found string");
  ExpectShapeError(R"(["CVE-2024-9"])", R"([9])", "/aliases/0: expected a string, found number 9");
  ExpectShapeError(R"("events": [)", R"("events": {}, "e": [)",
                   "/affected/0/ranges/0/events: expected a list, found object");
  ExpectShapeError(R"("affected": [{)", R"("affected": ["x", {)",
                   "/affected/0: expected an object, found string");
  ExpectShapeError(R"("name": "openssl")", R"("name": ["openssl"])",
                   "/affected/0/package/name: expected a string, found array");
  ExpectShapeError(R"("summary": "s")", R"("summary": {})",
                   "/summary: expected a string, found object");
  ExpectShapeError(R"("modified": "2024-01-01T00:00:00Z")", R"("modified": 20240101)",
                   "/modified: expected a string, found number");
  ExpectShapeError(R"("url": "https://example.org/DSA-9-1")", R"("url": 1)",
                   "/references/0/url: expected a string, found number 1");
}

TEST(OsvImporterTest, MissingKeysAreErrors) {
  ExpectShapeError(R"("ecosystem": "Debian:12", )", "",
                   "/affected/0/package: missing \"ecosystem\"");
  ExpectShapeError(R"({"type": "ECOSYSTEM", )", "{", "/affected/0/ranges/0: missing \"type\"");
  ExpectShapeError(R"({"fixed": "3.0.13-1"})", R"({"fxed": "3.0.13-1"})",
                   "/affected/0/ranges/0/events/1: an event needs");
  ExpectShapeError(R"({"type": "CVSS_V3", )", "{", "/severity/0: missing \"type\"");
}

TEST(OsvImporterTest, FreeFormObjectsAreNotChecked) {
  // database_specific and ecosystem_specific belong to each database: what is
  // not a string there is ignored, not an error.
  CollectingSink sink;
  Status st = ImportOsvRecord(R"({"id": "DSA-9-1", "database_specific": {"severity": 3},
    "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
      "ecosystem_specific": {"urgency": ["low"]},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1"}]}]}]})",
                              "rec.json", sink);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.records[0].vendor_severity, "");
}

TEST(OsvImporterTest, OversizedRecordIsRefusedBeforeParsing) {
  CollectingSink sink;
  std::string huge(kMaxOsvRecordBytes + 1, ' ');
  Status st = ImportOsvRecord(huge, "big.json", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("big.json"), std::string::npos);
  EXPECT_NE(st.message().find("limit"), std::string::npos);
}

}  // namespace
}  // namespace warden
