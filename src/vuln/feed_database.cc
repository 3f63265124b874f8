#include "vuln/feed_database.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "core/time_format.h"

namespace warden {
namespace {

constexpr int kSchemaVersion = 2;

// Records are clustered for the matcher's one question: "what does the
// vendor say about package P in release R of distribution D?" (the primary
// key's prefix; one range scan per package, no row lookups), and indexed for
// re-imports: "replace everything document X of source S said"
// (affected_document). Texts shared by a document's records live once in
// `documents` and are read only for the records that become findings.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sources(
  name TEXT PRIMARY KEY, format TEXT NOT NULL, origin TEXT NOT NULL,
  imported_at INTEGER NOT NULL, feed_time INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS documents(
  source TEXT NOT NULL, document TEXT NOT NULL, title TEXT, link TEXT,
  PRIMARY KEY(source, document)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS affected(
  distro TEXT NOT NULL, release TEXT NOT NULL, package TEXT NOT NULL,
  source TEXT NOT NULL, document TEXT NOT NULL, vuln_id TEXT NOT NULL,
  arch TEXT NOT NULL, flavour TEXT NOT NULL, module_stream TEXT NOT NULL,
  introduced TEXT NOT NULL, fixed_version TEXT NOT NULL, last_affected TEXT NOT NULL,
  scheme INTEGER NOT NULL, advisory TEXT NOT NULL, status TEXT NOT NULL,
  vendor_status TEXT NOT NULL, vendor_severity TEXT NOT NULL, cvss_score REAL, cvss_vector TEXT NOT NULL,
  PRIMARY KEY(distro, release, package, source, document, vuln_id, arch, flavour, module_stream,
              introduced, fixed_version, last_affected)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS affected_document ON affected(source, document);
)sql";

Status SqliteError(sqlite3* db, std::string_view path, std::string_view what) {
  return IoError(std::string(path) + ": " + std::string(what) + ": " +
                 (db ? sqlite3_errmsg(db) : "out of memory"));
}

Status Exec(sqlite3* db, std::string_view path, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    return IoError(std::string(path) + ": " + message);
  }
  return Status::Ok();
}

void BindText(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string ColumnText(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t),
                         static_cast<size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}

Result<int> UserVersion(sqlite3* db, std::string_view path) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr) != SQLITE_OK)
    return SqliteError(db, path, "not a Warden feed database");
  int version = 0;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) version = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW) return SqliteError(db, path, "not a Warden feed database");
  return version;
}

Status CheckSchemaVersion(int version, std::string_view path) {
  if (version != 0 && version != kSchemaVersion)
    return InvalidArgument(std::string(path) + ": feed database schema version " +
                           std::to_string(version) + " is not the one this Warden uses (" +
                           std::to_string(kSchemaVersion) +
                           "); import the feeds into a new database");
  return Status::Ok();
}

}  // namespace

std::string DefaultFeedDatabasePath() {
  if (const char* env = std::getenv("WARDEN_FEED_DB"); env != nullptr && env[0] != '\0') return env;
  if (::geteuid() == 0) return "/var/lib/warden/feeds.db";
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/warden/feeds.db";
  const char* home = std::getenv("HOME");
  return std::string(home && home[0] ? home : ".") + "/.local/share/warden/feeds.db";
}

// ---------------------------------------------------------------- FeedDatabase

