#include "store/sqlite/sqlite_migrations.h"

#include <cstdio>
#include <string>

namespace warden::store {
namespace {

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

// In a migration's SQL: run it with foreign keys off (and checked before
// it commits).
constexpr std::string_view kForeignKeysOffMarker = "-- store: foreign keys off";

Status ApplyOne(SqliteDatabase& db, const EmbeddedMigration& m, int64_t now_ms,
                bool check_foreign_keys) {
  {
    // Another process (the CLI next to a running server) may migrate at the
    // same time: decide inside the write transaction.
    ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(db));
    ASSIGN_OR_RETURN(SqliteStatement check,
                     db.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?1"));
    check.Bind(1, int64_t{m.version});
    ASSIGN_OR_RETURN(bool applied, check.Step());
    check.Reset();
    if (applied) return Status::Ok();
    char number[16];
    std::snprintf(number, sizeof number, "%03d", m.version);
    std::string where = db.path() + ": migration " + number + "_" + std::string(m.name) + ".sql";
    Status st = db.Exec(m.sql);
    if (!st.ok()) return st.WithContext(where);
    if (check_foreign_keys) {
      // Only references into or out of the tables the migration names: it
      // answers for those, not for older damage elsewhere.
      ASSIGN_OR_RETURN(SqliteStatement fk, db.Prepare("PRAGMA foreign_key_check"));
      for (;;) {
        ASSIGN_OR_RETURN(bool row, fk.Step());
        if (!row) break;
        const std::string table = fk.Text(0), parent = fk.Text(2);
        if (m.sql.find(table) != std::string_view::npos ||
            m.sql.find(parent) != std::string_view::npos)
          return Internal(where + ": leaves a row of " + table + " referring to a missing row of " +
                          parent);
      }
    }
    ASSIGN_OR_RETURN(SqliteStatement record,
                     db.Prepare("INSERT INTO schema_migrations (version, name, applied_at) "
                                "VALUES (?1, ?2, ?3)"));
    record.Bind(1, int64_t{m.version}).Bind(2, m.name).Bind(3, now_ms);
    RETURN_IF_ERROR(record.Run());
    RETURN_IF_ERROR(txn->Commit());
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> SchemaVersion(SqliteDatabase& db) {
  ASSIGN_OR_RETURN(bool has_table, db.HasTable("schema_migrations"));
  if (!has_table) return int64_t{0};
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : int64_t{0};
}

Status ApplyMigrations(SqliteDatabase& db, std::span<const EmbeddedMigration> migrations,
                       int64_t now_ms) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1)
      return Internal("store: embedded migrations are not numbered 1, 2, ...: " +
                      std::string(migrations[i].name));
  }
  const int64_t known = static_cast<int64_t>(migrations.size());

  // Check before writing anything: a newer database is left untouched.
  ASSIGN_OR_RETURN(int64_t current, SchemaVersion(db));
  if (current > known)
    return InvalidArgument(db.path() + ": the database schema is version " +
                           std::to_string(current) + ", newer than this warden knows (" +
                           std::to_string(known) +
                           "); run the warden version that wrote it, or restore a backup");

  RETURN_IF_ERROR(db.Exec(kCreateMigrationsTable));
  {
    // Applied migrations must be ours: same number, same name.
    ASSIGN_OR_RETURN(SqliteStatement st,
                     db.Prepare("SELECT version, name FROM schema_migrations ORDER BY version"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      int64_t version = st.Int(0);
      std::string name = st.Text(1);
      if (version < 1 || version > known ||
          migrations[static_cast<size_t>(version - 1)].name != name)
        return InvalidArgument(db.path() + ": schema migration " + std::to_string(version) + " '" +
                               name + "' is not one of this warden's");
    }
  }

  for (const EmbeddedMigration& m : migrations) {
    // A migration that rebuilds a table others reference (SQLite cannot
    // change a column's constraints in place) runs with foreign keys off,
    // as SQLite's documented procedure asks, and checks them before it
    // commits. The pragma has no effect inside a transaction: set it first.
    const bool keys_off =
        std::string_view(m.sql).find(kForeignKeysOffMarker) != std::string_view::npos;
    bool keys_were_on = false;
    if (keys_off) {
      {
        ASSIGN_OR_RETURN(SqliteStatement keys, db.Prepare("PRAGMA foreign_keys"));
        ASSIGN_OR_RETURN(bool row, keys.Step());
        keys_were_on = row && keys.Int(0) != 0;
      }
      RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=OFF"));
    }
    Status applied_one = ApplyOne(db, m, now_ms, keys_off);
    if (keys_were_on) RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=ON"));
    RETURN_IF_ERROR(applied_one);
  }
  return Status::Ok();
}

}  // namespace warden::store
