#include "vuln/feed_database.h"

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

Status CheckSchemaVersion(int64_t version, std::string_view path) {
  if (version != 0 && version != kSchemaVersion)
    return InvalidArgument(std::string(path) + ": feed database schema version " +
                           std::to_string(version) + " is not the one this Warden uses (" +
                           std::to_string(kSchemaVersion) +
                           "); import the feeds into a new database");
  return Status::Ok();
}

Result<int64_t> UserVersion(SqliteDatabase& db) {
  auto v = db.UserVersion();
  if (!v.ok()) return IoError(db.path() + ": not a Warden feed database: " + v.status().message());
  return v;
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
  SqliteOpenOptions options;
  options.mode = SqliteOpenOptions::Mode::kReadOnly;
  options.busy_timeout = std::chrono::milliseconds(5000);
  ASSIGN_OR_RETURN(f->db_, SqliteDatabase::Open(path, options));
  // A page cache big enough for a scan's working set (lookups come in key
  // order, so neighbouring records share pages). Not mmap: fault-around would
  // count most of a 100+ MB file as the scan's RSS.
  RETURN_IF_ERROR(f->db_->Exec("PRAGMA cache_size = -16384"));
  ASSIGN_OR_RETURN(int64_t version, UserVersion(*f->db_));
  RETURN_IF_ERROR(CheckSchemaVersion(version, path));
  if (version == 0) return f;  // an empty database: lookups find nothing
  auto prepare = [&](const char* sql) -> Result<SqliteStatement> {
    auto s = f->db_->Prepare(sql);
    if (!s.ok()) return s.status().WithContext("not a Warden feed database");
    return s;
  };
  ASSIGN_OR_RETURN(
      f->lookup_,
      prepare("SELECT source, document, scheme, arch, flavour, module_stream, vuln_id, advisory,"
              " status, introduced, fixed_version, last_affected, vendor_status, vendor_severity,"
              " cvss_score, cvss_vector FROM affected"
              " WHERE distro = ?1 AND release = ?2 AND package = ?3"));
  ASSIGN_OR_RETURN(
      f->document_,
      prepare("SELECT title, link FROM documents WHERE source = ?1 AND document = ?2"));
  return f;
}

FeedDatabase::~FeedDatabase() = default;

Status FeedDatabase::Lookup(std::string_view distro, std::string_view release,
                            std::string_view package, std::vector<AffectedRecord>* out) {
  if (!lookup_) return Status::Ok();
  SqliteStatement& s = *lookup_;
  s.Reset();
  s.Bind(1, distro).Bind(2, release).Bind(3, package);
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status().WithContext("lookup failed");
    if (!*row) break;
    AffectedRecord& r = out->emplace_back();  // in place: the record is large
    r.source = s.Text(0);
    r.document = s.Text(1);
    r.distro = distro;  // the key asked for: no need to decode it per row
    r.release = release;
    r.package = package;
    r.scheme = s.Int(2) == 1 ? PackageScheme::kRpmBinary : PackageScheme::kDebSource;
    r.arch = s.Text(3);
    r.flavour = s.Text(4);
    r.module_stream = s.Text(5);
    r.vuln_id = s.Text(6);
    r.advisory = s.Text(7);
    r.status = ParseVendorStatusName(s.Text(8)).value_or(VendorStatus::kUnderInvestigation);
    r.introduced = s.Text(9);
    r.fixed_version = s.Text(10);
    r.last_affected = s.Text(11);
    r.vendor_status = s.Text(12);
    r.vendor_severity = s.Text(13);
    r.cvss_score = s.IsNull(14) ? -1 : s.Double(14);
    r.cvss_vector = s.Text(15);
  }
  s.Reset();
  return Status::Ok();
}

Status FeedDatabase::DocumentText(std::string_view source, std::string_view document,
                                  std::string* title, std::string* link) {
  title->clear();
  link->clear();
  if (!document_) return Status::Ok();
  SqliteStatement& s = *document_;
  s.Reset();
  s.Bind(1, source).Bind(2, document);
  auto row = s.Step();
  if (!row.ok()) return row.status().WithContext("document lookup failed");
  if (*row) {
    *title = s.Text(0);
    *link = s.Text(1);
  }
  s.Reset();
  return Status::Ok();
}

Result<bool> FeedDatabase::HasRelease(std::string_view distro, std::string_view release) {
  if (!lookup_) return false;
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db_->Prepare("SELECT 1 FROM affected WHERE distro = ?1 AND release = ?2 LIMIT 1"));
  s.Bind(1, distro).Bind(2, release);
  return s.Step();
}

