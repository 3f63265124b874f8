#include "store/sqlite/sqlite_backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/time_format.h"

namespace warden::store {
namespace {

Status SyncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : ErrnoStatus(path, err);
}

Result<int64_t> CountRows(SqliteDatabase& db, const char* table) {
  ASSIGN_OR_RETURN(bool has, db.HasTable(table));
  if (!has) return int64_t{0};
  ASSIGN_OR_RETURN(SqliteStatement st, db.Prepare(std::string("SELECT COUNT(*) FROM ") + table));
  ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : int64_t{0};
}

}  // namespace

Status BackupDatabase(SqliteDatabase& db, const std::string& to) {
  const std::string tmp = to + ".partial";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  ASSIGN_OR_RETURN(SqliteStatement vacuum, db.Prepare("VACUUM INTO ?1"));
  vacuum.Bind(1, tmp);
  Status copied = vacuum.Run();
  if (!copied.ok()) {
    std::filesystem::remove(tmp, ec);
    return copied.WithContext("backup of " + db.path() + " to " + to);
  }
  RETURN_IF_ERROR(SyncFile(tmp));
  if (::rename(tmp.c_str(), to.c_str()) != 0) {
    const int err = errno;
    std::filesystem::remove(tmp, ec);
    return ErrnoStatus(to, err);
  }
  const std::string dir = std::filesystem::path(to).parent_path().string();
  return SyncFile(dir.empty() ? "." : dir);
}

Result<BackupCheck> CheckBackup(const std::string& path,
                                std::span<const EmbeddedMigration> migrations) {
  auto invalid = [&](const std::string& why) { return InvalidArgument(path + ": " + why); };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return invalid("no such backup file");
  auto opened = SqliteDatabase::Open(path, SqliteDatabase::Mode::kReadOnly);
  if (!opened.ok()) return invalid("not a SQLite database (" + opened.status().message() + ")");
  SqliteDatabase& db = **opened;
  {
    auto check = db.Prepare("PRAGMA quick_check");
    if (!check.ok()) return invalid("not a SQLite database (" + check.status().message() + ")");
    auto row = check->Step();
    if (!row.ok()) return invalid("not a SQLite database (" + row.status().message() + ")");
    if (!*row || check->Text(0) != "ok")
      return invalid("damaged: quick_check says " +
                     (*row ? check->Text(0) : std::string("nothing")));
  }
  ASSIGN_OR_RETURN(bool has_migrations, db.HasTable("schema_migrations"));
  if (!has_migrations) return invalid("not a Warden server database (no schema_migrations)");
  BackupCheck out;
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db.Prepare("SELECT version, name FROM schema_migrations ORDER BY version"));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const int64_t version = st.Int(0);
    const std::string name = st.Text(1);
    if (version > static_cast<int64_t>(migrations.size()))
      return invalid("its schema is version " + std::to_string(version) +
                     ", newer than this warden knows (" + std::to_string(migrations.size()) +
                     "): restore it with the warden that wrote it");
    if (version < 1 || migrations[static_cast<size_t>(version - 1)].name != name)
      return invalid("schema migration " + std::to_string(version) + " '" + name +
                     "' is not one of this warden's");
    out.schema_version = version;
  }
  ASSIGN_OR_RETURN(out.hosts, CountRows(db, "hosts"));
  ASSIGN_OR_RETURN(out.users, CountRows(db, "users"));
  return out;
}

Result<std::string> RestoreDatabase(const std::string& backup, const std::string& db_path,
                                    std::span<const EmbeddedMigration> migrations, int64_t now_ms) {
  RETURN_IF_ERROR(CheckBackup(backup, migrations).status());
  // The copy goes beside the database first, so the rename below is atomic.
  const std::string incoming = db_path + ".restoring";
  std::error_code ec;
  std::filesystem::copy_file(backup, incoming, std::filesystem::copy_options::overwrite_existing,
                             ec);
  if (ec) return IoError("copy " + backup + " to " + incoming + ": " + ec.message());
  ::chmod(incoming.c_str(), 0600);
  RETURN_IF_ERROR(SyncFile(incoming));
  std::string kept;
  if (std::filesystem::exists(db_path, ec)) {
    std::string stamp = FormatRfc3339(now_ms / 1000);
    for (char& c : stamp)
      if (c == ':') c = '-';
    kept = db_path + ".before-restore-" + stamp;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      const std::string from = db_path + suffix;
      if (!std::filesystem::exists(from, ec)) continue;
      if (::rename(from.c_str(), (kept + suffix).c_str()) != 0) return ErrnoStatus(from, errno);
    }
  }
  if (::rename(incoming.c_str(), db_path.c_str()) != 0) return ErrnoStatus(db_path, errno);
  const std::string dir = std::filesystem::path(db_path).parent_path().string();
  RETURN_IF_ERROR(SyncFile(dir.empty() ? "." : dir));
  return kept;
}

}  // namespace warden::store
