// Tests of the hash table and the streamed digest helper: digests are
// cross-checked against md5sum/sha1sum/sha256sum, never hard-coded.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include "core/strings.h"
#include "tables/file_digest.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::RunCommand;
using ::warden::testing::SqlFixture;
using ::warden::testing::TempDir;

// The digest printed by md5sum/sha1sum/sha256sum for a file.
std::string ToolDigest(const std::string& tool, const std::string& real_path) {
  auto r = RunCommand({tool, real_path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return std::string(SplitWhitespace(r.out).empty() ? "" : SplitWhitespace(r.out)[0]);
}

class HashTableFixtureTest : public ::testing::Test {
 protected:
  std::string Real(const std::string& host_path) { return FixturePath("file/root") + host_path; }
  SqlFixture sql_{FixturePath("file/root")};
};

TEST_F(HashTableFixtureTest, DigestsMatchCoreutils) {
  for (const char* path : {"/data/hello.txt", "/data/empty.txt", "/data/notes.md"}) {
    auto r =
        sql_.Query(std::string("SELECT md5, sha1, sha256 FROM hash WHERE path = '") + path + "'");
    ASSERT_EQ(r.rows.size(), 1u) << path;
    EXPECT_EQ(ValueToText(Cell(r, 0, "md5")), ToolDigest("md5sum", Real(path))) << path;
    EXPECT_EQ(ValueToText(Cell(r, 0, "sha1")), ToolDigest("sha1sum", Real(path))) << path;
    EXPECT_EQ(ValueToText(Cell(r, 0, "sha256")), ToolDigest("sha256sum", Real(path))) << path;
  }
}

TEST_F(HashTableFixtureTest, DirectoryHashesOnlyRegularFiles) {
  auto r = sql_.Query("SELECT path, directory, sha256 FROM hash WHERE directory = '/data/sub'");
  ASSERT_EQ(r.rows.size(), 1u);  // inner/ is a directory: no row
  EXPECT_EQ(ValueToText(Cell(r, 0, "path")), "/data/sub/deep.conf");
  EXPECT_EQ(ValueToText(Cell(r, 0, "directory")), "/data/sub");
  EXPECT_EQ(ValueToText(Cell(r, 0, "sha256")),
            ToolDigest("sha256sum", Real("/data/sub/deep.conf")));
}

TEST_F(HashTableFixtureTest, SymlinkIsHashedAsItsTarget) {
  auto r = sql_.Query("SELECT sha256 FROM hash WHERE path = '/data/link-to-hello'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "sha256")), ToolDigest("sha256sum", Real("/data/hello.txt")));
}

TEST_F(HashTableFixtureTest, DanglingSymlinkAndDirectoryGiveNoRow) {
  EXPECT_TRUE(
      sql_.Query("SELECT * FROM hash WHERE path IN ('/data/dangling', '/data/sub')").rows.empty());
}

TEST_F(HashTableFixtureTest, PathLikeHashesEachMatch) {
  auto r = sql_.Query("SELECT path, md5 FROM hash WHERE path LIKE '/data/%.conf'");
  ASSERT_EQ(r.rows.size(), 3u);
  for (size_t i = 0; i < r.rows.size(); ++i) {
    std::string path = ValueToText(Cell(r, i, "path"));
    EXPECT_EQ(ValueToText(Cell(r, i, "md5")), ToolDigest("md5sum", Real(path))) << path;
  }
}

TEST_F(HashTableFixtureTest, UnselectedDigestsAreNotComputed) {
  // Only sha256 is used by the query, so md5 is not in the result at all; the
  // helper reports unrequested digests as absent.
  HostFs fs(FixturePath("file/root"));
  DigestSelection only_sha256;
  only_sha256.sha256 = true;
  auto d = DigestFile(fs, "/data/hello.txt", only_sha256);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_FALSE(d->md5.has_value());
  EXPECT_FALSE(d->sha1.has_value());
  ASSERT_TRUE(d->sha256.has_value());
  EXPECT_EQ(*d->sha256, ToolDigest("sha256sum", Real("/data/hello.txt")));
}

TEST(FileDigestTest, RejectsFilesOverTheLimit) {
  TempDir dir;
  std::string path = dir.WriteFile("big.bin", std::string(4096, 'x'));
  HostFs fs;
  DigestSelection all{true, true, true};
  auto d = DigestFile(fs, path, all, /*max_bytes=*/1024);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
}

TEST(FileDigestTest, RejectsFifoWithoutBlocking) {
  TempDir dir;
  std::string path = dir.path() + "/pipe";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  HostFs fs;
  auto d = DigestFile(fs, path, DigestSelection{true, false, false});
  EXPECT_FALSE(d.ok());
}

TEST(FileDigestTest, StreamsFilesLargerThanOneChunk) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 40000; ++i) content += std::to_string(i) + "\n";  // ~230 KB
  std::string path = dir.WriteFile("multi-chunk.txt", content);
  HostFs fs;
  auto d = DigestFile(fs, path, DigestSelection{true, true, true});
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(*d->sha1, ToolDigest("sha1sum", path));
  EXPECT_EQ(*d->sha256, ToolDigest("sha256sum", path));
}

TEST(HashTableTest, LiveTempFileMatchesSha256sum) {
  TempDir dir;
  std::string path = dir.WriteFile("payload.bin", "warden hash test\x01\x02\x03");
  SqlFixture sql;
  auto r = sql.Query("SELECT sha256 FROM hash WHERE path = '" + path + "'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "sha256")), ToolDigest("sha256sum", path));
}

TEST(HashTableTest, QueryWithoutPathOrDirectoryIsAnError) {
  SqlFixture sql;
  std::string error = sql.QueryError("SELECT * FROM hash");
  EXPECT_NE(error.find("'path'"), std::string::npos) << error;
  EXPECT_NE(error.find("'directory'"), std::string::npos) << error;
}

}  // namespace
}  // namespace warden
