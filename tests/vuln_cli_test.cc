// End-to-end tests of `warden feed import|status` and `warden scan vulns`,
// run as a user would, through the built binary:
//   - every sample format imports, status reports it, scans give findings;
//   - threshold, --include-unfixed, formats and exit codes;
//   - bad input: an error naming the file, the database left as it was;
//   - acceptance on this Debian host: a tracker feed generated for the host's
//     own installed source packages, with fixed versions on both sides of the
//     installed ones; every verdict must equal `dpkg --compare-versions`;
//   - acceptance on an Oracle Linux fixture root whose rpmdb is built here
//     with rpmbuild/rpm; every verdict must equal python3-rpm's labelCompare.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/strings.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::FixturePath;
using testing::RunCommand;
using testing::RunShell;
using testing::TempDir;
using testing::WardenBinary;

std::string Sample(const std::string& name) { return FixturePath("vuln/samples/" + name); }

CommandResult Warden(std::vector<std::string> args) {
  args.insert(args.begin(), WardenBinary());
  return RunCommand(args);
}

json ParseJson(const CommandResult& r) {
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.out.substr(0, 500) << "\nstderr: " << r.err;
  return j;
}

std::set<std::string> PackageCvePairs(const json& findings) {
  std::set<std::string> out;
  if (!findings.is_array()) return out;
  for (const json& f : findings) out.insert(f.value("package", "") + " " + f.value("cve", ""));
  return out;
}

// ----------------------------------------------------------------- feed import/status

