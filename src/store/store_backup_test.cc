// Backups of the server's database: a copy taken while the store is open
// is whole and checked; a restore replaces the database and keeps the one it
// replaced; bad backups are refused before anything is touched; a schema
// upgrade leaves a copy of the database as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sql/sqlite_database.h"
#include "store/sqlite/sqlite_backup.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class BackupTest : public StoreTest {
 protected:
  void AddUser(const std::string& name) {
    NewUser u;
    u.name = name;
    u.role = auth::Role::kAnalyst;
    u.created_at = 1;
    ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.users().Create(u); }).ok());
  }
};

TEST_F(BackupTest, ACopyTakenWhileOpenIsWholeAndRestoresOverLaterChanges) {
  AddUser("alice");
  const std::string copy = dir_.path() + "/copy.db";
  {
    auto db = SqliteDatabase::Open(path(), SqliteDatabase::Mode::kReadWrite);
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE(BackupDatabase(**db, copy).ok());
  }
  auto check = CheckBackup(copy, SqliteMigrations());
  ASSERT_TRUE(check.ok()) << check.status().message();
  EXPECT_EQ(check->schema_version, static_cast<int64_t>(SqliteMigrations().size()));
  EXPECT_EQ(check->users, 1);

  AddUser("bob");
  Close();
  auto kept = RestoreDatabase(copy, path(), SqliteMigrations(), 1'700'000'000'000);
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  EXPECT_NE(kept->find("server.db.before-restore-2023-11-14T22-13-20Z"), std::string::npos)
      << *kept;
  EXPECT_TRUE(std::filesystem::exists(*kept));
  EXPECT_EQ(CheckBackup(*kept, SqliteMigrations())->users, 2);

  Open();
  ListQuery all;
  auto users = store().users().List(all);
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->total, 1);
  EXPECT_EQ(users->items[0].name, "alice");
}

TEST_F(BackupTest, BadBackupsAreRefusedAndTheDatabaseIsLeftAlone) {
  AddUser("alice");
  Close();
  const auto before = std::filesystem::file_size(path());
  const std::string junk = dir_.path() + "/junk.db";
  std::ofstream(junk) << "not a database at all, just some text that is long enough";
  const std::string empty_db = dir_.path() + "/empty.db";
  ASSERT_TRUE(SqliteDatabase::Open(empty_db, SqliteDatabase::Mode::kReadWriteCreate).ok());
  const std::string newer = dir_.path() + "/newer.db";
  std::filesystem::copy_file(path(), newer);
  {
    auto db = SqliteDatabase::Open(newer, SqliteDatabase::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO schema_migrations VALUES (999, 'future', 1)").ok());
  }
  const struct {
    std::string file, says;
  } cases[] = {{dir_.path() + "/missing.db", "no such backup file"},
               {junk, "not a SQLite database"},
               {empty_db, "not a Warden server database"},
               {newer, "newer than this warden knows"}};
  for (const auto& c : cases) {
    auto restored = RestoreDatabase(c.file, path(), SqliteMigrations(), 1);
    ASSERT_FALSE(restored.ok()) << c.file;
    EXPECT_NE(restored.status().message().find(c.file), std::string::npos)
        << restored.status().message();
    EXPECT_NE(restored.status().message().find(c.says), std::string::npos)
        << restored.status().message();
  }
  EXPECT_EQ(std::filesystem::file_size(path()), before);
  Open();
  EXPECT_EQ(store().users().List(ListQuery{})->total, 1);
}

TEST_F(BackupTest, ASchemaUpgradeKeepsACopyOfTheDatabaseAsItWas) {
  Close();
  std::filesystem::remove(path());
  const auto all = SqliteMigrations();
  ASSERT_GE(all.size(), 2u);
  const auto older = all.first(all.size() - 1);
  {
    auto db = SqliteDatabase::Open(path(), SqliteDatabase::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(ApplyMigrations(**db, older, 1).ok());
  }
  Open();
  char name[32];
  std::snprintf(name, sizeof name, "server.db.schema-%03zu.bak", older.size());
  const std::string copy = dir_.path() + "/" + name;
  auto check = CheckBackup(copy, all);
  ASSERT_TRUE(check.ok()) << check.status().message();
  EXPECT_EQ(check->schema_version, static_cast<int64_t>(older.size()));

  // Opening a current database takes no copy.
  std::filesystem::remove(copy);
  Close();
  Open();
  EXPECT_FALSE(std::filesystem::exists(copy));
}

}  // namespace
}  // namespace warden::store
