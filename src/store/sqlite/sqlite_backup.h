// Copies of the server's SQLite database: `warden server backup FILE` (a
// consistent copy taken while the server runs), `warden server restore FILE`
// (the server stopped), and the copy ApplyMigrations' caller takes before a
// schema upgrade (sqlite_store.cc), so an upgrade can always be undone by
// restoring it with the previous warden.
//
// A copy is SQLite's VACUUM INTO: one read transaction, so it is consistent
// whatever writes go on, compacted, and written beside its destination first
// and renamed into place (never a half-written file under the name). Not
// here: the state directory's lock (server_app.h), TLS files and queues.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/status.h"
#include "sql/sqlite_database.h"
#include "store/sqlite/sqlite_migrations.h"

namespace warden::store {

// Writes a consistent copy of `db` to `to` (replacing a file there).
Status BackupDatabase(SqliteDatabase& db, const std::string& to);

// What a backup file holds, checked: SQLite's quick_check passes and every
// migration it records is one of `migrations` (so this warden can open it,
// migrating it forward if it is older). kInvalidArgument naming the file and
// what is wrong.
struct BackupCheck {
  int64_t schema_version = 0;
  int64_t hosts = 0;
  int64_t users = 0;
};
Result<BackupCheck> CheckBackup(const std::string& path,
                                std::span<const EmbeddedMigration> migrations);

// Replaces the database at `db_path` with the backup at `backup` (checked
// first: nothing is touched when the check fails). The database it replaces
// (with its -wal and -shm files) is kept as `<db_path>.before-restore-<time>`;
// that name is returned. The caller makes sure no server has it open.
Result<std::string> RestoreDatabase(const std::string& backup, const std::string& db_path,
                                    std::span<const EmbeddedMigration> migrations, int64_t now_ms);

}  // namespace warden::store
