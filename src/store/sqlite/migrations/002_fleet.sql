-- 002_fleet: what the fleet's agents report - problems with their history,
-- detector status, package and listener inventories, vulnerability findings
-- - and the commands queued for agents.
-- As in 001: times are epoch milliseconds, booleans 0/1, JSON is TEXT; every
-- sortable column is NOT NULL with an index ending in the id. Per-host lists
-- have indexes that start with host_id, so a host's page seeks instead of
-- filtering the fleet's rows. Risk levels and severities are stored as
-- ranks too (risk 1 low .. 5 extreme; severity 0 none .. 4 critical), so
-- they sort and compare by rank.

CREATE TABLE fleet_problems (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host_id INTEGER NOT NULL REFERENCES hosts (id),
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
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX fleet_problems_identity ON fleet_problems (host_id, agent_problem_id);
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

-- One row per lifecycle action of a problem: on the agent (actor node) or
-- by a person on the server.
CREATE TABLE fleet_problem_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  problem_id INTEGER NOT NULL REFERENCES fleet_problems (id),
  revision INTEGER NOT NULL,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  status TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL DEFAULT '',
  actor_name TEXT NOT NULL DEFAULT '',
  comment TEXT
);
CREATE INDEX fleet_problem_history_revision ON fleet_problem_history (problem_id, revision, id);
CREATE INDEX fleet_problem_history_at ON fleet_problem_history (problem_id, at, id);

-- When each inventory snapshot of a host last arrived (older snapshots that
-- arrive late are ignored).
CREATE TABLE host_inventory (
  host_id INTEGER PRIMARY KEY REFERENCES hosts (id),
  packages_at INTEGER,
  ports_at INTEGER,
  os_at INTEGER,
  status_at INTEGER
);

CREATE TABLE host_packages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host_id INTEGER NOT NULL REFERENCES hosts (id),
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  arch TEXT NOT NULL DEFAULT '',
  source TEXT,
  source_version TEXT,
  manager TEXT NOT NULL DEFAULT 'deb',
  cve_count INTEGER NOT NULL DEFAULT 0,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX host_packages_identity ON host_packages (host_id, name, arch, version);
CREATE INDEX host_packages_host ON host_packages (host_id, id);
CREATE INDEX host_packages_host_name ON host_packages (host_id, name, id);
CREATE INDEX host_packages_host_version ON host_packages (host_id, version, id);
CREATE INDEX host_packages_host_first_seen ON host_packages (host_id, first_seen_at, id);
CREATE INDEX host_packages_host_cve_count ON host_packages (host_id, cve_count, id);
CREATE INDEX host_packages_name ON host_packages (name, id);

CREATE TABLE host_ports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host_id INTEGER NOT NULL REFERENCES hosts (id),
  hostname TEXT NOT NULL,
  protocol TEXT NOT NULL,
  family TEXT NOT NULL,
  address TEXT NOT NULL,
  port INTEGER NOT NULL,
  pid INTEGER,
  process TEXT,
  path TEXT,
  user_name TEXT,
  loopback INTEGER NOT NULL DEFAULT 0,
  process_key TEXT NOT NULL DEFAULT '',
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX host_ports_identity ON host_ports (host_id, protocol, address, port);
CREATE INDEX host_ports_host ON host_ports (host_id, id);
CREATE INDEX host_ports_host_port ON host_ports (host_id, port, id);
CREATE INDEX host_ports_host_protocol ON host_ports (host_id, protocol, id);
CREATE INDEX host_ports_host_address ON host_ports (host_id, address, id);
CREATE INDEX host_ports_host_process ON host_ports (host_id, process_key, id);
CREATE INDEX host_ports_host_first_seen ON host_ports (host_id, first_seen_at, id);
CREATE INDEX host_ports_host_last_seen ON host_ports (host_id, last_seen_at, id);

-- The latest status of each detector of a host, from status records.
CREATE TABLE host_detectors (
  host_id INTEGER NOT NULL REFERENCES hosts (id),
  rule_id TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  last_run_at INTEGER,
  duration_ms INTEGER,
  outcome TEXT,
  result TEXT,
  next_run_at INTEGER,
  running INTEGER NOT NULL DEFAULT 0,
  runs INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (host_id, rule_id)
) WITHOUT ROWID;

CREATE TABLE host_vulnerabilities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host_id INTEGER NOT NULL REFERENCES hosts (id),
  hostname TEXT NOT NULL,
  cve TEXT NOT NULL,
  package TEXT NOT NULL,
  source_package TEXT,
  arch TEXT,
  installed_version TEXT NOT NULL,
  fixed_version TEXT,
  vendor_status TEXT NOT NULL,
  severity_rank INTEGER NOT NULL,
  cvss_score REAL,
  cvss_rank INTEGER NOT NULL DEFAULT -1,
  links_json TEXT NOT NULL DEFAULT '{"nvd":null,"vendor":[]}',
  upgrade_command TEXT,
  fix_available INTEGER NOT NULL DEFAULT 0,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX host_vulnerabilities_identity
  ON host_vulnerabilities (host_id, cve, package, installed_version);
CREATE INDEX host_vulnerabilities_severity ON host_vulnerabilities (severity_rank, id);
CREATE INDEX host_vulnerabilities_cve ON host_vulnerabilities (cve, id);
CREATE INDEX host_vulnerabilities_package ON host_vulnerabilities (package, id);
CREATE INDEX host_vulnerabilities_hostname ON host_vulnerabilities (hostname, id);
CREATE INDEX host_vulnerabilities_cvss ON host_vulnerabilities (cvss_rank, id);
CREATE INDEX host_vulnerabilities_first_seen ON host_vulnerabilities (first_seen_at, id);
CREATE INDEX host_vulnerabilities_host ON host_vulnerabilities (host_id, id);
CREATE INDEX host_vulnerabilities_host_severity ON host_vulnerabilities (host_id, severity_rank, id);
CREATE INDEX host_vulnerabilities_host_cve ON host_vulnerabilities (host_id, cve, id);
CREATE INDEX host_vulnerabilities_host_package ON host_vulnerabilities (host_id, package, id);
CREATE INDEX host_vulnerabilities_host_cvss ON host_vulnerabilities (host_id, cvss_rank, id);
CREATE INDEX host_vulnerabilities_host_first_seen ON host_vulnerabilities (host_id, first_seen_at, id);
CREATE INDEX host_vulnerabilities_host_hostname ON host_vulnerabilities (host_id, hostname, id);

-- Commands queued for agents, delivered by the command long-poll, answered
-- by the agent with a result.
CREATE TABLE agent_commands (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  host_id INTEGER NOT NULL REFERENCES hosts (id),
  type TEXT NOT NULL,
  args_json TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  delivered_at INTEGER,
  deliveries INTEGER NOT NULL DEFAULT 0,
  finished_at INTEGER,
  result_status TEXT,
  result_error TEXT,
  result_output_json TEXT
);
CREATE INDEX agent_commands_host ON agent_commands (host_id, id);
CREATE INDEX agent_commands_host_created ON agent_commands (host_id, created_at, id);
CREATE INDEX agent_commands_pending ON agent_commands (host_id, id) WHERE finished_at IS NULL;
