-- 011_cloud_accounts: cloud organisations and their accounts (AWS accounts,
-- OCI tenancies), each with its CloudTrail rule settings.
-- As in 001..009: times are epoch milliseconds, JSON is TEXT, every sortable
-- column is NOT NULL with an index ending in the id.

-- `rules_json` maps rule ids to settings objects (a trail profile's keys),
-- as the server's handlers checked them.
CREATE TABLE cloud_organisations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  rules_json TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX cloud_organisations_name ON cloud_organisations (name);
CREATE INDEX cloud_organisations_created_at ON cloud_organisations (created_at, id);
CREATE INDEX cloud_organisations_updated_at ON cloud_organisations (updated_at, id);

-- One AWS account (identifier: the 12-digit id) or OCI tenancy (its OCID),
-- in one organisation; its own rule settings combine with the
-- organisation's by override_mode.
CREATE TABLE cloud_accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organisation_id INTEGER NOT NULL REFERENCES cloud_organisations (id),
  provider TEXT NOT NULL CHECK (provider IN ('aws', 'oci')),
  identifier TEXT NOT NULL,
  name TEXT NOT NULL,
  override_mode TEXT NOT NULL DEFAULT 'fill_gaps'
    CHECK (override_mode IN ('fill_gaps', 'overwrite')),
  rules_json TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX cloud_accounts_identity ON cloud_accounts (provider, identifier);
CREATE INDEX cloud_accounts_organisation ON cloud_accounts (organisation_id, id);
CREATE INDEX cloud_accounts_organisation_name ON cloud_accounts (organisation_id, name, id);
CREATE INDEX cloud_accounts_organisation_identifier
  ON cloud_accounts (organisation_id, identifier, id);
CREATE INDEX cloud_accounts_organisation_created_at
  ON cloud_accounts (organisation_id, created_at, id);

-- Problems get a subject: a host (host_id, as before) or a cloud account
-- (cloud_account_id: a CloudTrail check of that account), exactly one of
-- them, each with its own unique identity, so the problem list, its
-- lifecycle and the channels' triggers serve both. `occurrences` counts
-- detections (a check firing again on the same account, rule and resource
-- updates its problem). host_id becoming nullable needs the table rebuilt
-- (SQLite cannot drop NOT NULL); every column, index, the counts and the
-- text index of 002 and 006 are carried over, and the history keeps its
-- problem ids. The store runs this migration with foreign keys off and
-- checks them before it commits, as the marker below asks:
-- store: foreign keys off
DROP TRIGGER fleet_problem_counts_delete;
DROP TRIGGER fleet_problems_text_delete;
DROP TABLE fleet_problems_text;

CREATE TABLE fleet_problems_rebuilt (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host_id INTEGER REFERENCES hosts (id),
  cloud_account_id INTEGER REFERENCES cloud_accounts (id),
  hostname TEXT NOT NULL,
  agent_problem_id TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT,
  risk_rank INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'dismissed')),
  resource TEXT NOT NULL DEFAULT '',
  first_detected_at INTEGER NOT NULL,
  last_detected_at INTEGER NOT NULL,
  status_changed_at INTEGER NOT NULL,
  resolved_at INTEGER,
  times_reopened INTEGER NOT NULL DEFAULT 0,
  revision INTEGER NOT NULL DEFAULT 0,
  dismissed_comment TEXT,
  dismissed_at INTEGER,
  dismissed_until INTEGER,
  dismissed_by_type TEXT,
  dismissed_by_id TEXT,
  dismissed_by_name TEXT,
  finding_json TEXT NOT NULL DEFAULT '{}',
  details_json TEXT NOT NULL DEFAULT '[]',
  updated_at INTEGER NOT NULL,
  remediation TEXT,
  links_json TEXT NOT NULL DEFAULT '[]',
  occurrences INTEGER NOT NULL DEFAULT 1,
  CHECK ((host_id IS NULL) <> (cloud_account_id IS NULL))
);
INSERT INTO fleet_problems_rebuilt (id, host_id, hostname, agent_problem_id, rule_id, title,
  description, risk_rank, status, resource, first_detected_at, last_detected_at,
  status_changed_at, resolved_at, times_reopened, revision, dismissed_comment, dismissed_at,
  dismissed_until, dismissed_by_type, dismissed_by_id, dismissed_by_name, finding_json,
  details_json, updated_at, remediation, links_json)
