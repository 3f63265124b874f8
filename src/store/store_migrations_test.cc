#include <gtest/gtest.h>

#include "sql/sqlite_database.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

using MigrationsTest = StoreTest;

std::vector<std::pair<int64_t, std::string>> AppliedMigrations(const std::string& path) {
  auto db = SqliteDatabase::Open(path, SqliteDatabase::Mode::kReadOnly);
  EXPECT_TRUE(db.ok());
  auto st = (*db)->Prepare("SELECT version, name FROM schema_migrations ORDER BY version");
  EXPECT_TRUE(st.ok());
  std::vector<std::pair<int64_t, std::string>> out;
  while (st->Step().value()) out.emplace_back(st->Int(0), st->Text(1));
  return out;
}

TEST_F(MigrationsTest, EveryEmbeddedMigrationIsAppliedOnceAndRecorded) {
  Close();
  auto applied = AppliedMigrations(path());
  auto embedded = SqliteMigrations();
  ASSERT_EQ(applied.size(), embedded.size());
  ASSERT_FALSE(embedded.empty());
  EXPECT_EQ(applied[0], (std::pair<int64_t, std::string>{1, "initial"}));
  // WAL, for readers that never block the writer.
  auto db = SqliteDatabase::Open(path(), SqliteDatabase::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto mode = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok() && mode->Step().value());
  EXPECT_EQ(mode->Text(0), "wal");
}

TEST_F(MigrationsTest, ReopeningKeepsDataAndAppliesNothingTwice) {
  NewUser u;
  u.name = "alice";
  u.role = auth::Role::kAnalyst;
  u.created_at = 1000;
  (void)MustWrite([&](StoreWriter& w) { return w.users().Create(u); });
  Open();
  Open();
  auto found = store().users().FindByName("alice");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->role, auth::Role::kAnalyst);
  Close();
  EXPECT_EQ(AppliedMigrations(path()).size(), SqliteMigrations().size());
}

TEST_F(MigrationsTest, RefusesADatabaseFromANewerWardenAndLeavesItAlone) {
  Close();
  {
    auto db = SqliteDatabase::Open(path());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO schema_migrations VALUES (99, 'future', 0);"
                           "CREATE TABLE from_the_future (x INTEGER)")
                    .ok());
  }
  SqliteStoreOptions options;
  options.path = path();
  auto opened = OpenSqliteStore(options);
  ASSERT_FALSE(opened.ok());
  const std::string& msg = opened.status().message();
  EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
  EXPECT_NE(msg.find("99"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path()), std::string::npos) << msg;
  auto applied = AppliedMigrations(path());
  ASSERT_EQ(applied.size(), SqliteMigrations().size() + 1);
  EXPECT_EQ(applied.back().first, 99);
}

TEST_F(MigrationsTest, RefusesAnAppliedMigrationThatIsNotOurs) {
  Close();
  {
    auto db = SqliteDatabase::Open(path());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE schema_migrations SET name = 'forked' WHERE version = 1").ok());
  }
  SqliteStoreOptions options;
  options.path = path();
  auto opened = OpenSqliteStore(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("'forked'"), std::string::npos);
}

TEST_F(MigrationsTest, AFileThatIsNotADatabaseIsAnErrorNamingIt) {
  Close();
  std::string bad = dir_.WriteFile("garbage.db", std::string(4096, 'x'));
  SqliteStoreOptions options;
  options.path = bad;
  auto opened = OpenSqliteStore(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find(bad), std::string::npos) << opened.status().message();
}

TEST(SqliteMigrationsTest, MigrationsMustBeNumberedWithoutGaps) {
  testing::TempDir dir;
  auto db = SqliteDatabase::Open(dir.path() + "/x.db");
  ASSERT_TRUE(db.ok());
  EmbeddedMigration gap[] = {{1, "a", "CREATE TABLE a (x INTEGER)"},
                             {3, "c", "CREATE TABLE c (x INTEGER)"}};
  Status st = ApplyMigrations(**db, gap, 0);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
}

TEST(SqliteMigrationsTest, AFailingMigrationLeavesTheEarlierOnesAndNamesItsFile) {
  testing::TempDir dir;
  auto db = SqliteDatabase::Open(dir.path() + "/x.db");
  ASSERT_TRUE(db.ok());
  EmbeddedMigration two[] = {{1, "good", "CREATE TABLE a (x INTEGER)"},
                             {2, "bad", "CREATE TABLE b (x INTEGER); SELEC oops"}};
  Status st = ApplyMigrations(**db, two, 0);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("002_bad.sql"), std::string::npos) << st.message();
  EXPECT_EQ(SchemaVersion(**db).value(), 1);
  EXPECT_TRUE((*db)->HasTable("a").value());
  EXPECT_FALSE((*db)->HasTable("b").value());  // rolled back with its migration
}

}  // namespace
}  // namespace warden::store
