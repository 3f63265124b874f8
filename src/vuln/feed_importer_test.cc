// The import as a whole: format detection, directories, all.zip, one
// transaction per import, re-import in place, and the database's status.
#include "vuln/feed_importer.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <fstream>
#include <sstream>

#include "testing/test_util.h"
#include "vuln/feed_database.h"
#include "vuln/osv_importer.h"
#include "vuln/vuln_test_util.h"

namespace warden {
namespace {

using testing::TempDir;

std::string SamplePath(const std::string& name) {
  return testing::FixturePath("vuln/samples/" + name);
}

std::map<std::string, int64_t> RecordCounts(const std::string& db_path) {
  std::map<std::string, int64_t> out;
  auto db = FeedDatabase::OpenReadOnly(db_path);
  EXPECT_TRUE(db.ok()) << db.status().message();
  if (!db.ok()) return out;
  auto sources = (*db)->Sources();
  EXPECT_TRUE(sources.ok());
  for (const auto& s : *sources) out[s.name] = s.records;
  return out;
}

// Writes a zip with the given members (name -> content).
std::string WriteZip(const TempDir& dir, const std::string& name,
                     const std::vector<std::pair<std::string, std::string>>& members) {
  std::string path = dir.path() + "/" + name;
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  EXPECT_NE(z, nullptr);
  for (const auto& [member, content] : members) {
    // zip_source_buffer does not copy: the strings live in `members` until zip_close.
    zip_source_t* src = zip_source_buffer(z, content.data(), content.size(), 0);
    EXPECT_GE(zip_file_add(z, member.c_str(), src, ZIP_FL_OVERWRITE), 0);
  }
  EXPECT_EQ(zip_close(z), 0);
  return path;
}

std::string OsvRecord(const std::string& id, const std::string& cve, const std::string& package,
                      const std::string& fixed) {
  return R"({"id": ")" + id + R"(", "aliases": [")" + cve +
         R"("], "modified": "2024-01-01T00:00:00Z",
    "affected": [{"package": {"ecosystem": "Debian:12", "name": ")" +
         package + R"("},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": ")" +
         fixed + R"("}]}]}]})";
}

TEST(FeedImporterTest, ImportsEverySampleFormatInOneCall) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  auto summary = ImportFeeds(
      db, {SamplePath("debian-tracker-subset.json"), SamplePath("osv-debian-DSA-3029-1.json"),
           SamplePath("oracle-elsa-oval-subset.xml")});
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary->records, 25u + 1u + 40u);
  auto counts = RecordCounts(db);
  EXPECT_EQ(counts["debian-tracker"], 25);
  EXPECT_EQ(counts["osv-debian"], 1);
  EXPECT_EQ(counts["oracle-elsa"], 40);
}

TEST(FeedImporterTest, ReimportReplacesInPlaceWithoutDuplicates) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  ASSERT_TRUE(ImportFeeds(db, {SamplePath("debian-tracker-subset.json")}).ok());
  ASSERT_TRUE(ImportFeeds(db, {SamplePath("debian-tracker-subset.json")}).ok());
  EXPECT_EQ(RecordCounts(db)["debian-tracker"], 25);
}

TEST(FeedImporterTest, NewerDocumentReplacesTheOlderOne) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  ASSERT_TRUE(
      ImportFeeds(db, {dir.WriteFile("a.json", OsvRecord("DSA-1-1", "CVE-2024-1", "pkg", "1.0-2"))})
          .ok());
  ASSERT_TRUE(
      ImportFeeds(db, {dir.WriteFile("b.json", OsvRecord("DSA-1-1", "CVE-2024-1", "pkg", "1.0-3"))})
          .ok());
  auto feeds = FeedDatabase::OpenReadOnly(db);
  ASSERT_TRUE(feeds.ok());
  std::vector<AffectedRecord> records;
  ASSERT_TRUE((*feeds)->Lookup("debian", "bookworm", "pkg", &records).ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fixed_version, "1.0-3");
}

TEST(FeedImporterTest, BadFileLeavesThePreviousDatabaseByteForByte) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  ASSERT_TRUE(ImportFeeds(db, {SamplePath("oracle-elsa-oval-subset.xml")}).ok());
  const std::string before = testing::ReadFileText(db);
  std::string tracker = testing::ReadFileText(SamplePath("debian-tracker-subset.json"));
  std::string truncated = dir.WriteFile("truncated.json", tracker.substr(0, tracker.size() - 40));
  // A good file first, then the bad one: the good one must not land either.
  auto r = ImportFeeds(db, {SamplePath("osv-debian-DSA-3029-1.json"), truncated});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("truncated.json"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("database unchanged"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(testing::ReadFileText(db), before);
  auto counts = RecordCounts(db);
  EXPECT_EQ(counts.count("osv-debian"), 0u);
  EXPECT_EQ(counts["oracle-elsa"], 40);
}

TEST(FeedImporterTest, FailedFirstImportLeavesNoDatabaseFile) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  auto r =
      ImportFeeds(db, {dir.WriteFile("junk.json", "{\"pkg\": {\"CVE-2024-1\": {\"releases\": {")});
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(HostFs("/").Exists(db));
}

TEST(FeedImporterTest, UnknownFormatIsAnErrorNamingTheFile) {
  TempDir dir;
  auto r = ImportFeeds(dir.path() + "/feeds.db", {dir.WriteFile("notes.txt", "just some notes\n")});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("notes.txt: unknown feed format"), std::string::npos)
      << r.status().message();
}