Result<std::vector<FeedSourceStatus>> FeedDatabase::Sources() {
  std::vector<FeedSourceStatus> out;
  if (!lookup_) return out;
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db_->Prepare("SELECT s.name, s.format, s.origin, s.imported_at, s.feed_time,"
                   " (SELECT COUNT(*) FROM affected a WHERE a.source = s.name),"
                   " (SELECT COUNT(DISTINCT vuln_id) FROM affected a WHERE a.source = s.name)"
                   " FROM sources s ORDER BY s.name"));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    FeedSourceStatus f;
    f.name = s.Text(0);
    f.format = s.Text(1);
    f.origin = s.Text(2);
    f.imported_at = s.Int(3);
    f.feed_time = s.Int(4);
    f.records = s.Int(5);
    f.vulnerabilities = s.Int(6);
    out.push_back(std::move(f));
  }
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
  // The rollback journal keeps the old database intact until COMMIT, in one
  // file once the import is done.
  SqliteOpenOptions options;
  options.mode = SqliteOpenOptions::Mode::kReadWriteCreate;
  options.wal = false;
  options.synchronous_full = false;
  auto db = SqliteDatabase::Open(path, options);
  if (!db.ok()) {
    w->Abort();
    return db.status();
  }
  w->db_ = std::move(*db);
  ASSIGN_OR_RETURN(int64_t version, UserVersion(*w->db_));
  RETURN_IF_ERROR(CheckSchemaVersion(version, path));
  // Bigger page cache and memory temp store: an import writes hundreds of
  // thousands of index entries.
  // 16 KiB pages for a new database: a package's records usually share one
  // page, and the trees are shallower, so a scan reads fewer pages.
  if (w->created_file_) RETURN_IF_ERROR(w->db_->Exec("PRAGMA page_size = 16384"));
  RETURN_IF_ERROR(w->db_->Exec("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;"));
  ASSIGN_OR_RETURN(w->txn_, SqliteTransaction::Begin(*w->db_));
  RETURN_IF_ERROR(w->db_->Exec(kSchema));
  RETURN_IF_ERROR(w->db_->Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion)));
  RETURN_IF_ERROR(w->Prepare());
  return w;
}

Status FeedWriter::Prepare() {
  ASSIGN_OR_RETURN(delete_records_,
                   db_->Prepare("DELETE FROM affected WHERE source = ?1 AND document = ?2"));
  ASSIGN_OR_RETURN(delete_document_,
                   db_->Prepare("DELETE FROM documents WHERE source = ?1 AND document = ?2"));
  // OR REPLACE: a feed that states the same thing twice (OSV ranges
  // repeated across affected entries) stores it once.
  ASSIGN_OR_RETURN(
      insert_record_,
      db_->Prepare(
          "INSERT OR REPLACE INTO affected(source, document, distro, release, package, scheme,"
          " arch, flavour, module_stream, vuln_id, advisory, status, introduced, fixed_version,"
          " last_affected, vendor_status, vendor_severity, cvss_score, cvss_vector)"
          " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)"));
  ASSIGN_OR_RETURN(insert_document_,
                   db_->Prepare("INSERT OR REPLACE INTO documents VALUES(?1,?2,?3,?4)"));
  return Status::Ok();
}

void FeedWriter::Abort() {
  delete_records_ = SqliteStatement();
  delete_document_ = SqliteStatement();
  insert_record_ = SqliteStatement();
  insert_document_ = SqliteStatement();
  txn_.reset();  // ROLLBACK unless committed
  db_.reset();
  if (!committed_ && created_file_) {
    ::unlink(path_.c_str());
    ::unlink((path_ + "-journal").c_str());
  }
}

FeedWriter::~FeedWriter() { Abort(); }

Status FeedWriter::BeginDocument(std::string_view source, std::string_view document) {
  for (SqliteStatement* s : {&delete_records_, &delete_document_}) {
    s->Bind(1, source).Bind(2, document);
    Status st = s->Run();
    if (!st.ok()) return st.WithContext("replacing an earlier import");
  }
  last_document_key_.clear();
  if (std::find(touched_.begin(), touched_.end(), source) == touched_.end())
    touched_.emplace_back(source);
  return Status::Ok();
}

Status FeedWriter::Add(const AffectedRecord& r) {
  std::string key = r.source + '\x1f' + r.document;
  if (key != last_document_key_) {
    insert_document_.Bind(1, r.source).Bind(2, r.document).Bind(3, r.title).Bind(4, r.link);
    Status st = insert_document_.Run();
    if (!st.ok()) return st.WithContext("writing a document");
    last_document_key_ = std::move(key);
  }
  SqliteStatement& s = insert_record_;
  s.Bind(1, r.source).Bind(2, r.document).Bind(3, r.distro).Bind(4, r.release).Bind(5, r.package);
  s.Bind(6, int64_t{r.scheme == PackageScheme::kRpmBinary ? 1 : 0});
  s.Bind(7, r.arch).Bind(8, r.flavour).Bind(9, r.module_stream).Bind(10, r.vuln_id);
  s.Bind(11, r.advisory).Bind(12, VendorStatusName(r.status)).Bind(13, r.introduced);
  s.Bind(14, r.fixed_version).Bind(15, r.last_affected).Bind(16, r.vendor_status);
  s.Bind(17, r.vendor_severity);
  if (r.cvss_score >= 0)
    s.BindDouble(18, r.cvss_score);
  else
    s.BindNull(18);
  s.Bind(19, r.cvss_vector);
  Status st = s.Run();
  if (!st.ok()) return st.WithContext("writing a record");
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
  ASSIGN_OR_RETURN(SqliteStatement s,
                   db_->Prepare("INSERT INTO sources(name, format, origin, imported_at, feed_time)"
                                " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(name) DO UPDATE SET"
                                " format = excluded.format, origin = excluded.origin,"
                                " imported_at = excluded.imported_at,"
                                " feed_time = max(sources.feed_time, excluded.feed_time)"));
  s.Bind(1, source).Bind(2, format).Bind(3, origin).Bind(4, NowEpochSeconds()).Bind(5, feed_time);
  Status st = s.Run();
  if (!st.ok()) return st.WithContext("recording the import");
  return Status::Ok();
}

Status FeedWriter::Commit() {
  delete_records_ = SqliteStatement();
  delete_document_ = SqliteStatement();
  insert_record_ = SqliteStatement();
  insert_document_ = SqliteStatement();
  RETURN_IF_ERROR(txn_->Commit());
  committed_ = true;
  return Status::Ok();
}

}  // namespace warden
