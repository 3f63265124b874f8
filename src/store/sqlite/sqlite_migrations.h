// The SQLite store's schema, as numbered migrations embedded in the binary at
// build time from store/sqlite/migrations/NNN_name.sql (embed_migrations.cmake
// generates the table). ApplyMigrations brings a database up to the newest
// migration this binary knows, each one in its own transaction together with
// its row in schema_migrations, so a crash leaves the database at a whole
// version. A database whose schema is newer than the binary (a downgrade) is
// refused with an error saying so, before anything is touched. Migrations
// are never edited once released: a change is a new file.
#pragma once

#include <span>
#include <string_view>

#include "core/status.h"
#include "sql/sqlite_database.h"

namespace warden::store {

struct EmbeddedMigration {
  int version = 0;
  std::string_view name;  // "initial" for 001_initial.sql
  std::string_view sql;
};

// Every migration of this binary, by version (1, 2, ...).
std::span<const EmbeddedMigration> SqliteMigrations();

// Applies the migrations of `migrations` that `db` lacks. A newer schema, or
// an applied migration this binary does not have, is kInvalidArgument with
// a message naming the file and the versions.
Status ApplyMigrations(SqliteDatabase& db, std::span<const EmbeddedMigration> migrations,
                       int64_t now_ms);

// The highest version recorded in `db` (0 for a new database).
Result<int64_t> SchemaVersion(SqliteDatabase& db);

}  // namespace warden::store
