// The local feed database: every imported vendor record, in one SQLite file
// (default /var/lib/warden/feeds.db for root, $XDG_DATA_HOME/warden/feeds.db
// otherwise; WARDEN_FEED_DB overrides). Two roles, two types:
//   - FeedWriter is one import: a FeedSink whose records land inside a single
//     transaction. Commit() makes them visible; anything else (an error, a
//     crash, destruction without Commit) leaves the database exactly as it was,
//     and removes the file if this import created it. Re-importing a document
//     (an OSV id, an ELSA, a tracker package/CVE pair) replaces its records.
//   - FeedDatabase reads: per-package lookups for the matcher and the status
//     of each source. Opened read-only, so a scan never changes the file.
// The schema is private to this file (PRAGMA user_version tells its version);
// SQLite is reached through src/sql's SqliteDatabase.
// Neither type is thread-safe; use one per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "sql/sqlite_database.h"
#include "vuln/feed_record.h"

namespace warden {

// Where the feed database lives when --db is not given.
std::string DefaultFeedDatabasePath();

struct FeedSourceStatus {
  std::string name;         // "debian-tracker", "osv-ubuntu", "oracle-elsa"
  std::string format;       // the format of the last import
  std::string origin;       // the file or directory last imported
  int64_t imported_at = 0;  // epoch seconds of the last import
  int64_t feed_time = 0;    // the data's own timestamp (newest record or file mtime), 0 if unknown
  int64_t records = 0;      // affected records stored
  int64_t vulnerabilities = 0;  // distinct CVE/advisory ids
};

class FeedDatabase {
 public:
  // NotFound (naming the path and how to create it) when the file does not exist.
  static Result<std::unique_ptr<FeedDatabase>> OpenReadOnly(const std::string& path);
  ~FeedDatabase();
  FeedDatabase(const FeedDatabase&) = delete;
  FeedDatabase& operator=(const FeedDatabase&) = delete;

  const std::string& path() const { return path_; }
  Result<std::vector<FeedSourceStatus>> Sources();
  // Every record for one package of one distribution release (a source
  // package for Debian/Ubuntu, a binary name for RPM families). Titles and
  // links are left empty: see DocumentText.
  Status Lookup(std::string_view distro, std::string_view release, std::string_view package,
                std::vector<AffectedRecord>* out);
  // The title and link of a document (an OSV record, an ELSA, a tracker
  // entry); Lookup leaves them empty because most records never become
  // findings. Empty strings when the document is unknown.
  Status DocumentText(std::string_view source, std::string_view document, std::string* title,
                      std::string* link);
  // Whether any record exists for the distribution release at all (to tell
  // "no vulnerabilities" from "no feed for this OS").
  Result<bool> HasRelease(std::string_view distro, std::string_view release);

 private:
  FeedDatabase() = default;
  std::string path_;
  std::unique_ptr<SqliteDatabase> db_;
  // Prepared once; absent for an empty database (lookups then find nothing).
  std::optional<SqliteStatement> lookup_;
  std::optional<SqliteStatement> document_;
};

class FeedWriter : public FeedSink {
 public:
  // Opens (creating the file and its directory if needed) and begins the
  // import transaction.
  static Result<std::unique_ptr<FeedWriter>> Begin(const std::string& path);
  ~FeedWriter() override;  // rolls back unless committed
  FeedWriter(const FeedWriter&) = delete;
  FeedWriter& operator=(const FeedWriter&) = delete;

  Status BeginDocument(std::string_view source, std::string_view document) override;
  Status Add(const AffectedRecord& record) override;
  void SetFeedTime(std::string_view source, int64_t epoch_seconds) override;
  // Records that `origin` (of `format`) was imported into `source` now; the
  // feed time falls back to `file_time` when the data carried none.
  Status NoteImport(std::string_view source, std::string_view format, std::string_view origin,
                    int64_t file_time);
  // The sources records were added to since the last call (for NoteImport).
  std::vector<std::string> TakeTouchedSources();
  uint64_t records_added() const { return records_added_; }

  Status Commit();

 private:
  FeedWriter() = default;
  Status Prepare();
  void Abort();

  std::string path_;
  bool created_file_ = false;
  bool committed_ = false;
  std::unique_ptr<SqliteDatabase> db_;
  std::unique_ptr<SqliteTransaction> txn_;
  SqliteStatement delete_records_;
  SqliteStatement delete_document_;
  SqliteStatement insert_record_;
  SqliteStatement insert_document_;
  std::string last_document_key_;
  std::vector<std::string> touched_;
  std::vector<std::pair<std::string, int64_t>> feed_times_;
  uint64_t records_added_ = 0;
};

}  // namespace warden