SELECT id, host_id, hostname, agent_problem_id, rule_id, title, description, risk_rank, status,
  resource, first_detected_at, last_detected_at, status_changed_at, resolved_at, times_reopened,
  revision, dismissed_comment, dismissed_at, dismissed_until, dismissed_by_type, dismissed_by_id,
  dismissed_by_name, finding_json, details_json, updated_at, remediation, links_json
FROM fleet_problems;
DROP TABLE fleet_problems;
ALTER TABLE fleet_problems_rebuilt RENAME TO fleet_problems;

CREATE UNIQUE INDEX fleet_problems_identity ON fleet_problems (host_id, agent_problem_id);
CREATE UNIQUE INDEX fleet_problems_cloud_identity
  ON fleet_problems (cloud_account_id, agent_problem_id);
CREATE INDEX fleet_problems_last_detected ON fleet_problems (last_detected_at, id);
CREATE INDEX fleet_problems_first_detected ON fleet_problems (first_detected_at, id);
CREATE INDEX fleet_problems_risk ON fleet_problems (risk_rank, id);
CREATE INDEX fleet_problems_rule ON fleet_problems (rule_id, id);
CREATE INDEX fleet_problems_status ON fleet_problems (status, id);
CREATE INDEX fleet_problems_title ON fleet_problems (title, id);
CREATE INDEX fleet_problems_hostname ON fleet_problems (hostname, id);
CREATE INDEX fleet_problems_host ON fleet_problems (host_id, id);
CREATE INDEX fleet_problems_host_hostname ON fleet_problems (host_id, hostname, id);
CREATE INDEX fleet_problems_host_last_detected ON fleet_problems (host_id, last_detected_at, id);
CREATE INDEX fleet_problems_host_first_detected ON fleet_problems (host_id, first_detected_at, id);
CREATE INDEX fleet_problems_host_risk ON fleet_problems (host_id, risk_rank, id);
CREATE INDEX fleet_problems_host_rule ON fleet_problems (host_id, rule_id, id);
CREATE INDEX fleet_problems_host_status ON fleet_problems (host_id, status, id);
CREATE INDEX fleet_problems_host_title ON fleet_problems (host_id, title, id);
CREATE INDEX fleet_problems_dismissed_until ON fleet_problems (dismissed_until)
  WHERE dismissed_until IS NOT NULL;
CREATE INDEX fleet_problems_account_last_detected
  ON fleet_problems (cloud_account_id, last_detected_at, id);
CREATE INDEX fleet_problems_account_risk ON fleet_problems (cloud_account_id, risk_rank, id);
CREATE INDEX fleet_problems_account_status ON fleet_problems (cloud_account_id, status, id);

CREATE TRIGGER fleet_problem_counts_delete AFTER DELETE ON fleet_problems
BEGIN
  UPDATE fleet_problem_counts SET n = n - 1
    WHERE rule_id = old.rule_id AND status = old.status AND risk_rank = old.risk_rank;
END;

CREATE VIRTUAL TABLE fleet_problems_text USING fts5(
  title, hostname, rule_id, content = 'fleet_problems', content_rowid = 'id',
  tokenize = 'trigram');
INSERT INTO fleet_problems_text (fleet_problems_text) VALUES ('rebuild');

CREATE TRIGGER fleet_problems_text_delete AFTER DELETE ON fleet_problems
BEGIN
  INSERT INTO fleet_problems_text (fleet_problems_text, rowid, title, hostname, rule_id)
    VALUES ('delete', old.id, old.title, old.hostname, old.rule_id);
END;
