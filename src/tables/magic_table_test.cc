// Tests of the magic table (libmagic), cross-checked against file(1) where
// it is installed.
#include <gtest/gtest.h>

#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::RunCommand;
using ::warden::testing::SqlFixture;

TEST(MagicTableTest, LiveBinLsIsElf) {
  SqlFixture sql;
  auto r = sql.Query("SELECT data, mime_type FROM magic WHERE path = '/bin/ls'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_NE(ValueToText(Cell(r, 0, "data")).find("ELF"), std::string::npos)
      << ValueToText(Cell(r, 0, "data"));
  EXPECT_NE(ValueToText(Cell(r, 0, "mime_type")).find("application/x-"), std::string::npos);
}

TEST(MagicTableTest, FixtureTextFileHasTextMimeAndEncoding) {
  SqlFixture sql(FixturePath("file/root"));
  auto r = sql.Query(
      "SELECT data, mime_type, mime_encoding FROM magic "
      "WHERE path = '/data/hello.txt'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "mime_type")), "text/plain");
  EXPECT_EQ(ValueToText(Cell(r, 0, "mime_encoding")), "us-ascii");
  EXPECT_NE(ValueToText(Cell(r, 0, "data")).find("text"), std::string::npos);
}

TEST(MagicTableTest, AgreesWithFileCommandWhenInstalled) {
  auto file = RunCommand({"file", "-b", "--mime-type", FixturePath("file/root/data/notes.md")});
  if (file.exit_code != 0) GTEST_SKIP() << "file(1) is not installed";
  SqlFixture sql(FixturePath("file/root"));
  auto r = sql.Query("SELECT mime_type FROM magic WHERE path = '/data/notes.md'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "mime_type")) + "\n", file.out);
}

TEST(MagicTableTest, MissingPathGivesNoRow) {
  SqlFixture sql(FixturePath("file/root"));
  EXPECT_TRUE(sql.Query("SELECT * FROM magic WHERE path = '/data/absent'").rows.empty());
}

TEST(MagicTableTest, PathIsRequired) {
  SqlFixture sql;
  std::string error = sql.QueryError("SELECT * FROM magic");
  EXPECT_NE(error.find("'path'"), std::string::npos) << error;
}

TEST(MagicTableTest, UnloadableMagicDatabaseIsAnError) {
  SqlFixture sql;
  auto r = sql.engine().Query(
      "SELECT * FROM magic WHERE path = '/bin/ls' AND magic_db_files = '/nonexistent/magic.mgc'");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/magic.mgc"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace warden
