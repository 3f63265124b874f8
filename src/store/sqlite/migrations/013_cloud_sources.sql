-- 013_cloud_sources: where a cloud account's audit events come from, and how
-- far the server has read each one.
-- As in 001..012: times are epoch milliseconds, every sortable column is NOT
-- NULL with an index ending in the id.

-- A directory (plain, or the S3 layout AWSLogs/<acct>/CloudTrail/...) the
-- server follows for one account. The counters and last_* columns are the
-- source's health as the follower reports it with each file it stored.
CREATE TABLE cloud_sources (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES cloud_accounts (id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('directory')),
  path TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  files_read INTEGER NOT NULL DEFAULT 0,
  events INTEGER NOT NULL DEFAULT 0,
  findings INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  last_file TEXT NOT NULL DEFAULT '',
  last_read_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  last_error_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX cloud_sources_account_name ON cloud_sources (account_id, name);
CREATE INDEX cloud_sources_account ON cloud_sources (account_id, id);
CREATE INDEX cloud_sources_account_created_at ON cloud_sources (account_id, created_at, id);

-- Bytes of each file a source has consumed, written in the same transaction
-- as the problems the file raised: a restart neither repeats nor skips.
CREATE TABLE cloud_source_positions (
  source_id INTEGER NOT NULL REFERENCES cloud_sources (id),
  path TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (source_id, path)
) WITHOUT ROWID;
