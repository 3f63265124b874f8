// Tests of the file table: fixture tree tests/fixtures/file/root for
// constraint handling and value conventions, the live host cross-checked
// against stat(1).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include "core/strings.h"
#include "sql/sql_engine.h"
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

TEST_F(FileTableFixtureTest, OverlappingPatternsGiveEachFileOnce) {
  auto r = sql_.Query(
      "SELECT path FROM file WHERE path LIKE '/data/%.txt' AND path LIKE '/data/h%' "
      "AND path GLOB '/data/*'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "path")), "/data/hello.txt");
}

TEST(FileTableStreamTest, RecursiveWalkIsInPathOrder) {
  // '/' sorts between '.' and '0': a/x must come after a.c and before a0.
  TempDir dir;
  for (const char* f : {"t/a/x", "t/a-b", "t/a.c", "t/a0", "t/a/y/z"}) dir.WriteFile(f, "");
  SqlFixture sql(dir.path());
  auto r = sql.Query("SELECT path FROM file WHERE path LIKE '/t/%%'");
  std::vector<std::string> paths;
  for (size_t i = 0; i < r.rows.size(); ++i) paths.push_back(ValueToText(Cell(r, i, "path")));
  EXPECT_EQ(paths, (std::vector<std::string>{"/t/a", "/t/a-b", "/t/a.c", "/t/a/x", "/t/a/y",
                                             "/t/a/y/z", "/t/a0"}));
}

// Counts the lstat calls a query makes.
class LstatCountingFs : public HostFs {
 public:
  using HostFs::HostFs;
  Result<struct stat> Lstat(std::string_view path) const override {
    ++lstats;
    return HostFs::Lstat(path);
  }
  mutable size_t lstats = 0;
};

TEST(FileTableStreamTest, LimitStopsTheWalkEarly) {
  TempDir dir;
  for (int d = 0; d < 20; ++d)
    for (int f = 0; f < 100; ++f)
      dir.WriteFile("tree/d" + std::to_string(d) + "/f" + std::to_string(f), "");
  TableRegistry registry;
  RegisterBuiltinTables(registry);
  LstatCountingFs fs(dir.path());
  auto engine = SqlEngine::Open(&registry, &fs);
  ASSERT_TRUE(engine.ok());
  auto all = (*engine)->Query("SELECT count(*) FROM file WHERE path LIKE '/tree/%%'");
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(std::get<int64_t>(all->rows[0][0]), 2020);
  size_t full_walk = fs.lstats;
  fs.lstats = 0;
  auto one = (*engine)->Query("SELECT path FROM file WHERE path LIKE '/tree/%%' LIMIT 1");
  ASSERT_TRUE(one.ok()) << one.status().message();
  ASSERT_EQ(one->rows.size(), 1u);
  // One batch of rows, not the whole tree.
  EXPECT_LT(fs.lstats, full_walk / 4) << fs.lstats << " of " << full_walk;
}

TEST(FileTableStreamTest, HashStreamsToo) {
  TempDir dir;
  for (int f = 0; f < 600; ++f) dir.WriteFile("h/f" + std::to_string(f), "x");
  SqlFixture sql(dir.path());
  auto r = sql.Query("SELECT count(DISTINCT sha256), count(*) FROM hash WHERE path LIKE '/h/%%'");
  EXPECT_EQ(ValueToText(Cell(r, 0, "count(DISTINCT sha256)")), "1");
  EXPECT_EQ(ValueToText(Cell(r, 0, "count(*)")), "600");
}

}  // namespace
}  // namespace warden