Result<std::unique_ptr<FeedDatabase>> FeedDatabase::OpenReadOnly(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return NotFound("no feed database at " + path +
                      " (import feeds first: warden feed import --db " + path + " FILE...)");
    return ErrnoStatus(path, errno);
  }
  std::unique_ptr<FeedDatabase> f(new FeedDatabase());
  f->path_ = path;
  if (sqlite3_open_v2(path.c_str(), &f->db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    return SqliteError(f->db_, path, "cannot open");
  sqlite3_busy_timeout(f->db_, 5000);
  // A page cache big enough for a scan's working set (lookups come in key
  // order, so neighbouring records share pages). Not mmap: fault-around would
  // count most of a 100+ MB file as the scan's RSS.
  RETURN_IF_ERROR(Exec(f->db_, path, "PRAGMA cache_size = -16384"));
  ASSIGN_OR_RETURN(int version, UserVersion(f->db_, path));
  RETURN_IF_ERROR(CheckSchemaVersion(version, path));
  if (version == 0) return f;  // an empty database: lookups find nothing
  const char* sql =
      "SELECT source, document, scheme, arch, flavour, module_stream, vuln_id, advisory, status,"
      " introduced, fixed_version, last_affected, vendor_status, vendor_severity, cvss_score,"
      " cvss_vector FROM affected WHERE distro = ?1 AND release = ?2 AND package = ?3";
  if (sqlite3_prepare_v2(f->db_, sql, -1, &f->lookup_, nullptr) != SQLITE_OK)
    return SqliteError(f->db_, path, "not a Warden feed database");
  if (sqlite3_prepare_v2(f->db_,
                         "SELECT title, link FROM documents WHERE source = ?1 AND document = ?2",
                         -1, &f->document_, nullptr) != SQLITE_OK)
    return SqliteError(f->db_, path, "not a Warden feed database");
  return f;
}

FeedDatabase::~FeedDatabase() {
  sqlite3_finalize(document_);
  sqlite3_finalize(lookup_);
  sqlite3_close(db_);
}

Status FeedDatabase::Lookup(std::string_view distro, std::string_view release,
                            std::string_view package, std::vector<AffectedRecord>* out) {
  if (lookup_ == nullptr) return Status::Ok();
  sqlite3_reset(lookup_);
  BindText(lookup_, 1, distro);
  BindText(lookup_, 2, release);
  BindText(lookup_, 3, package);
  int rc;
  while ((rc = sqlite3_step(lookup_)) == SQLITE_ROW) {
    AffectedRecord& r = out->emplace_back();  // in place: the record is large
    r.source = ColumnText(lookup_, 0);
    r.document = ColumnText(lookup_, 1);
    r.distro = distro;  // the key asked for: no need to decode it per row
    r.release = release;
    r.package = package;
    r.scheme =
        sqlite3_column_int(lookup_, 2) == 1 ? PackageScheme::kRpmBinary : PackageScheme::kDebSource;
    r.arch = ColumnText(lookup_, 3);
    r.flavour = ColumnText(lookup_, 4);
    r.module_stream = ColumnText(lookup_, 5);
    r.vuln_id = ColumnText(lookup_, 6);
    r.advisory = ColumnText(lookup_, 7);
    r.status =
        ParseVendorStatusName(ColumnText(lookup_, 8)).value_or(VendorStatus::kUnderInvestigation);
    r.introduced = ColumnText(lookup_, 9);
    r.fixed_version = ColumnText(lookup_, 10);
    r.last_affected = ColumnText(lookup_, 11);
    r.vendor_status = ColumnText(lookup_, 12);
    r.vendor_severity = ColumnText(lookup_, 13);
    r.cvss_score =
        sqlite3_column_type(lookup_, 14) == SQLITE_NULL ? -1 : sqlite3_column_double(lookup_, 14);
    r.cvss_vector = ColumnText(lookup_, 15);
  }
  Status st = rc == SQLITE_DONE ? Status::Ok() : SqliteError(db_, path_, "lookup failed");
  sqlite3_reset(lookup_);
  return st;
}

Status FeedDatabase::DocumentText(std::string_view source, std::string_view document,
                                  std::string* title, std::string* link) {
  title->clear();
  link->clear();
  if (document_ == nullptr) return Status::Ok();
  sqlite3_reset(document_);
  BindText(document_, 1, source);
  BindText(document_, 2, document);
  int rc = sqlite3_step(document_);
  if (rc == SQLITE_ROW) {
    *title = ColumnText(document_, 0);
    *link = ColumnText(document_, 1);
  }
  sqlite3_reset(document_);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return SqliteError(db_, path_, "document lookup failed");
  return Status::Ok();
}

Result<bool> FeedDatabase::HasRelease(std::string_view distro, std::string_view release) {
  if (lookup_ == nullptr) return false;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT 1 FROM affected WHERE distro = ?1 AND release = ?2 LIMIT 1",
                         -1, &s, nullptr) != SQLITE_OK)
    return SqliteError(db_, path_, "query failed");
  BindText(s, 1, distro);
  BindText(s, 2, release);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteError(db_, path_, "query failed");
  return rc == SQLITE_ROW;
}

