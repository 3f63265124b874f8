-- 005_scans: run-now scans with their per-host targets, the detector runs
-- agents report, and the labels in use with their host counts.
-- As in 001/002: times are epoch milliseconds, JSON is TEXT, every sortable
-- column is NOT NULL with an index ending in the id.

-- A run-now request: what was asked (scope, hosts, labels, rules) and its
-- per-host progress as counters, kept with every target change so that
-- lists filter and sort on them.
CREATE TABLE scans (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  requested_at INTEGER NOT NULL,
  requested_by_type TEXT NOT NULL,
  requested_by_id TEXT NOT NULL DEFAULT '',
  requested_by_name TEXT NOT NULL DEFAULT '',
  scope TEXT NOT NULL CHECK (scope IN ('hosts', 'labels', 'all')),
  host_ids_json TEXT NOT NULL DEFAULT '[]',
  labels_json TEXT NOT NULL DEFAULT '[]',
  rule_ids_json TEXT NOT NULL DEFAULT '[]',
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done')),
  targeted INTEGER NOT NULL DEFAULT 0,
  pending INTEGER NOT NULL DEFAULT 0,
  running INTEGER NOT NULL DEFAULT 0,
  succeeded INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE INDEX scans_requested_at ON scans (requested_at, id);
CREATE INDEX scans_state_requested_at ON scans (state, requested_at, id);

-- One row per host a scan asked, with the command that asks it.
CREATE TABLE scan_targets (
  scan_id INTEGER NOT NULL REFERENCES scans (id),
  host_id INTEGER NOT NULL REFERENCES hosts (id),
  command_id INTEGER NOT NULL REFERENCES agent_commands (id),
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'failed')),
  error TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (scan_id, host_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX scan_targets_command ON scan_targets (command_id);
CREATE INDEX scan_targets_host ON scan_targets (host_id, scan_id);
CREATE INDEX scan_targets_state ON scan_targets (scan_id, state, host_id);

-- Detector runs as agents report them, one per (host, rule, start). A run
-- still going has outcome 'running' and no finished_at; duration_ms is 0
-- until it ends (sortable columns are never NULL).
CREATE TABLE detector_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host_id INTEGER NOT NULL REFERENCES hosts (id),
  rule_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL
    CHECK (outcome IN ('succeeded', 'failed', 'timed_out', 'skipped', 'running')),
  result TEXT,
  next_run_at INTEGER,
  run_trigger TEXT NOT NULL CHECK (run_trigger IN ('schedule', 'start', 'run_now')),
  scan_id INTEGER,
  command_id INTEGER
);
CREATE UNIQUE INDEX detector_runs_identity ON detector_runs (host_id, rule_id, started_at);
CREATE INDEX detector_runs_host ON detector_runs (host_id, id);
CREATE INDEX detector_runs_host_started_at ON detector_runs (host_id, started_at, id);
CREATE INDEX detector_runs_host_rule ON detector_runs (host_id, rule_id, id);
CREATE INDEX detector_runs_host_duration ON detector_runs (host_id, duration_ms, id);

-- Every label in use with how many hosts carry it, kept by the triggers on
-- host_labels below (a label no host carries any more is removed).
CREATE TABLE labels (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  host_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX labels_name ON labels (name, id);
CREATE INDEX labels_host_count ON labels (host_count, id);
INSERT INTO labels (name, host_count)
  SELECT label, COUNT(*) FROM host_labels GROUP BY label ORDER BY label;

CREATE TRIGGER host_labels_count_added AFTER INSERT ON host_labels
BEGIN
  INSERT OR IGNORE INTO labels (name, host_count) VALUES (NEW.label, 0);
  UPDATE labels SET host_count = host_count + 1 WHERE name = NEW.label;
END;

CREATE TRIGGER host_labels_count_removed AFTER DELETE ON host_labels
BEGIN
  UPDATE labels SET host_count = host_count - 1 WHERE name = OLD.label;
  DELETE FROM labels WHERE name = OLD.label AND host_count <= 0;
END;