TEST(FeedImporterTest, MissingPathFailsBeforeWriting) {
  TempDir dir;
  auto r = ImportFeeds(dir.path() + "/feeds.db", {"/nonexistent/osv"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(HostFs("/").Exists(dir.path() + "/feeds.db"));
}

TEST(FeedImporterTest, DirectoryOfOsvRecordsSkipsNonFeedFiles) {
  TempDir dir;
  dir.WriteFile("osv/DSA-1-1.json", OsvRecord("DSA-1-1", "CVE-2024-1", "a", "1.0-2"));
  dir.WriteFile("osv/sub/DSA-2-1.json", OsvRecord("DSA-2-1", "CVE-2024-2", "b", "2.0-2"));
  dir.WriteFile("osv/README.md", "# records\n");
  auto r = ImportFeeds(dir.path() + "/feeds.db", {dir.path() + "/osv"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->inputs.size(), 2u);
  EXPECT_EQ(r->records, 2u);
  ASSERT_EQ(r->skipped.size(), 1u);
  EXPECT_NE(r->skipped[0].find("README.md"), std::string::npos);
}

TEST(FeedImporterTest, EcosystemZipImportsEveryRecord) {
  TempDir dir;
  std::vector<std::pair<std::string, std::string>> members = {
      {"DSA-1-1.json", OsvRecord("DSA-1-1", "CVE-2024-1", "a", "1.0-2")},
      {"DSA-2-1.json", OsvRecord("DSA-2-1", "CVE-2024-2", "b", "2.0-2")},
      {"DSA-3-1.json", OsvRecord("DSA-3-1", "CVE-2024-3", "c", "3.0-2")}};
  std::string zip = WriteZip(dir, "all.zip", members);
  EXPECT_EQ(*DetectFeedFormatOfFile(zip), FeedFormat::kOsvZip);
  auto r = ImportFeeds(dir.path() + "/feeds.db", {zip});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 3u);
  EXPECT_EQ(RecordCounts(dir.path() + "/feeds.db")["osv-debian"], 3);
}

TEST(FeedImporterTest, BadZipMemberIsNamedInTheError) {
  TempDir dir;
  std::vector<std::pair<std::string, std::string>> members = {
      {"DSA-1-1.json", OsvRecord("DSA-1-1", "CVE-2024-1", "a", "1.0-2")},
      {"DSA-2-1.json", "{\"id\": \"DSA-2-1\", "}};
  auto r = ImportFeeds(dir.path() + "/feeds.db", {WriteZip(dir, "all.zip", members)});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("all.zip:DSA-2-1.json"), std::string::npos)
      << r.status().message();
}

TEST(FeedImporterTest, OversizedZipMemberIsRefused) {
  TempDir dir;
  std::vector<std::pair<std::string, std::string>> members = {
      {"huge.json",
       "{\"id\": \"X\", \"details\": \"" + std::string(kMaxOsvRecordBytes, 'a') + "\"}"}};
  auto r = ImportFeeds(dir.path() + "/feeds.db", {WriteZip(dir, "all.zip", members)});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("all.zip:huge.json"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("limit"), std::string::npos) << r.status().message();
}

TEST(FeedImporterTest, ProgressReachesTheWholeFile) {
  TempDir dir;
  uint64_t last_done = 0, total = 0;
  FeedImportOptions options;
  options.progress = [&](const FeedImportProgress& p) {
    last_done = p.bytes_done;
    total = p.bytes_total;
  };
  ASSERT_TRUE(
      ImportFeeds(dir.path() + "/feeds.db", {SamplePath("debian-tracker-subset.json")}, options)
          .ok());
  EXPECT_GT(total, 0u);
  EXPECT_EQ(last_done, total);
}

TEST(FeedDatabaseTest, StatusReportsSourcesCountsAndFeedTime) {
  TempDir dir;
  std::string db = dir.path() + "/feeds.db";
  ASSERT_TRUE(ImportFeeds(db, {SamplePath("oracle-elsa-oval-subset.xml"),
                               SamplePath("osv-debian-DSA-3029-1.json")})
                  .ok());
  auto feeds = FeedDatabase::OpenReadOnly(db);
  ASSERT_TRUE(feeds.ok());
  auto sources = (*feeds)->Sources();
  ASSERT_TRUE(sources.ok());
  ASSERT_EQ(sources->size(), 2u);
  EXPECT_EQ((*sources)[0].name, "oracle-elsa");
  EXPECT_EQ((*sources)[0].vulnerabilities, 6);
  EXPECT_EQ((*sources)[0].feed_time, 1539302400);
  EXPECT_EQ((*sources)[0].format, "oval-xml");
  EXPECT_EQ((*sources)[1].name, "osv-debian");
  EXPECT_EQ((*sources)[1].feed_time, 1411201087);
  EXPECT_GT((*sources)[1].imported_at, 1700000000);
}

TEST(FeedDatabaseTest, MissingDatabaseSaysHowToCreateIt) {
  auto feeds = FeedDatabase::OpenReadOnly("/nonexistent/feeds.db");
  ASSERT_FALSE(feeds.ok());
  EXPECT_EQ(feeds.status().code(), StatusCode::kNotFound);
  EXPECT_NE(feeds.status().message().find("warden feed import"), std::string::npos);
}

TEST(FeedDatabaseTest, NonDatabaseFileIsAClearError) {
  TempDir dir;
  auto feeds = FeedDatabase::OpenReadOnly(dir.WriteFile("feeds.db", std::string(4096, 'x')));
  ASSERT_FALSE(feeds.ok());
  EXPECT_NE(feeds.status().message().find("feeds.db"), std::string::npos);
}

}  // namespace
}  // namespace warden
