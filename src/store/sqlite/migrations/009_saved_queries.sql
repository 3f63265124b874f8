-- 009_saved_queries: saved queries (named SQL with owner and tags), each
-- user's favourites, the central schedules that send saved queries to
-- agents through their config, the result lines agents send for scheduled
-- queries, and each host's scheduled-query jobs as its status reports them.
-- As in 001..007: times are epoch milliseconds, JSON is TEXT, every
-- sortable column is NOT NULL with an index ending in the id.

-- One saved query. `schedule_json` is its central schedule (targets,
-- timing, mode, budgets) or NULL when it is not scheduled; `scheduled` is
-- 1 when a schedule is set and enabled (what agents receive).
CREATE TABLE saved_queries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  sql_text TEXT NOT NULL,
  tags_json TEXT NOT NULL DEFAULT '[]',
  owner_type TEXT NOT NULL,
  owner_id TEXT NOT NULL DEFAULT '',
  owner_name TEXT NOT NULL DEFAULT '',
  schedule_json TEXT,
  scheduled INTEGER NOT NULL DEFAULT 0 CHECK (scheduled IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX saved_queries_name ON saved_queries (name);
CREATE INDEX saved_queries_created_at ON saved_queries (created_at, id);
CREATE INDEX saved_queries_updated_at ON saved_queries (updated_at, id);
CREATE INDEX saved_queries_scheduled ON saved_queries (scheduled, id);

-- A saved query's tags, one row each (for the tag filter).
CREATE TABLE saved_query_tags (
  saved_query_id INTEGER NOT NULL REFERENCES saved_queries (id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (tag, saved_query_id)
);
CREATE INDEX saved_query_tags_query ON saved_query_tags (saved_query_id);

-- Each user's favourite saved queries.
CREATE TABLE saved_query_favourites (
  user_id INTEGER NOT NULL,
  saved_query_id INTEGER NOT NULL REFERENCES saved_queries (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, saved_query_id)
);
CREATE INDEX saved_query_favourites_query ON saved_query_favourites (saved_query_id);

-- A campaign started from a saved query names it (kept when the saved
-- query is deleted later: the history stays as it was).
ALTER TABLE live_queries ADD COLUMN saved_query_id INTEGER;
CREATE INDEX live_queries_saved_query ON live_queries (saved_query_id, created_at, id);

-- Scheduled-query results: one row per result row of an osquery-style
-- result line (a differential line's `columns`, each row of a snapshot),
-- with the query's name as the agent runs it ("srv:<saved query>" for the
-- server's schedules), the host, and the run's time. Read per query, or
-- per query and host, over time; three indexes only, as every result row
-- pays for each (a host's rows across all queries walk the time index).
CREATE TABLE scheduled_query_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host_id INTEGER NOT NULL,
  hostname TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('added', 'removed', 'snapshot')),
  run_at INTEGER NOT NULL,
  epoch INTEGER NOT NULL DEFAULT 0,
  counter INTEGER NOT NULL DEFAULT 0,
  row_json TEXT NOT NULL
);
CREATE INDEX scheduled_query_results_name ON scheduled_query_results (name, run_at, id);
CREATE INDEX scheduled_query_results_name_host
  ON scheduled_query_results (name, host_id, run_at, id);
CREATE INDEX scheduled_query_results_run_at ON scheduled_query_results (run_at, id);

-- Each host's scheduled-query jobs as its latest status record reports
-- them (replaced whole by a newer one).
CREATE TABLE host_query_jobs (
  host_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  last_run_at INTEGER,
  duration_ms INTEGER,
  outcome TEXT,
  result TEXT,
  last_rows INTEGER,
  next_run_at INTEGER,
  running INTEGER NOT NULL DEFAULT 0,
  runs INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  reported_at INTEGER NOT NULL,
  PRIMARY KEY (host_id, name)
);
