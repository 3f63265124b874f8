// Tests of the file table: fixture tree tests/fixtures/file/root for
// constraint handling and value conventions, the live host cross-checked
// against stat(1).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include "core/strings.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::RunCommand;
using ::warden::testing::SqlFixture;
using ::warden::testing::TempDir;

std::set<std::string> Column(const QueryResult& r, const std::string& name) {
  std::set<std::string> out;
  for (size_t i = 0; i < r.rows.size(); ++i) out.insert(ValueToText(Cell(r, i, name)));
  return out;
}

class FileTableFixtureTest : public ::testing::Test {
 protected:
  SqlFixture sql_{FixturePath("file/root")};
};

TEST_F(FileTableFixtureTest, PathEqualsReturnsThatFile) {
  auto r = sql_.Query(
      "SELECT path, directory, filename, size, type, symlink FROM file "
      "WHERE path = '/data/hello.txt'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "directory")), "/data");
  EXPECT_EQ(ValueToText(Cell(r, 0, "filename")), "hello.txt");
  EXPECT_EQ(Cell(r, 0, "size"), Value(int64_t{13}));  // "hello warden\n"
  EXPECT_EQ(ValueToText(Cell(r, 0, "type")), "regular");
  EXPECT_EQ(Cell(r, 0, "symlink"), Value(int64_t{0}));
}

TEST_F(FileTableFixtureTest, PathInListReturnsEachExistingFile) {
  auto r = sql_.Query(
      "SELECT path FROM file WHERE path IN "
      "('/data/app.conf', '/data/db.conf', '/data/missing.conf')");
  EXPECT_EQ(Column(r, "path"), (std::set<std::string>{"/data/app.conf", "/data/db.conf"}));
}

TEST_F(FileTableFixtureTest, MissingPathGivesNoRow) {
  EXPECT_TRUE(sql_.Query("SELECT * FROM file WHERE path = '/data/nope'").rows.empty());
}

TEST_F(FileTableFixtureTest, PathLikeExpandsWithinOneDirectoryLevel) {
  auto r = sql_.Query("SELECT path FROM file WHERE path LIKE '/data/%.conf'");
  EXPECT_EQ(Column(r, "path"),
            (std::set<std::string>{"/data/.hidden.conf", "/data/app.conf", "/data/db.conf"}));
}

TEST_F(FileTableFixtureTest, PathLikeDoublePercentRecurses) {
  auto r = sql_.Query("SELECT path FROM file WHERE path LIKE '/data/sub/%%'");
  EXPECT_EQ(Column(r, "path"), (std::set<std::string>{"/data/sub/deep.conf", "/data/sub/inner",
                                                      "/data/sub/inner/deepest.conf"}));
}

TEST_F(FileTableFixtureTest, DirectoryListsEntriesButNotSubdirectoryContents) {
  auto r = sql_.Query("SELECT path, directory FROM file WHERE directory = '/data/sub'");
  EXPECT_EQ(Column(r, "path"), (std::set<std::string>{"/data/sub/deep.conf", "/data/sub/inner"}));
  EXPECT_EQ(Column(r, "directory"), (std::set<std::string>{"/data/sub"}));
}

TEST_F(FileTableFixtureTest, DirectoryKeepsTrailingSlashSpelling) {
  auto r = sql_.Query("SELECT path, directory FROM file WHERE directory = '/data/sub/'");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(Column(r, "directory"), (std::set<std::string>{"/data/sub/"}));
  EXPECT_EQ(Column(r, "path"), (std::set<std::string>{"/data/sub/deep.conf", "/data/sub/inner"}));
}

TEST_F(FileTableFixtureTest, DirectoryLikeListsEachMatchingDirectory) {
  auto r = sql_.Query("SELECT path FROM file WHERE directory LIKE '/data/su%'");
  EXPECT_EQ(Column(r, "path"), (std::set<std::string>{"/data/sub/deep.conf", "/data/sub/inner"}));
}

TEST_F(FileTableFixtureTest, SymlinkDescribesTargetAndFlagsLink) {
  auto r = sql_.Query(
      "SELECT symlink, type, size, symlink_target_path FROM file "
      "WHERE path = '/data/link-to-hello'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "symlink"), Value(int64_t{1}));
  EXPECT_EQ(ValueToText(Cell(r, 0, "type")), "regular");
  EXPECT_EQ(Cell(r, 0, "size"), Value(int64_t{13}));
  EXPECT_EQ(ValueToText(Cell(r, 0, "symlink_target_path")), "hello.txt");
}

TEST_F(FileTableFixtureTest, DanglingSymlinkIsReportedAsSymlink) {
  auto r = sql_.Query(
      "SELECT symlink, type, symlink_target_path FROM file "
      "WHERE path = '/data/dangling'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "symlink"), Value(int64_t{1}));
  EXPECT_EQ(ValueToText(Cell(r, 0, "type")), "symlink");
  EXPECT_EQ(ValueToText(Cell(r, 0, "symlink_target_path")), "missing-target");
}

TEST_F(FileTableFixtureTest, DirectoryTypeIsDirectory) {
  auto r = sql_.Query("SELECT type FROM file WHERE path = '/data/sub'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "type")), "directory");
}

TEST_F(FileTableFixtureTest, PidWithNamespaceDefaultsToZero) {
  auto r = sql_.Query("SELECT pid_with_namespace FROM file WHERE path = '/data/hello.txt'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "pid_with_namespace"), Value(int64_t{0}));
}

TEST(FileTableTest, QueryWithoutPathOrDirectoryNamesBothColumns) {
  SqlFixture sql;
  std::string error = sql.QueryError("SELECT * FROM file");
  EXPECT_NE(error.find("'path'"), std::string::npos) << error;
  EXPECT_NE(error.find("'directory'"), std::string::npos) << error;
}

TEST(FileTableTest, LiveEtcPasswdMatchesStat) {
  auto st = RunCommand({"stat", "-c", "%i %u %g %s %Y %X %Z %h", "/etc/passwd"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  SqlFixture sql;
  auto r = sql.Query(
      "SELECT inode, uid, gid, size, mtime, atime, ctime, hard_links FROM file "
      "WHERE path = '/etc/passwd'");
  ASSERT_EQ(r.rows.size(), 1u);
  std::string ours;
  for (const char* c : {"inode", "uid", "gid", "size", "mtime", "atime", "ctime", "hard_links"})
    ours += (ours.empty() ? "" : " ") + ValueToText(Cell(r, 0, c));
  EXPECT_EQ(ours + "\n", st.out);
}

TEST(FileTableTest, LiveModeIsFourOctalDigits) {
  TempDir dir;
  std::string path = dir.WriteFile("script.sh", "#!/bin/sh\n");
  ASSERT_EQ(::chmod(path.c_str(), 04751), 0);
  auto st = RunCommand({"stat", "-c", "%a", path});
  ASSERT_EQ(st.exit_code, 0);
  SqlFixture sql;
  auto r = sql.Query("SELECT mode FROM file WHERE path = '" + path + "'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "mode")), "4751");
  EXPECT_EQ(std::stoi(ValueToText(Cell(r, 0, "mode")), nullptr, 8), std::stoi(st.out, nullptr, 8));
}

TEST(FileTableTest, LiveBirthTimeMatchesStatWhenKnown) {
  TempDir dir;
  std::string path = dir.WriteFile("born.txt", "x");
  auto st = RunCommand({"stat", "-c", "%W", path});  // 0 when the fs does not record it
  ASSERT_EQ(st.exit_code, 0);
  SqlFixture sql;
  auto r = sql.Query("SELECT btime FROM file WHERE path = '" + path + "'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "btime")) + "\n", st.out);
}

TEST(FileTableTest, LiveDirectoryListingMatchesLs) {
  TempDir dir;
  dir.WriteFile("a.txt", "a");
  dir.WriteFile("b/c.txt", "c");
  dir.WriteFile(".dot", "d");
  auto ls = RunCommand({"ls", "-A", dir.path()});
  ASSERT_EQ(ls.exit_code, 0);
  std::set<std::string> expected;
  for (std::string_view name : SplitString(TrimWhitespace(ls.out), '\n'))
    expected.insert(dir.path() + "/" + std::string(name));
  SqlFixture sql;
  auto r = sql.Query("SELECT path FROM file WHERE directory = '" + dir.path() + "'");
  EXPECT_EQ(Column(r, "path"), expected);
}

}  // namespace
}  // namespace warden