TEST(VulnCliTest, FeedImportOfEverySampleFormatAndStatus) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  auto imp = Warden({"feed", "import", "--db", db, Sample("debian-tracker-subset.json"),
                     Sample("osv-debian-DSA-3029-1.json"), Sample("oracle-elsa-oval-subset.xml")});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_NE(imp.err.find("imported 66 records from 3 file(s)"), std::string::npos) << imp.err;
  auto status = Warden({"feed", "status", "--db", db, "--format", "json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  json j = ParseJson(status);
  ASSERT_TRUE(j.is_array());
  std::map<std::string, json> by_source;
  for (const json& row : j) by_source[row["source"]] = row;
  ASSERT_EQ(by_source.size(), 3u);
  EXPECT_EQ(by_source["debian-tracker"]["records"], 25);
  EXPECT_EQ(by_source["osv-debian"]["records"], 1);
  EXPECT_EQ(by_source["oracle-elsa"]["records"], 40);
  EXPECT_EQ(by_source["oracle-elsa"]["feed_time"], "2018-10-12T00:00:00Z");
  EXPECT_TRUE(by_source["oracle-elsa"]["age_seconds"].is_number_integer());
  EXPECT_GT(by_source["oracle-elsa"]["age_seconds"].get<int64_t>(), 86400 * 365);
}

TEST(VulnCliTest, FeedImportOfBzip2OvalAndOsvZip) {
  TempDir dir;
  std::filesystem::copy_file(Sample("oracle-elsa-oval-subset.xml"), dir.path() + "/elsa.xml");
  ASSERT_EQ(RunShell("bzip2 " + dir.path() + "/elsa.xml").exit_code, 0);
  std::filesystem::create_directories(dir.path() + "/osv");
  std::filesystem::copy_file(Sample("osv-debian-DSA-3029-1.json"),
                             dir.path() + "/osv/DSA-3029-1.json");
  auto zip = RunShell(
      "cd " + dir.path() +
      "/osv && python3 -c \"import zipfile; z = zipfile.ZipFile('all.zip', 'w', "
      "zipfile.ZIP_DEFLATED); z.write('DSA-3029-1.json'); z.close()\" && rm DSA-3029-1.json");
  ASSERT_EQ(zip.exit_code, 0) << zip.err;
  std::string db = dir.path() + "/feeds.db";
  auto imp = Warden(
      {"feed", "import", "--db", db, dir.path() + "/elsa.xml.bz2", dir.path() + "/osv/all.zip"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_NE(imp.err.find("oval-xml-bz2, 40 records"), std::string::npos) << imp.err;
  EXPECT_NE(imp.err.find("osv-zip, 1 records"), std::string::npos) << imp.err;
}

TEST(VulnCliTest, TruncatedFeedFailsNamingFileAndPositionAndKeepsTheDatabase) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  ASSERT_EQ(Warden({"feed", "import", "--db", db, Sample("oracle-elsa-oval-subset.xml")}).exit_code,
            0);
  const std::string before = testing::ReadFileText(db);
  std::string tracker = testing::ReadFileText(Sample("debian-tracker-subset.json"));
  std::string bad = dir.WriteFile("tracker.json", tracker.substr(0, 3000));
  auto r = Warden({"feed", "import", "--db", db, Sample("osv-debian-DSA-3029-1.json"), bad});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line "), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line on stderr: " << r.err;
  EXPECT_EQ(testing::ReadFileText(db), before);
}

TEST(VulnCliTest, UnknownFormatIsExitTwo) {
  TempDir dir;
  auto r = Warden(
      {"feed", "import", "--db", dir.path() + "/feeds.db", dir.WriteFile("x.json", "[1, 2, 3]")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("x.json: unknown feed format"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/feeds.db"));
}

// ----------------------------------------------------------------- malformed feeds keep the data

std::string FixtureTracker() {
  return testing::ReadFileText(FixturePath("vuln/feeds/tracker-bookworm.json"));
}

// The fixture tracker feed with the value at `pointer` (a JSON pointer) replaced.
std::string TrackerWith(const std::string& pointer, const json& value) {
  json tracker = json::parse(FixtureTracker());
  tracker[json::json_pointer(pointer)] = value;
  return tracker.dump(1);
}

// The fixable findings of the Debian fixture root against `db`, as "package CVE".
std::set<std::string> DebianRootFindings(const std::string& db) {
  auto r = Warden(
      {"scan", "vulns", "--db", db, "--root", FixturePath("vuln/debian-root"), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  return PackageCvePairs(ParseJson(r));
}

// Imports `bad` into `db` and expects exit 2, one line on stderr naming the
// file and `where`, and the database byte-for-byte as it was.
void ExpectRefusedAndUnchanged(const std::string& db, const std::string& bad,
                               const std::string& where) {
  const std::string before = testing::ReadFileText(db);
  auto r = Warden({"feed", "import", "--db", db, bad});
  EXPECT_EQ(r.exit_code, 2) << where << ": " << r.err;
  EXPECT_NE(r.err.find("feed import failed, database unchanged"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(bad + where), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line on stderr: " << r.err;
  EXPECT_TRUE(testing::ReadFileText(db) == before) << where << ": the database changed";
}

TEST(VulnCliTest, MalformedTrackerFeedFailsAndKeepsTheFindings) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  ASSERT_EQ(Warden({"feed", "import", "--db", db, FixturePath("vuln/feeds/tracker-bookworm.json")})
                .exit_code,
            0);
  const std::set<std::string> findings = DebianRootFindings(db);
  ASSERT_EQ(findings.count("openssl CVE-2023-5678"), 1u);
  ASSERT_EQ(findings.count("libssl3 CVE-2023-5678"), 1u);
  std::string bad = dir.path() + "/tracker.json";
  struct Case {
    std::string pointer;
    json value;
    std::string where;
  };
  const std::string entry = "/openssl/CVE-2023-5678";
  for (const Case& c : std::vector<Case>{
           {entry + "/releases", "bookworm",
            ": " + entry + "/releases: expected an object of releases, found string"},
           {entry + "/releases/bookworm/fixed_version", 123,
            ": " + entry + "/releases/bookworm/fixed_version: expected a string, found number 123"},
           {entry + "/releases/bookworm/status", nullptr,
            ": " + entry + "/releases/bookworm: missing \"status\""},
           {entry, json::array(), ": " + entry + ": expected an object (one CVE entry)"}}) {
    std::ofstream(bad, std::ios::trunc) << TrackerWith(c.pointer, c.value);
    ExpectRefusedAndUnchanged(db, bad, c.where);
    EXPECT_EQ(DebianRootFindings(db), findings) << c.pointer;
  }
}

// An OSV record for the fixture's openssl, fixed in bookworm after the installed version.
json OsvOpensslRecord() {
  return json::parse(R"({"id": "DSA-5999-1", "modified": "2024-02-01T00:00:00Z",
    "aliases": ["CVE-2024-0727"], "summary": "openssl security update",
    "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.13-1~deb12u1"}]}]}]})");
}

TEST(VulnCliTest, MalformedOsvRecordFailsAndKeepsTheFindings) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  std::string good = dir.WriteFile("good/DSA-5999-1.json", OsvOpensslRecord().dump());
  ASSERT_EQ(Warden({"feed", "import", "--db", db, good}).exit_code, 0);
  const std::set<std::string> findings = DebianRootFindings(db);
  ASSERT_EQ(findings, (std::set<std::string>{"openssl CVE-2024-0727", "libssl3 CVE-2024-0727"}));
  std::string bad = dir.path() + "/DSA-5999-1.json";
  struct Case {
    std::string pointer;
    json value;
    std::string where;
  };
  for (const Case& c : std::vector<Case>{
           {"/affected/0/ranges", "ECOSYSTEM",
            ": /affected/0/ranges: expected a list, found string"},
           {"/affected/0/ranges/0/events/1/fixed", 3,
            ": /affected/0/ranges/0/events/1/fixed: expected a string, found number 3"},
           {"/aliases", "CVE-2024-0727", ": /aliases: expected a list, found string"},
           {"/affected/0/package/name", nullptr, ": /affected/0/package: missing \"name\""}}) {
    json record = OsvOpensslRecord();
    record[json::json_pointer(c.pointer)] = c.value;
    std::ofstream(bad, std::ios::trunc) << record.dump();
    ExpectRefusedAndUnchanged(db, bad, c.where);
    EXPECT_EQ(DebianRootFindings(db), findings) << c.pointer;
  }
}

