-- 001_initial: identity, enrolment, users and their credentials, the audit
-- log, the ingest ledger and settings.
-- The table definitions are SQLite's (AUTOINCREMENT so that ids are never
-- reused after a delete, WITHOUT ROWID for tables keyed by text); the
-- queries on them are portable SQL. Times are epoch milliseconds, booleans
-- 0/1 integers, JSON is TEXT. Every sortable column is NOT NULL and has an
-- index ending in the id, which is what keyset paging walks.

CREATE TABLE hosts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  machine_id TEXT NOT NULL,
  instance_id TEXT NOT NULL DEFAULT '',
  hostname TEXT NOT NULL,
  os_name TEXT NOT NULL DEFAULT '',
  os_version TEXT NOT NULL DEFAULT '',
  os_id TEXT NOT NULL DEFAULT '',
  os_codename TEXT NOT NULL DEFAULT '',
  kernel TEXT NOT NULL DEFAULT '',
  arch TEXT NOT NULL DEFAULT '',
  agent_type TEXT NOT NULL DEFAULT 'warden',
  agent_version TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '[]',
  enrolled_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  duplicate_identity INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER
);
CREATE UNIQUE INDEX hosts_identity ON hosts (machine_id, instance_id, hostname);
CREATE INDEX hosts_hostname ON hosts (hostname, id);
CREATE INDEX hosts_agent_version ON hosts (agent_version, id);
CREATE INDEX hosts_enrolled_at ON hosts (enrolled_at, id);
CREATE INDEX hosts_last_seen_at ON hosts (last_seen_at, id);

CREATE TABLE host_labels (
  host_id INTEGER NOT NULL REFERENCES hosts (id),
  label TEXT NOT NULL,
  PRIMARY KEY (host_id, label)
) WITHOUT ROWID;
CREATE INDEX host_labels_label ON host_labels (label, host_id);

CREATE TABLE enrol_secrets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '[]',
  sha256 TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  last_used_at INTEGER,
  uses INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX enrol_secrets_name ON enrol_secrets (name, id);
CREATE INDEX enrol_secrets_created_at ON enrol_secrets (created_at, id);
CREATE INDEX enrol_secrets_uses ON enrol_secrets (uses, id);

CREATE TABLE node_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host_id INTEGER NOT NULL REFERENCES hosts (id),
  sha256 TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX node_keys_host ON node_keys (host_id, id);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
  password_hash TEXT NOT NULL DEFAULT '',
  must_change_password INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_login_at INTEGER
);
CREATE INDEX users_created_at ON users (created_at, id);

CREATE TABLE sessions (
  id_sha256 TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id),
  sha256 TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at, id);
CREATE INDEX api_tokens_name ON api_tokens (name, id);
CREATE INDEX api_tokens_created_at ON api_tokens (created_at, id);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  occurred_at INTEGER NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL DEFAULT '',
  actor_name TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  target_type TEXT NOT NULL DEFAULT '',
  target_id TEXT NOT NULL DEFAULT '',
  source_ip TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  before_json TEXT,
  after_json TEXT
);
CREATE INDEX audit_log_time ON audit_log (occurred_at, id);
CREATE INDEX audit_log_action ON audit_log (action, occurred_at, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, occurred_at, id);
CREATE INDEX audit_log_target ON audit_log (target_id, occurred_at, id);
CREATE INDEX audit_log_actor_name ON audit_log (actor_name, occurred_at, id);
CREATE INDEX audit_log_source_ip ON audit_log (source_ip, occurred_at, id);
CREATE INDEX audit_log_request_id ON audit_log (request_id, occurred_at, id);

-- One row per (host, record id) ever stored: the idempotency of ingest.
CREATE TABLE record_ledger (
  host_id INTEGER NOT NULL,
  record_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (host_id, record_id)
) WITHOUT ROWID;
CREATE INDEX record_ledger_received_at ON record_ledger (received_at);

CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