Result<std::vector<FeedSourceStatus>> FeedDatabase::Sources() {
  std::vector<FeedSourceStatus> out;
  if (lookup_ == nullptr) return out;
  sqlite3_stmt* s = nullptr;
  const char* sql =
      "SELECT s.name, s.format, s.origin, s.imported_at, s.feed_time,"
      " (SELECT COUNT(*) FROM affected a WHERE a.source = s.name),"
      " (SELECT COUNT(DISTINCT vuln_id) FROM affected a WHERE a.source = s.name)"
      " FROM sources s ORDER BY s.name";
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK)
    return SqliteError(db_, path_, "query failed");
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    FeedSourceStatus f;
    f.name = ColumnText(s, 0);
    f.format = ColumnText(s, 1);
    f.origin = ColumnText(s, 2);
    f.imported_at = sqlite3_column_int64(s, 3);
    f.feed_time = sqlite3_column_int64(s, 4);
    f.records = sqlite3_column_int64(s, 5);
    f.vulnerabilities = sqlite3_column_int64(s, 6);
    out.push_back(std::move(f));
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return SqliteError(db_, path_, "query failed");
  return out;
}

// ---------------------------------------------------------------- FeedWriter

Result<std::unique_ptr<FeedWriter>> FeedWriter::Begin(const std::string& path) {
  std::unique_ptr<FeedWriter> w(new FeedWriter());
  w->path_ = path;
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) return IoError(parent.string() + ": cannot create directory: " + ec.message());
  }
  struct stat st;
  w->created_file_ = ::stat(path.c_str(), &st) != 0 && errno == ENOENT;
  if (sqlite3_open_v2(path.c_str(), &w->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Status err = SqliteError(w->db_, path, "cannot open");
    w->Abort();
    return err;
  }
  sqlite3_busy_timeout(w->db_, 10000);
  ASSIGN_OR_RETURN(int version, UserVersion(w->db_, path));
  RETURN_IF_ERROR(CheckSchemaVersion(version, path));
  // Bigger page cache and memory temp store: an import writes hundreds of
  // thousands of index entries. The rollback journal keeps the old database
  // intact until COMMIT.
  // 16 KiB pages for a new database: a package's records usually share one
  // page, and the trees are shallower, so a scan reads fewer pages.
  if (w->created_file_) RETURN_IF_ERROR(Exec(w->db_, path, "PRAGMA page_size = 16384"));
  RETURN_IF_ERROR(Exec(w->db_, path, "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;"));
  RETURN_IF_ERROR(Exec(w->db_, path, "BEGIN IMMEDIATE"));
  RETURN_IF_ERROR(Exec(w->db_, path, kSchema));
  RETURN_IF_ERROR(
      Exec(w->db_, path, ("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str()));
  RETURN_IF_ERROR(w->Prepare());
  return w;
}

Status FeedWriter::Prepare() {
  auto prep = [&](const char* sql, sqlite3_stmt** s) -> Status {
    if (sqlite3_prepare_v2(db_, sql, -1, s, nullptr) != SQLITE_OK)
      return SqliteError(db_, path_, "prepare");
    return Status::Ok();
  };
  RETURN_IF_ERROR(
      prep("DELETE FROM affected WHERE source = ?1 AND document = ?2", &delete_records_));
  RETURN_IF_ERROR(
      prep("DELETE FROM documents WHERE source = ?1 AND document = ?2", &delete_document_));
  // OR REPLACE: a feed that states the same thing twice (OSV ranges
  // repeated across affected entries) stores it once.
  RETURN_IF_ERROR(prep(
      "INSERT OR REPLACE INTO affected(source, document, distro, release, package, scheme, arch,"
      " flavour, module_stream, vuln_id, advisory, status, introduced, fixed_version,"
      " last_affected, vendor_status, vendor_severity, cvss_score, cvss_vector)"
      " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)",
      &insert_record_));
  RETURN_IF_ERROR(prep("INSERT OR REPLACE INTO documents VALUES(?1,?2,?3,?4)", &insert_document_));
  return Status::Ok();
}

void FeedWriter::Abort() {
  for (sqlite3_stmt* s : {delete_records_, delete_document_, insert_record_, insert_document_})
    sqlite3_finalize(s);
  delete_records_ = delete_document_ = insert_record_ = insert_document_ = nullptr;
  if (db_ != nullptr) {
    if (!committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
  }
  if (!committed_ && created_file_) {
    ::unlink(path_.c_str());
    ::unlink((path_ + "-journal").c_str());
  }
}

FeedWriter::~FeedWriter() { Abort(); }

Status FeedWriter::BeginDocument(std::string_view source, std::string_view document) {
  for (sqlite3_stmt* s : {delete_records_, delete_document_}) {
    sqlite3_reset(s);
    BindText(s, 1, source);
    BindText(s, 2, document);
    if (sqlite3_step(s) != SQLITE_DONE)
      return SqliteError(db_, path_, "replacing an earlier import");
  }
  last_document_key_.clear();
  if (std::find(touched_.begin(), touched_.end(), source) == touched_.end())
    touched_.emplace_back(source);
  return Status::Ok();
}

Status FeedWriter::Add(const AffectedRecord& r) {
  std::string key = r.source + '\x1f' + r.document;
  if (key != last_document_key_) {
    sqlite3_reset(insert_document_);
    BindText(insert_document_, 1, r.source);
    BindText(insert_document_, 2, r.document);
    BindText(insert_document_, 3, r.title);
    BindText(insert_document_, 4, r.link);
    if (sqlite3_step(insert_document_) != SQLITE_DONE)
      return SqliteError(db_, path_, "writing a document");
    last_document_key_ = std::move(key);
  }
  sqlite3_stmt* s = insert_record_;
  sqlite3_reset(s);
  BindText(s, 1, r.source);
  BindText(s, 2, r.document);
  BindText(s, 3, r.distro);
  BindText(s, 4, r.release);
  BindText(s, 5, r.package);
  sqlite3_bind_int(s, 6, r.scheme == PackageScheme::kRpmBinary ? 1 : 0);
  BindText(s, 7, r.arch);
  BindText(s, 8, r.flavour);
  BindText(s, 9, r.module_stream);
  BindText(s, 10, r.vuln_id);
  BindText(s, 11, r.advisory);
  BindText(s, 12, VendorStatusName(r.status));
  BindText(s, 13, r.introduced);
  BindText(s, 14, r.fixed_version);
  BindText(s, 15, r.last_affected);
  BindText(s, 16, r.vendor_status);
  BindText(s, 17, r.vendor_severity);
  if (r.cvss_score >= 0)
    sqlite3_bind_double(s, 18, r.cvss_score);
  else
    sqlite3_bind_null(s, 18);
  BindText(s, 19, r.cvss_vector);
  if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(db_, path_, "writing a record");
  ++records_added_;
  return Status::Ok();
}

void FeedWriter::SetFeedTime(std::string_view source, int64_t epoch_seconds) {
  for (auto& [name, t] : feed_times_) {
    if (name == source) {
      t = std::max(t, epoch_seconds);
      return;
    }
  }
  feed_times_.emplace_back(std::string(source), epoch_seconds);
}

std::vector<std::string> FeedWriter::TakeTouchedSources() {
  std::vector<std::string> out;
  out.swap(touched_);
  return out;
}

Status FeedWriter::NoteImport(std::string_view source, std::string_view format,
                              std::string_view origin, int64_t file_time) {
  int64_t feed_time = file_time;
  for (const auto& [name, t] : feed_times_)
    if (name == source) feed_time = t;
  sqlite3_stmt* s = nullptr;
  const char* sql =
      "INSERT INTO sources(name, format, origin, imported_at, feed_time) VALUES(?1, ?2, ?3, ?4, ?5)"
      " ON CONFLICT(name) DO UPDATE SET format = excluded.format, origin = excluded.origin,"
      " imported_at = excluded.imported_at, feed_time = max(sources.feed_time, excluded.feed_time)";
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK)
    return SqliteError(db_, path_, "prepare");
  BindText(s, 1, source);
  BindText(s, 2, format);
  BindText(s, 3, origin);
  sqlite3_bind_int64(s, 4, NowEpochSeconds());
  sqlite3_bind_int64(s, 5, feed_time);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return SqliteError(db_, path_, "recording the import");
  return Status::Ok();
}

Status FeedWriter::Commit() {
  for (sqlite3_stmt* s : {delete_records_, delete_document_, insert_record_, insert_document_})
    sqlite3_finalize(s);
  delete_records_ = delete_document_ = insert_record_ = insert_document_ = nullptr;
  RETURN_IF_ERROR(Exec(db_, path_, "COMMIT"));
  committed_ = true;
  return Status::Ok();
}

}  // namespace warden