// One ELSA for Oracle Linux 8, in the shape of com.oracle.elsa-ol8.xml.
std::string OvalDefinitions(const std::string& doctype, const std::string& criteria) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + doctype +
         "<oval_definitions xmlns=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\">\n"
         "<definitions>\n"
         "<definition id=\"oval:com.oracle.elsa:def:20240001\" version=\"1\" class=\"patch\">\n"
         "<metadata><title>ELSA-2024-0001: openssl security update (IMPORTANT)</title>"
         "<affected family=\"unix\"><platform>Oracle Linux 8</platform></affected>"
         "<reference source=\"elsa\" ref_id=\"ELSA-2024-0001\"/>"
         "<reference source=\"CVE\" ref_id=\"CVE-2024-0727\"/></metadata>\n" +
         criteria + "</definition>\n</definitions>\n</oval_definitions>\n";
}

const char* kOvalCriteria =
    "<criteria operator=\"AND\"><criterion comment=\"Oracle Linux 8 is installed\"/>"
    "<criterion comment=\"openssl is earlier than 1:1.1.1k-12.el8_9\"/></criteria>\n";

std::string FeedStatusRecords(const std::string& db) {
  auto r = Warden({"feed", "status", "--db", db, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json j = ParseJson(r);
  return j.is_array() && !j.empty() ? j[0].value("source", "") + " " + j[0]["records"].dump() : "";
}

TEST(VulnCliTest, MalformedOvalDefinitionFailsAndKeepsTheRecords) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  ASSERT_EQ(Warden({"feed", "import", "--db", db,
                    dir.WriteFile("good.xml", OvalDefinitions("", kOvalCriteria))})
                .exit_code,
            0);
  ASSERT_EQ(FeedStatusRecords(db), "oracle-elsa 1");
  ExpectRefusedAndUnchanged(db, dir.WriteFile("nocriteria.xml", OvalDefinitions("", "")),
                            ":4: definition oval:com.oracle.elsa:def:20240001: has no <criteria>");
  ExpectRefusedAndUnchanged(
      db,
      dir.WriteFile("nocomment.xml",
                    OvalDefinitions("", "<criteria><criterion test_ref=\"t\"/></criteria>")),
      ":4: definition oval:com.oracle.elsa:def:20240001: a <criterion> (test_ref \"t\") has no "
      "comment");
  EXPECT_EQ(FeedStatusRecords(db), "oracle-elsa 1");
}

TEST(VulnCliTest, OvalEntityBombIsRefusedQuicklyWithoutGrowingTheDatabase) {
  // ~94 KB: one 2 KB internal entity referenced 30,000 times in one
  // attribute. Expanded, that is a 60 MB package name.
  std::string references;
  for (int i = 0; i < 30000; ++i) references += "&e;";
  const std::string criteria =
      "<criteria><criterion comment=\"Oracle Linux 8 is installed\"/><criterion comment=\"" +
      references + " is earlier than 1\"/></criteria>\n";
  const std::string doctype =
      "<!DOCTYPE oval_definitions [<!ENTITY e \"" + std::string(2048, 'p') + "\">]>\n";
  TempDir dir;
  std::string bomb = dir.WriteFile("bomb.xml", OvalDefinitions(doctype, criteria));
  ASSERT_GT(std::filesystem::file_size(bomb), 90'000u);
  ASSERT_LT(std::filesystem::file_size(bomb), 100'000u);
  std::string db = dir.path() + "/feeds.db";

  auto start = std::chrono::steady_clock::now();
  auto r = Warden({"feed", "import", "--db", db, bomb});
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_NE(r.err.find(bomb + ": a DOCTYPE (DTD) is refused"), std::string::npos) << r.err;
  EXPECT_LT(r.err.size(), 1024u);
  EXPECT_FALSE(std::filesystem::exists(db)) << "a failed first import leaves no file";

  // Into an existing database: refused the same way, the database as it was.
  ASSERT_EQ(Warden({"feed", "import", "--db", db,
                    dir.WriteFile("good.xml", OvalDefinitions("", kOvalCriteria))})
                .exit_code,
            0);
  const auto size_before = std::filesystem::file_size(db);
  ExpectRefusedAndUnchanged(db, bomb, ": a DOCTYPE (DTD) is refused");
  EXPECT_EQ(std::filesystem::file_size(db), size_before);
}

// ----------------------------------------------------------------- scan on the Debian fixture

class DebianFixtureScan : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = Warden({"feed", "import", "--db", db_, FixturePath("vuln/feeds/tracker-bookworm.json"),
                     Sample("debian-tracker-subset.json"), Sample("osv-debian-DSA-3029-1.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  CommandResult Scan(std::vector<std::string> extra) {
    std::vector<std::string> args = {"scan", "vulns",  "--db",
                                     db_,    "--root", FixturePath("vuln/debian-root")};
    args.insert(args.end(), extra.begin(), extra.end());
    return Warden(args);
  }
  TempDir dir_;
  std::string db_ = dir_.path() + "/feeds.db";
};

TEST_F(DebianFixtureScan, JsonListsFixableFindingsWithTheDocumentedKeys) {
  auto r = Scan({"--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  json j = ParseJson(r);
  ASSERT_TRUE(j.is_array());
  std::set<std::string> expected = {"chromium CVE-2022-0456",
                                    "libsope1 CVE-2025-53603",
                                    "libssl3 CVE-2023-5678",
                                    "libssl3 CVE-2024-0727",
                                    "openssl CVE-2023-5678",
                                    "openssl CVE-2024-0727",
                                    "linux-image-6.1.0-18-amd64 CVE-2024-26581"};
  EXPECT_EQ(PackageCvePairs(j), expected);
  for (const json& f : j) {
    for (const char* key : {"package", "cve", "installed_version", "fixed_version", "status",
                            "severity", "advisory", "links", "remediation"})
      EXPECT_TRUE(f.contains(key)) << key;
    EXPECT_EQ(f["status"], "fixed");
    EXPECT_TRUE(f["fixed_version"].is_string());
    EXPECT_TRUE(StartsWith(f["remediation"].get<std::string>(), "apt-get install --only-upgrade "));
    EXPECT_GE(f["links"].size(), 2u);
  }
}

TEST_F(DebianFixtureScan, IncludeUnfixedAddsAffectedAndWillNotFix) {
  auto r = Scan({"--format", "json", "--include-unfixed"});
  EXPECT_EQ(r.exit_code, 1);
  json j = ParseJson(r);
  std::map<std::string, json> by_pair;
  for (const json& f : j)
    by_pair[f["package"].get<std::string>() + " " + f["cve"].get<std::string>()] = f;
  ASSERT_EQ(by_pair.size(), 9u);
  const json& zlib = by_pair["zlib1g CVE-2023-45853"];
  EXPECT_EQ(zlib["status"], "affected");
  EXPECT_TRUE(zlib["fixed_version"].is_null());
  EXPECT_EQ(zlib["severity"], "high");
  EXPECT_TRUE(StartsWith(zlib["remediation"].get<std::string>(),
                         "no fix available, vendor status: affected"));
  EXPECT_EQ(by_pair["libtiff6 CVE-2023-6228"]["status"], "will_not_fix");
  // Removed package (config-files only), an installed-but-not-running kernel
  // and linux-libc-dev never show.
  for (const auto& [pair, f] : by_pair) {
    EXPECT_NE(f["package"], "libtiff5");
    EXPECT_NE(f["package"], "linux-image-6.1.0-17-amd64");
    EXPECT_NE(f["package"], "linux-libc-dev");
  }
}

TEST_F(DebianFixtureScan, ThresholdDecidesListAndExitCode) {
  auto high = Scan({"--format", "json", "--min-severity", "high"});
  EXPECT_EQ(high.exit_code, 0) << "no fixable finding is rated high";
  EXPECT_EQ(ParseJson(high).size(), 0u);
  auto high_unfixed = Scan({"--format", "json", "--min-severity", "high", "--include-unfixed"});
  EXPECT_EQ(high_unfixed.exit_code, 1);
  EXPECT_EQ(PackageCvePairs(ParseJson(high_unfixed)),
            std::set<std::string>{"zlib1g CVE-2023-45853"});
  auto medium = Scan({"--format", "json", "--min-severity", "medium"});
  EXPECT_EQ(medium.exit_code, 1);
  EXPECT_EQ(PackageCvePairs(ParseJson(medium)),
            (std::set<std::string>{"libssl3 CVE-2023-5678", "openssl CVE-2023-5678"}));
}

TEST_F(DebianFixtureScan, CsvHasAHeaderAndOneRowPerFinding) {
  auto r = Scan({"--format", "csv"});
  EXPECT_EQ(r.exit_code, 1);
  auto lines = SplitString(r.out, '\n');
  ASSERT_GE(lines.size(), 2u);
  EXPECT_TRUE(StartsWith(
      lines[0],
      "package,installed_version,cve,severity,status,fixed_version,advisory,remediation"));
  size_t rows = 0;
  for (size_t i = 1; i < lines.size(); ++i)
    if (!TrimWhitespace(lines[i]).empty()) ++rows;
  EXPECT_EQ(rows, 7u);
}

TEST_F(DebianFixtureScan, OcsfOutputHasClass2002RequiredFields) {
  auto r = Scan({"--format", "ocsf"});
  EXPECT_EQ(r.exit_code, 1);
  json j = ParseJson(r);
  ASSERT_EQ(j.size(), 7u);
  for (const json& e : j) {
    // OCSF 1.1 base event + Findings category + Vulnerability Finding class.
    for (const char* key : {"activity_id", "category_uid", "class_uid", "type_uid", "time",
                            "severity_id", "metadata", "finding_info", "vulnerabilities"})
      EXPECT_TRUE(e.contains(key)) << key;
    EXPECT_EQ(e["class_uid"], 2002);
    EXPECT_EQ(e["category_uid"], 2);
    EXPECT_EQ(e["type_uid"], 200201);
    EXPECT_TRUE(e["metadata"].contains("product"));
    EXPECT_TRUE(e["metadata"].contains("version"));
    EXPECT_TRUE(e["finding_info"].contains("uid"));
    EXPECT_TRUE(e["finding_info"].contains("title"));
    ASSERT_EQ(e["vulnerabilities"].size(), 1u);
    EXPECT_TRUE(StartsWith(e["vulnerabilities"][0]["cve"]["uid"].get<std::string>(), "CVE-"));
    EXPECT_TRUE(e["vulnerabilities"][0]["affected_packages"][0].contains("name"));
    EXPECT_TRUE(e["vulnerabilities"][0]["affected_packages"][0].contains("version"));
  }
}

TEST_F(DebianFixtureScan, VulnerabilitiesTableAnswersWardenQuery) {
  auto r = Warden({"query", "--root", FixturePath("vuln/debian-root"), "--format", "json",
                   "SELECT package, cve, status FROM vulnerabilities WHERE feed_db = '" + db_ +
                       "' AND status = 'affected'"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = ParseJson(r);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["package"], "zlib1g");
}

TEST_F(DebianFixtureScan, BadOptionsAndMissingDatabaseAreExitTwo) {
  EXPECT_EQ(Scan({"--min-severity", "extreme"}).exit_code, 2);
  EXPECT_EQ(Scan({"--format", "xml"}).exit_code, 2);
  auto r = Warden({"scan", "vulns", "--db", dir_.path() + "/none.db", "--root",
                   FixturePath("vuln/debian-root")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("none.db"), std::string::npos) << r.err;
}

TEST(VulnCliTest, UnreadableRpmDatabaseIsExitTwoNamingIt) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/root/etc");
  std::filesystem::copy_file(FixturePath("vuln/ol8-root/etc/os-release"),
                             dir.path() + "/root/etc/os-release");
  dir.WriteFile("root/var/lib/rpm/rpmdb.sqlite", std::string(8192, '\x5a'));
  std::string db = dir.path() + "/feeds.db";
  ASSERT_EQ(Warden({"feed", "import", "--db", db, Sample("oracle-elsa-oval-subset.xml")}).exit_code,
            0);
  auto r =
      Warden({"scan", "vulns", "--db", db, "--root", dir.path() + "/root", "--format", "json"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("rpm"), std::string::npos) << r.err;
}

TEST(VulnCliTest, HelpShowsExamples) {
  auto r = Warden({"scan", "vulns", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--min-severity"), std::string::npos);
  EXPECT_NE(r.out.find("Examples:"), std::string::npos);
}

// ----------------------------------------------------------------- acceptance: this Debian host

struct InstalledDeb {
  std::string name, source, source_version, status;
};

TEST(VulnHostAcceptance, VerdictsOnThisHostAgreeWithDpkgCompareVersions) {
  auto os = testing::ReadFileText("/etc/os-release");
  if (os.find("ID=debian") == std::string::npos) GTEST_SKIP() << "not a Debian host";
  std::string codename;
  for (auto line : SplitString(os, '\n'))
    if (StartsWith(line, "VERSION_CODENAME=")) codename = std::string(line.substr(17));
  ASSERT_FALSE(codename.empty());
  auto q = RunCommand({"dpkg-query", "-W", "-f",
                       "${Package}\t${source:Package}\t${source:Version}\t${db:Status-Abbrev}\n"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  std::vector<InstalledDeb> installed;
  std::map<std::string, std::string> source_versions;  // source -> version (first seen)
  for (auto line : SplitString(q.out, '\n')) {
    auto f = SplitString(line, '\t');
    if (f.size() < 4) continue;
    InstalledDeb d{std::string(f[0]), std::string(f[1]), std::string(f[2]),
                   std::string(TrimWhitespace(f[3]))};
    // Kernel packages follow the running-kernel rule (unit-tested); keep them out of this check.
    if (StartsWith(d.source, "linux")) continue;
    installed.push_back(d);
    source_versions.emplace(d.source, d.source_version);
  }
  ASSERT_GT(source_versions.size(), 20u);

  // Fixed versions on both sides of each installed source version, built the
  // ways real fixes are versioned: a security upload (+deb12u1), a tilde
  // pre-release, a rebuild, the same version, an older revision, an epoch bump.
  auto variants = [](const std::string& v) {
    std::vector<std::string> out = {v + "+deb12u1", v + "~rc1", v, v + ".1", "0.1-1"};
    if (v.find(':') == std::string::npos) out.push_back("1:" + v);
    return out;
  };
  json tracker = json::object();
  std::vector<std::tuple<std::string, std::string, std::string>> cases;  // source, cve, fixed
  int n = 0;
  for (const auto& [source, version] : source_versions) {
    const auto vs = variants(version);
    for (int k = 0; k < 2; ++k) {
      const std::string& fixed = vs[static_cast<size_t>(n + k * 3) % vs.size()];
      std::string cve = "CVE-2099-" + std::to_string(10000 + n * 2 + k);
      tracker[source][cve]["releases"][codename] = {
          {"status", "resolved"}, {"fixed_version", fixed}, {"urgency", "medium"}};
      cases.emplace_back(source, cve, fixed);
    }
    ++n;
  }
  TempDir dir;
  std::string feed = dir.WriteFile("host-tracker.json", tracker.dump());
  std::string db = dir.path() + "/feeds.db";
  auto imp = Warden({"feed", "import", "--db", db, feed});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;

  // dpkg's verdict for every (source version, fixed version) pair, in one shell.
  std::string pairs;
  for (const auto& [source, cve, fixed] : cases)
    pairs += source_versions[source] + " " + fixed + "\n";
  std::string pairs_file = dir.WriteFile("pairs.txt", pairs);
  auto dpkg = RunShell(
      "while read a b; do if dpkg --compare-versions \"$a\" lt \"$b\"; then echo 1; else echo 0; "
      "fi; done < " +
      pairs_file);
  ASSERT_EQ(dpkg.exit_code, 0) << dpkg.err;
  auto verdicts = SplitString(dpkg.out, '\n');
  ASSERT_GE(verdicts.size(), cases.size());
  std::map<std::string, std::vector<std::string>>
      vulnerable_cves;  // source -> CVEs dpkg says affect it
  for (size_t i = 0; i < cases.size(); ++i)
    if (verdicts[i] == "1") vulnerable_cves[std::get<0>(cases[i])].push_back(std::get<1>(cases[i]));

  std::set<std::string> expected;
  for (const InstalledDeb& d : installed) {
    if (d.status.size() < 2 || d.status[1] == 'c' || d.status[1] == 'n')
      continue;  // removed, conffiles only
    for (const auto& cve : vulnerable_cves[d.source]) expected.insert(d.name + " " + cve);
  }
  ASSERT_FALSE(expected.empty());

  auto scan = Warden({"scan", "vulns", "--db", db, "--format", "json"});
  ASSERT_NE(scan.exit_code, 2) << scan.err;
  std::set<std::string> got = PackageCvePairs(ParseJson(scan));
  std::vector<std::string> missing, extra;
  std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  EXPECT_TRUE(missing.empty()) << missing.size()
                               << " verdicts dpkg calls vulnerable are missing, e.g. "
                               << (missing.empty() ? "" : missing.front());
  EXPECT_TRUE(extra.empty()) << extra.size() << " findings dpkg calls fixed, e.g. "
                             << (extra.empty() ? "" : extra.front());
  EXPECT_EQ(scan.exit_code, 1);
  ::testing::Test::RecordProperty("host_findings_checked", static_cast<int>(expected.size()));
}

// ----------------------------------------------------------------- acceptance: Oracle Linux
// fixture root

struct TestRpm {
  std::string name, epoch, version, release, arch, modularity_label;
  std::string Evr() const { return (epoch.empty() ? "" : epoch + ":") + version + "-" + release; }
};

std::string SpecFor(const TestRpm& p) {
  std::string spec = "Name: " + p.name + "\n";
  if (!p.epoch.empty()) spec += "Epoch: " + p.epoch + "\n";
  spec += "Version: " + p.version + "\nRelease: " + p.release +
          "\nSummary: Warden vulnerability test package\nLicense: MIT\nBuildArch: " + p.arch + "\n";
  if (!p.modularity_label.empty()) spec += "ModularityLabel: " + p.modularity_label + "\n";
  spec += "\n%description\nA package for the vulnerability scan tests.\n\n%files\n";
  return spec;
}

// Builds the packages and an rpmdb under root (once per suite: rpmbuild is slow).
std::string BuildRpmRoot(const TempDir& work, const std::string& root,
                         const std::string& os_release_fixture,
                         const std::vector<TestRpm>& packages, const std::string& running_kernel) {
  std::filesystem::create_directories(root + "/etc");
  std::filesystem::copy_file(FixturePath(os_release_fixture), root + "/etc/os-release");
  std::filesystem::create_directories(root + "/proc/sys/kernel");
  std::ofstream(root + "/proc/sys/kernel/osrelease") << running_kernel << "\n";
  std::string top = work.path() + "/rpmbuild-" + std::filesystem::path(root).filename().string();
  for (const TestRpm& p : packages) {
    std::string spec = work.WriteFile("specs/" + p.name + "-" + p.release + ".spec", SpecFor(p));
    auto r = RunCommand({"rpmbuild", "-bb", "--define", "_topdir " + top, spec});
    if (r.exit_code != 0) return "rpmbuild failed for " + p.name + ": " + r.err.substr(0, 1500);
  }
  std::filesystem::create_directories(root + "/var/lib/rpm");
  auto init = RunCommand({"rpm", "--root", root, "--dbpath", "/var/lib/rpm", "--initdb"});
  if (init.exit_code != 0) return "rpm --initdb failed: " + init.err;
  std::vector<std::string> install = {
      "rpm",      "--root",   root,           "--dbpath",   "/var/lib/rpm", "-i",
      "--nodeps", "--justdb", "--ignorearch", "--ignoreos", "--oldpackage", "--replacepkgs"};
  for (const auto& e : std::filesystem::recursive_directory_iterator(top + "/RPMS"))
    if (e.path().extension() == ".rpm") install.push_back(e.path().string());
  auto r = RunCommand(install);
  if (r.exit_code != 0) return "rpm -i --justdb failed: " + r.err;
  return "";
}

class OracleFixtureScan : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = new TempDir();
    error_ = BuildRpmRoot(*work_, work_->path() + "/ol8", "vuln/ol8-root/etc/os-release",
                          Ol8Packages(), "5.15.0-200.131.27.el8uek.x86_64");
    if (error_.empty())
      error_ = BuildRpmRoot(*work_, work_->path() + "/ol6", "vuln/ol6-root/etc/os-release",
                            Ol6Packages(), "2.6.39-400.302.1.el6uek.x86_64");
  }
  static void TearDownTestSuite() {
    delete work_;
    work_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(error_, "") << "building the rpm fixture root failed"; }

  static std::vector<TestRpm> Ol8Packages() {
    return {{"bind", "32", "9.11.36", "16.el8_10", "x86_64", ""},
            {"openssl-libs", "1", "1.1.1k", "9.el8_7", "x86_64", ""},
            {"nodejs", "1", "18.19.0", "1.module+el8.9.0+90001+8ed5dd61", "x86_64",
             "nodejs:18:8090020240112:aaaa1111"},
            {"tzdata", "", "2024a", "1.el8", "noarch", ""},
            {"curl", "", "7.61.1", "33.el8_9.5", "x86_64", ""},
            {"kernel-uek", "", "5.15.0", "200.131.27.el8uek", "x86_64", ""},
            {"kernel-uek", "", "5.15.0", "202.135.2.el8uek", "x86_64", ""}};
  }
  static std::vector<TestRpm> Ol6Packages() {
    return {{"kernel-uek", "", "2.6.39", "400.302.1.el6uek", "x86_64", ""},
            {"kernel-uek", "", "2.6.39", "400.290.1.el6uek", "x86_64", ""},
            {"kernel-uek-firmware", "", "2.6.39", "400.302.1.el6uek", "noarch", ""},
            {"bind", "30", "9.3.6", "25.P1.el6_10", "x86_64", ""}};
  }
  static std::string Ol8Root() { return work_->path() + "/ol8"; }
  static std::string Ol6Root() { return work_->path() + "/ol6"; }

  static TempDir* work_;
  static std::string error_;
};
TempDir* OracleFixtureScan::work_ = nullptr;
std::string OracleFixtureScan::error_;

TEST_F(OracleFixtureScan, SampleElsaFindsTheRunningUekKernelOnly) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  ASSERT_EQ(Warden({"feed", "import", "--db", db, Sample("oracle-elsa-oval-subset.xml")}).exit_code,
            0);
  auto r = Warden({"scan", "vulns", "--db", db, "--root", Ol6Root(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  json j = ParseJson(r);
  std::set<std::string> expected;
  for (const char* pkg : {"kernel-uek", "kernel-uek-firmware"})
    for (const char* cve : {"CVE-2018-7566", "CVE-2017-13695", "CVE-2018-16658", "CVE-2018-7492"})
      expected.insert(std::string(pkg) + " " + cve);
  EXPECT_EQ(PackageCvePairs(j), expected);
  for (const json& f : j) {
    EXPECT_EQ(f["installed_version"],
              "2.6.39-400.302.1.el6uek");  // not the older, not-running kernel
    EXPECT_EQ(f["fixed_version"], "0:2.6.39-400.302.2.el6uek");
    EXPECT_EQ(f["advisory"], "ELSA-2018-4250");
    EXPECT_EQ(f["severity"], "high");
    EXPECT_EQ(f["remediation"], "yum update " + f["package"].get<std::string>());
  }
}

TEST_F(OracleFixtureScan, VerdictsAgreeWithRpmLabelCompare) {
  // An ELSA OVAL feed for OL8 with fixed EVRs on both sides of each installed
  // package, in the shapes real errata use.
  std::vector<TestRpm> installed = Ol8Packages();
  struct Case {
    std::string package, cve, fixed, installed_evr;
  };
  std::vector<Case> cases;
  std::string criteria;
  int n = 0;
  for (const TestRpm& p : installed) {
    if (p.name == "kernel-uek" && p.release != "200.131.27.el8uek")
      continue;  // only the running kernel counts
    std::string e = p.epoch.empty() ? "0" : p.epoch;
    std::vector<std::string> fixes = {
        e + ":" + p.version + "-" + p.release,             // exactly installed: fixed
        e + ":" + p.version + "-" + p.release + ".1",      // a z-stream rebuild: newer
        e + ":" + p.version + "-" + p.release + "~rc1",    // older
        std::to_string(std::stoi(e) + 1) + ":0.1-1.el8"};  // epoch bump
    for (const std::string& fixed : fixes) {
      std::string cve = "CVE-2099-" + std::to_string(20000 + n++);
      cases.push_back({p.name, cve, fixed, e + ":" + p.version + "-" + p.release});
      std::string module = p.modularity_label.empty() ? "" : "Module nodejs:18 is enabled";
      criteria +=
          "<definition id=\"oval:com.oracle.elsa:def:" + std::to_string(n) +
          "\" class=\"patch\"><metadata>"
          "<title>ELSA-2099-" +
          std::to_string(n) + ": " + p.name +
          " update (IMPORTANT)</title>"
          "<affected family=\"unix\"><platform>Oracle Linux 8</platform></affected>"
          "<reference source=\"elsa\" ref_id=\"ELSA-2099-" +
          std::to_string(n) + "\" ref_url=\"https://linux.oracle.com/errata/ELSA-2099-" +
          std::to_string(n) +
          ".html\"/>"
          "<advisory><severity>IMPORTANT</severity><cve>" +
          cve +
          "</cve></advisory></metadata>"
          "<criteria operator=\"AND\"><criterion comment=\"Oracle Linux 8 is installed\"/>"
          "<criteria operator=\"AND\"><criterion comment=\"Oracle Linux arch is x86_64\"/>" +
          (module.empty() ? "" : "<criterion comment=\"" + module + "\"/>") +
          "<criteria operator=\"AND\"><criterion comment=\"" + p.name + " is earlier than " +
          fixed + "\"/><criterion comment=\"" + p.name +
          " is signed with the Oracle Linux 8 key\"/></criteria>"
          "</criteria></criteria></definition>\n";
    }
  }
  // Records that must never apply: another arch, another module stream, another release.
  criteria +=
      "<definition id=\"x1\" class=\"patch\"><metadata><title>ELSA-2099-9001</title>"
      "<reference source=\"elsa\" "
      "ref_id=\"ELSA-2099-9001\"/><advisory><cve>CVE-2099-9001</cve></advisory>"
      "</metadata><criteria><criterion comment=\"Oracle Linux 8 is installed\"/><criteria>"
      "<criterion comment=\"Oracle Linux arch is aarch64\"/>"
      "<criterion comment=\"curl is earlier than 0:99-1.el8\"/></criteria>"
      "<criteria><criterion comment=\"Module nodejs:20 is enabled\"/>"
      "<criterion comment=\"nodejs is earlier than "
      "1:99-1.module+el8.9.0+1+abc\"/></criteria></criteria>"
      "</definition>\n<definition id=\"x2\" class=\"patch\"><metadata><title>ELSA-2099-9002</title>"
      "<reference source=\"elsa\" "
      "ref_id=\"ELSA-2099-9002\"/><advisory><cve>CVE-2099-9002</cve></advisory>"
      "</metadata><criteria><criterion comment=\"Oracle Linux 9 is installed\"/>"
      "<criterion comment=\"bind is earlier than 99:1-1.el9\"/></criteria></definition>\n";
  TempDir dir;
  std::string feed = dir.WriteFile(
      "com.oracle.elsa-ol8.xml",
      "<?xml version=\"1.0\"?>\n<oval_definitions xmlns=\"http://oval.mitre.org/XMLSchema/"
      "oval-definitions-5\"><definitions>\n" +
          criteria + "</definitions></oval_definitions>\n");
  std::string db = dir.path() + "/feeds.db";
  auto imp = Warden({"feed", "import", "--db", db, feed});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;

  // rpm's own verdict for each case.
  std::string lines;
  for (const Case& c : cases) lines += c.installed_evr + "\t" + c.fixed + "\n";
  std::string pairs = dir.WriteFile("pairs.tsv", lines);
  std::string script =
      dir.WriteFile("judge.py",
                    "import sys, rpm\n"
                    "def evr(s):\n"
                    "    e, rest = s.split(':', 1)\n"
                    "    v, r = rest.rsplit('-', 1)\n"
                    "    return (e, v, r)\n"
                    "for line in open(sys.argv[1]):\n"
                    "    a, b = line.rstrip('\\n').split('\\t')\n"
                    "    print(1 if rpm.labelCompare(evr(a), evr(b)) < 0 else 0)\n");
  auto judged = RunCommand({"/usr/bin/python3", script, pairs});
  ASSERT_EQ(judged.exit_code, 0) << judged.err;
  auto verdicts = SplitString(judged.out, '\n');
  ASSERT_GE(verdicts.size(), cases.size());
  std::set<std::string> expected;
  for (size_t i = 0; i < cases.size(); ++i)
    if (verdicts[i] == "1") expected.insert(cases[i].package + " " + cases[i].cve);
  ASSERT_FALSE(expected.empty());

  auto scan = Warden({"scan", "vulns", "--db", db, "--root", Ol8Root(), "--format", "json"});
  EXPECT_EQ(scan.exit_code, 1) << scan.err;
  json j = ParseJson(scan);
  EXPECT_EQ(PackageCvePairs(j), expected);
  for (const json& f : j)
    EXPECT_EQ(f["remediation"], "dnf update " + f["package"].get<std::string>());
}

}  // namespace
}  // namespace warden
