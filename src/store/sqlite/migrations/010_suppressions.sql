-- 010_suppressions: fleet-wide suppressions of a CVE, a rule or a port on
-- a target (all hosts, a label, named hosts: the shape of 008's recipe
-- attachments), with a mandatory reason and an optional expiry; and which
-- problems each holds dismissed.
-- A hold row says the problem was dismissed under the suppression with
-- `comment`; it holds only while the problem is still dismissed with that
-- same comment (a person dismissing it again, undismissing it, or the
-- expiry reopening it ends the hold without touching this table). A
-- problem dismissed because all its CVEs are suppressed has one row per
-- suppression that covers it. Rows go with their suppression and their
-- problem. As in 001, times are epoch milliseconds (expires_at NULL = no
-- expiry) and every sortable column is NOT NULL with an index ending in
-- the id.

CREATE TABLE suppressions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('cve', 'rule', 'port')),
  value TEXT NOT NULL,
  target_kind TEXT NOT NULL CHECK (target_kind IN ('all', 'label', 'hosts')),
  target_label TEXT NOT NULL DEFAULT '',
  target_host_ids TEXT NOT NULL DEFAULT '[]',
  reason TEXT NOT NULL,
  expires_at INTEGER,
  created_by_type TEXT NOT NULL,
  created_by_id TEXT NOT NULL DEFAULT '',
  created_by_name TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX suppressions_created_at ON suppressions (created_at, id);
CREATE INDEX suppressions_value ON suppressions (value, id);
CREATE INDEX suppressions_kind ON suppressions (kind, id);
CREATE INDEX suppressions_expires_at ON suppressions (expires_at, id);

CREATE TABLE suppression_holds (
  suppression_id INTEGER NOT NULL REFERENCES suppressions (id) ON DELETE CASCADE,
  problem_id INTEGER NOT NULL REFERENCES fleet_problems (id) ON DELETE CASCADE,
  comment TEXT NOT NULL,
  PRIMARY KEY (suppression_id, problem_id)
);
CREATE INDEX suppression_holds_problem ON suppression_holds (problem_id, suppression_id);
