-- 007_live_queries: live queries (campaigns), their per-host targets and the
-- rows the hosts returned. As in 001..006: times are epoch milliseconds,
-- JSON is TEXT, every sortable column is NOT NULL with an index ending in
-- the id.

-- One campaign: the SQL, who ran it, what it targeted, and its per-host
-- progress as counters (kept with every target change so that lists show
-- them without counting), with the rows and bytes stored against its bound.
-- `changes` counts target changes; each target keeps the count of its last
-- change (change_seq), so a follower reads what changed since it looked
-- without comparing clocks.
CREATE TABLE live_queries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at INTEGER NOT NULL,
  created_by_type TEXT NOT NULL,
  created_by_id TEXT NOT NULL DEFAULT '',
  created_by_name TEXT NOT NULL DEFAULT '',
  sql_text TEXT NOT NULL,
  targets_json TEXT NOT NULL DEFAULT '{}',
  rerun_of INTEGER REFERENCES live_queries (id),
  deadline_at INTEGER NOT NULL,
  offline_deadline_at INTEGER,
  state TEXT NOT NULL CHECK (state IN ('running', 'done', 'cancelled')),
  targeted_hosts INTEGER NOT NULL DEFAULT 0,
  pending_hosts INTEGER NOT NULL DEFAULT 0,
  running_hosts INTEGER NOT NULL DEFAULT 0,
  done_hosts INTEGER NOT NULL DEFAULT 0,
  error_hosts INTEGER NOT NULL DEFAULT 0,
  offline_hosts INTEGER NOT NULL DEFAULT 0,
  cancelled_hosts INTEGER NOT NULL DEFAULT 0,
  stored_rows INTEGER NOT NULL DEFAULT 0,
  stored_bytes INTEGER NOT NULL DEFAULT 0,
  max_rows INTEGER NOT NULL,
  max_bytes INTEGER NOT NULL,
  truncated_at INTEGER,
  columns_json TEXT NOT NULL DEFAULT '[]',
  finished_at INTEGER,
  results_pruned_at INTEGER,
  changes INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE INDEX live_queries_created_at ON live_queries (created_at, id);
CREATE INDEX live_queries_state_created_at ON live_queries (state, created_at, id);
CREATE INDEX live_queries_deadline ON live_queries (state, deadline_at, id);

-- One row per host a campaign targeted, with the live_query command that
-- asks it (none for a host that was offline and not waited for).
CREATE TABLE live_query_targets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  query_id INTEGER NOT NULL REFERENCES live_queries (id),
  host_id INTEGER NOT NULL REFERENCES hosts (id),
  hostname TEXT NOT NULL DEFAULT '',
  command_id INTEGER REFERENCES agent_commands (id),
  state TEXT NOT NULL
    CHECK (state IN ('pending', 'running', 'done', 'error', 'offline', 'cancelled')),
  returned_rows INTEGER NOT NULL DEFAULT 0,
  stored_rows INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  columns_json TEXT NOT NULL DEFAULT '[]',
  chunks INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER,
  finished_at INTEGER,
  change_seq INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX live_query_targets_query_host ON live_query_targets (query_id, host_id);
CREATE UNIQUE INDEX live_query_targets_command ON live_query_targets (command_id);
CREATE INDEX live_query_targets_query_id ON live_query_targets (query_id, id);
CREATE INDEX live_query_targets_query_state ON live_query_targets (query_id, state, id);
CREATE INDEX live_query_targets_query_rows ON live_query_targets (query_id, returned_rows, id);
CREATE INDEX live_query_targets_query_duration ON live_query_targets (query_id, duration_ms, id);
CREATE INDEX live_query_targets_query_change ON live_query_targets (query_id, change_seq, id);
CREATE INDEX live_query_targets_host ON live_query_targets (host_id, query_id);

-- The rows hosts returned, each a JSON object (column -> value, keys
-- sorted), in the order they arrived.
CREATE TABLE live_query_rows (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  query_id INTEGER NOT NULL REFERENCES live_queries (id),
  host_id INTEGER NOT NULL,
  row_json TEXT NOT NULL
);
CREATE INDEX live_query_rows_query ON live_query_rows (query_id, id);
CREATE INDEX live_query_rows_query_host ON live_query_rows (query_id, host_id, id);
