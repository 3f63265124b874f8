#include "vuln/oval_importer.h"

#include <bzlib.h>
#include <gtest/gtest.h>

#include <chrono>

#include "testing/test_util.h"
#include "vuln/vuln_test_util.h"

namespace warden {
namespace {

using testing::CollectingSink;

std::string Sample() {
  auto text =
      HostFs("/").ReadFile(testing::FixturePath("vuln/samples/oracle-elsa-oval-subset.xml"));
  EXPECT_TRUE(text.ok());
  return text.ok() ? *text : "";
}

std::string Bzip2(const std::string& text) {
  std::string out(text.size() + text.size() / 100 + 1024, '\0');
  auto len = static_cast<unsigned>(out.size());
  EXPECT_EQ(BZ2_bzBuffToBuffCompress(out.data(), &len, const_cast<char*>(text.data()),
                                     static_cast<unsigned>(text.size()), 9, 0, 0),
            BZ_OK);
  out.resize(len);
  return out;
}

// One ELSA with per-arch branches, a module stream and a ksplice package,
// written the way Oracle's com.oracle.elsa-ol8.xml writes them.
constexpr const char* kPerArch = R"(<?xml version="1.0" encoding="UTF-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5">
<generator><timestamp>2024-05-02T10:00:00</timestamp></generator>
<definitions>
<definition id="oval:com.oracle.elsa:def:20243330" version="501" class="patch">
<metadata><title>ELSA-2024-3330: nodejs:18 security update (IMPORTANT)</title>
<affected family="unix"><platform>Oracle Linux 8</platform></affected>
<reference source="elsa" ref_id="ELSA-2024-3330" ref_url="https://linux.oracle.com/errata/ELSA-2024-3330.html"/>
<reference source="CVE" ref_id="CVE-2024-27983" ref_url="https://linux.oracle.com/cve/CVE-2024-27983.html"/>
<advisory><severity>IMPORTANT</severity>
<cve cvss3="8.2/CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:H" href="https://linux.oracle.com/cve/CVE-2024-27983.html">CVE-2024-27983</cve>
</advisory></metadata>
<criteria operator="AND">
 <criterion test_ref="t1" comment="Oracle Linux 8 is installed"/>
 <criteria operator="OR">
  <criteria operator="AND">
   <criterion test_ref="t2" comment="Oracle Linux arch is aarch64"/>
   <criterion test_ref="t3" comment="Module nodejs:18 is enabled"/>
   <criteria operator="OR">
    <criteria operator="AND">
     <criterion test_ref="t4" comment="nodejs is earlier than 1:18.20.2-1.module+el8.9.0+90274+8ed5dd61"/>
     <criterion test_ref="t5" comment="nodejs is signed with the Oracle Linux 8 key"/>
    </criteria>
   </criteria>
  </criteria>
  <criteria operator="AND">
   <criterion test_ref="t6" comment="Oracle Linux arch is x86_64"/>
   <criteria operator="AND">
    <criterion test_ref="t7" comment="glibc is earlier than 2:2.28-236.0.1.el8_9.12.ksplice1"/>
    <criterion test_ref="t8" comment="glibc is ksplice-based"/>
   </criteria>
   <criteria operator="AND">
    <criterion test_ref="t9" comment="openssl is earlier than 1:1.1.1k-12.el8_9"/>
   </criteria>
  </criteria>
 </criteria>
</criteria>
</definition>
</definitions>
</oval_definitions>
)";

TEST(OvalImporterTest, SampleGivesOneRecordPerPackageAndCve) {
  CollectingSink sink;
  ASSERT_TRUE(ImportOvalXml(Sample(), "sample.xml", sink).ok());
  // ELSA-2007-0057: 8 packages x 2 CVEs; ELSA-2018-4250: 6 packages x 4 CVEs.
  EXPECT_EQ(sink.records.size(), 40u);
  auto bind = sink.Find("bind-devel", "CVE-2007-0493");
  ASSERT_EQ(bind.size(), 1u);
  EXPECT_EQ(bind[0].distro, "ol");
  EXPECT_EQ(bind[0].release, "5");
  EXPECT_EQ(bind[0].fixed_version, "30:9.3.3-8.el5");
  EXPECT_EQ(bind[0].advisory, "ELSA-2007-0057");
  EXPECT_EQ(bind[0].vendor_severity, "MODERATE");
  EXPECT_EQ(bind[0].scheme, PackageScheme::kRpmBinary);
  EXPECT_EQ(bind[0].link, "http://linux.oracle.com/errata/ELSA-2007-0057.html");
  auto uek = sink.Find("kernel-uek", "CVE-2018-16658");
  ASSERT_EQ(uek.size(), 1u);
  EXPECT_EQ(uek[0].release, "6");
  EXPECT_EQ(uek[0].fixed_version, "0:2.6.39-400.302.2.el6uek");
}

TEST(OvalImporterTest, DanglingTestReferencesAreNotErrors) {
  // The sample's tests/objects/states do not all resolve; criteria comments carry the meaning.
  CollectingSink sink;
  EXPECT_TRUE(ImportOvalXml(Sample(), "sample.xml", sink).ok());
}

TEST(OvalImporterTest, GeneratorTimestampIsTheFeedTime) {
  CollectingSink sink;
  ASSERT_TRUE(ImportOvalXml(Sample(), "sample.xml", sink).ok());
  ASSERT_EQ(sink.feed_times.size(), 1u);
  EXPECT_EQ(sink.feed_times[0].second, 1539302400);  // 2018-10-12T00:00:00Z
}

TEST(OvalImporterTest, ArchModuleAndKspliceComeFromTheCriteriaAroundAPackage) {
  CollectingSink sink;
  ASSERT_TRUE(ImportOvalXml(kPerArch, "ol8.xml", sink).ok());
  ASSERT_EQ(sink.records.size(), 3u);
  auto node = sink.Find("nodejs", "CVE-2024-27983");
  ASSERT_EQ(node.size(), 1u);
  EXPECT_EQ(node[0].arch, "aarch64");
  EXPECT_EQ(node[0].module_stream, "nodejs:18");
  EXPECT_EQ(node[0].release, "8");
  EXPECT_DOUBLE_EQ(node[0].cvss_score, 8.2);
  EXPECT_EQ(node[0].cvss_vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:H");
  auto glibc = sink.Find("glibc", "CVE-2024-27983");
  ASSERT_EQ(glibc.size(), 1u);
  EXPECT_EQ(glibc[0].arch, "x86_64");
  EXPECT_EQ(glibc[0].flavour, "ksplice");
  EXPECT_EQ(glibc[0].module_stream, "");
  auto openssl = sink.Find("openssl", "CVE-2024-27983");
  ASSERT_EQ(openssl.size(), 1u);
  EXPECT_EQ(openssl[0].flavour, "");
  EXPECT_EQ(openssl[0].arch, "x86_64");
}

TEST(OvalImporterTest, TruncatedXmlErrorNamesFileAndLine) {
  CollectingSink sink;
  std::string text = Sample();
  text.resize(text.size() * 2 / 3);
  Status st = ImportOvalXml(text, "elsa.xml", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kParseError);
  EXPECT_NE(st.message().find("elsa.xml:"), std::string::npos) << st.message();
}

TEST(OvalImporterTest, OtherXmlIsRejectedByItsRootElement) {
  CollectingSink sink;
  Status st = ImportOvalXml("<html><body/></html>", "page.xml", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("not <oval_definitions>"), std::string::npos) << st.message();
}

TEST(OvalImporterTest, Bzip2FileImportsLikeThePlainOne) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("elsa.xml.bz2", Bzip2(Sample()));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  CollectingSink sink;
  Status st = ImportOvalFile(f, true, path, sink, {});
  std::fclose(f);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(sink.records.size(), 40u);
}

TEST(OvalImporterTest, CorruptBzip2IsAnErrorNamingTheFile) {
  testing::TempDir dir;
  std::string data = Bzip2(Sample());
  data.resize(data.size() / 2);
  std::string path = dir.WriteFile("elsa.xml.bz2", data);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  CollectingSink sink;
  Status st = ImportOvalFile(f, true, path, sink, {});
  std::fclose(f);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
}

TEST(OvalImporterTest, EntityExpansionBombIsRefusedQuickly) {
  std::string xml = "<?xml version=\"1.0\"?><!DOCTYPE oval_definitions [<!ENTITY a \"aaaaaaaaaa\">";
  for (int i = 1; i < 10; ++i) {
    std::string prev(1, static_cast<char>('a' + i - 1));
    xml += "<!ENTITY " + std::string(1, static_cast<char>('a' + i)) + " \"";
    for (int k = 0; k < 10; ++k) xml += "&" + prev + ";";
    xml += "\">";
  }
  xml +=
      "]><oval_definitions><definitions><definition "
      "id=\"d\"><metadata><title>&j;</title></metadata>"
      "</definition></definitions></oval_definitions>";
  CollectingSink sink;
  auto start = std::chrono::steady_clock::now();
  Status st = ImportOvalXml(xml, "bomb.xml", sink);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(st.ok());
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

// The shape of a real attack on the importer: one 2 KB internal entity,
// referenced 30,000 times in a criterion comment (~94 KB of XML that would
// expand to a 60 MB package name).
std::string FlatEntityBomb(int references) {
  std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE oval_definitions [<!ENTITY e \"" +
                    std::string(2048, 'x') +
                    "\">]>\n<oval_definitions><definitions>"
                    "<definition id=\"oval:d:1\"><metadata><title>t</title>"
                    "<affected><platform>Oracle Linux 8</platform></affected>"
                    "<reference source=\"elsa\" ref_id=\"ELSA-2024-0001\"/></metadata>"
                    "<criteria>";
  xml += "<criterion comment=\"";
  for (int i = 0; i < references; ++i) xml += "&e;";
  xml += " is earlier than 1\"/>";
  xml += "</criteria></definition></definitions></oval_definitions>\n";
  return xml;
}

TEST(OvalImporterTest, DoctypeIsRefusedBeforeAnyEntityIsExpanded) {
  std::string xml = FlatEntityBomb(30000);
  CollectingSink sink;
  auto start = std::chrono::steady_clock::now();
  Status st = ImportOvalXml(xml, "bomb.xml", sink);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kParseError);
  EXPECT_NE(st.message().find("bomb.xml: a DOCTYPE (DTD) is refused"), std::string::npos)
      << st.message();
  EXPECT_TRUE(sink.documents.empty());
  EXPECT_TRUE(sink.records.empty());
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(OvalImporterTest, DoctypeWithoutEntitiesIsRefusedToo) {
  CollectingSink sink;
  Status st = ImportOvalXml("<!DOCTYPE oval_definitions SYSTEM \"oval.dtd\"><oval_definitions/>",
                            "d.xml", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("DOCTYPE"), std::string::npos) << st.message();
}

TEST(OvalImporterTest, UndeclaredEntityIsAnError) {
  CollectingSink sink;
  Status st = ImportOvalXml("<oval_definitions a=\"&e;\"/>", "e.xml", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("e.xml:1:"), std::string::npos) << st.message();
}

// kPerArch with `from` replaced by `to` must fail naming the file, the line
// of the definition and `what`, before the sink hears of the definition.
void ExpectShapeError(const std::string& from, const std::string& to, const std::string& what) {
  std::string xml = kPerArch;
  size_t at = xml.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  xml.replace(at, from.size(), to);
  CollectingSink sink;
  Status st = ImportOvalXml(xml, "ol8.xml", sink);
  ASSERT_FALSE(st.ok()) << xml;
  EXPECT_EQ(st.code(), StatusCode::kParseError);
  EXPECT_NE(st.message().find("ol8.xml:5: definition "), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(what), std::string::npos) << st.message();
  EXPECT_TRUE(sink.documents.empty());
  EXPECT_TRUE(sink.records.empty());
}

TEST(OvalImporterTest, DefinitionWithoutIdIsAnError) {
  ExpectShapeError(R"(<definition id="oval:com.oracle.elsa:def:20243330" )", "<definition ",
                   "definition (no id): missing the id attribute");
}

TEST(OvalImporterTest, DefinitionWithoutCriteriaIsAnError) {
  std::string xml = kPerArch;
  size_t begin = xml.find("<criteria operator=\"AND\">\n <criterion test_ref=\"t1\"");
  size_t end = xml.rfind("</criteria>");
  ASSERT_NE(begin, std::string::npos);
  xml.erase(begin, end + 11 - begin);
  CollectingSink sink;
  Status st = ImportOvalXml(xml, "ol8.xml", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("ol8.xml:5: definition oval:com.oracle.elsa:def:20243330: has no "
                              "<criteria>"),
            std::string::npos)
      << st.message();
  EXPECT_TRUE(sink.documents.empty());
}

TEST(OvalImporterTest, CriterionWithoutCommentOrReleaseIsAnError) {
  ExpectShapeError(R"(comment="openssl is earlier than 1:1.1.1k-12.el8_9")", "",
                   "a <criterion> (test_ref \"t9\") has no comment");
  ExpectShapeError(R"(comment="openssl is earlier than 1:1.1.1k-12.el8_9")",
                   R"(comment="openssl is earlier than ")", "names no package or no version");
  // Neither the platform nor an "is installed" criterion names the release.
  std::string xml = kPerArch;
  xml.replace(xml.find("<platform>Oracle Linux 8</platform>"), 35, "");
  xml.replace(xml.find("comment=\"Oracle Linux 8 is installed\""), 37, "comment=\"x\"");
  CollectingSink sink;
  Status st = ImportOvalXml(xml, "ol8.xml", sink);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("has no release"), std::string::npos) << st.message();
  EXPECT_TRUE(sink.records.empty());
}

}  // namespace
}  // namespace warden
