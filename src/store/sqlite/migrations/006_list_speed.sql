-- 006_list_speed: what keeps the fleet's problem lists fast at a million
-- rows.
--
-- 1. remediation and links, which every problem row shows (page, CSV,
--    JSON lines), are kept in columns, so a list or export reads them
--    without parsing finding_json for each row. The store fills them from
--    the finding on every write; here they are filled for the rows already
--    stored (json_group_array writes the same compact JSON as the server).
-- 2. fleet_problem_counts: how many problems there are per (rule, status,
--    risk rank), kept exact by the store's writer (inserts and updates,
--    src/store/sqlite/sqlite_fleet_problems.cc) and by a trigger (a host's
--    problems deleted with it). The total of a problem list
--    filtered by those fields only (or not filtered) is a sum over a few
--    dozen rows instead of a COUNT(*) over up to a million. Its own key is
--    the only index it needs.
-- 3. fleet_problems_text: a trigram full-text index (FTS5) over title,
--    hostname and rule id, kept in sync the same way, so `q` (a substring,
--    ignoring case) finds its rows by index. The store still checks the
--    exact condition on the rows it finds; strings of fewer than three
--    characters, which trigrams cannot look up, are matched by scanning.
--    A PostgreSQL store would use pg_trgm for the same.
-- Inserts and updates are not kept by triggers: a trigger makes SQLite keep
-- a statement journal for each insert, which cut problem ingest to a
-- quarter (25,400 -> 5,700 records/s in store_bench's ProblemIngest).

ALTER TABLE fleet_problems ADD COLUMN remediation TEXT;
ALTER TABLE fleet_problems ADD COLUMN links_json TEXT NOT NULL DEFAULT '[]';
UPDATE fleet_problems
SET remediation = CASE
      WHEN json_type(finding_json, '$.remediation') = 'text'
        AND json_extract(finding_json, '$.remediation') <> ''
      THEN json_extract(finding_json, '$.remediation')
    END,
    links_json = COALESCE((SELECT json_group_array(value) FROM json_each(finding_json, '$.links')
                           WHERE type = 'text'), '[]')
WHERE json_extract(finding_json, '$.remediation') <> ''
   OR json_array_length(finding_json, '$.links') > 0;

CREATE TABLE fleet_problem_counts (
  rule_id TEXT NOT NULL,
  status TEXT NOT NULL,
  risk_rank INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (rule_id, status, risk_rank)
);
INSERT INTO fleet_problem_counts (rule_id, status, risk_rank, n)
  SELECT rule_id, status, risk_rank, COUNT(*) FROM fleet_problems
  GROUP BY rule_id, status, risk_rank;

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
