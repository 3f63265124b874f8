-- 003_fleet_vulnerabilities: the server's own vulnerability matching -
-- more about each finding, the fleet-wide views (by CVE, by package, the
-- fix-first upgrades) kept as summary rows, the summaries waiting to be
-- recomputed, when each host was last matched, and the imported feeds.
-- As in 001 and 002: times are epoch milliseconds, booleans 0/1, JSON is
-- TEXT; every sortable column is NOT NULL with an index ending in the id.

-- The distribution release a finding is in ("debian 12"), how its
-- versions compare (deb, rpm), the package its upgrade is named after (the
-- source package, else the binary), and the feed's words about the CVE.
ALTER TABLE host_vulnerabilities ADD COLUMN release_name TEXT NOT NULL DEFAULT '';
ALTER TABLE host_vulnerabilities ADD COLUMN package_manager TEXT NOT NULL DEFAULT 'deb';
ALTER TABLE host_vulnerabilities ADD COLUMN upgrade_package TEXT NOT NULL DEFAULT '';
ALTER TABLE host_vulnerabilities ADD COLUMN title TEXT;
ALTER TABLE host_vulnerabilities ADD COLUMN cvss_vector TEXT;
ALTER TABLE host_vulnerabilities ADD COLUMN feeds_json TEXT NOT NULL DEFAULT '[]';
UPDATE host_vulnerabilities SET upgrade_package = COALESCE(source_package, package);

-- One CVE's hosts (listVulnerabilityHosts): every sort seeks the CVE's rows.
CREATE INDEX host_vulnerabilities_cve_hostname ON host_vulnerabilities (cve, hostname, id);
CREATE INDEX host_vulnerabilities_cve_package ON host_vulnerabilities (cve, package, id);
CREATE INDEX host_vulnerabilities_cve_severity ON host_vulnerabilities (cve, severity_rank, id);
CREATE INDEX host_vulnerabilities_cve_cvss ON host_vulnerabilities (cve, cvss_rank, id);
CREATE INDEX host_vulnerabilities_cve_first_seen ON host_vulnerabilities (cve, first_seen_at, id);
-- Recomputing one summary row reads only its key's index entries (the
-- counts and maxima are in the index, no table rows are visited); with a
-- host filter too, each host's entries are sought.
CREATE INDEX host_vulnerabilities_cve_summary
  ON host_vulnerabilities (cve, release_name, host_id, package, severity_rank, cvss_rank,
                           fix_available);
CREATE INDEX host_vulnerabilities_package_summary
  ON host_vulnerabilities (package, host_id, cve, severity_rank, cvss_rank, fix_available,
                           installed_version, source_package);
CREATE INDEX host_vulnerabilities_upgrade
  ON host_vulnerabilities (upgrade_package, release_name, fix_available, host_id, cve, package,
                           fixed_version, severity_rank, cvss_rank, package_manager);
-- Views narrowed to some hosts (host_id, label) aggregate these hosts'
-- index entries only.
CREATE INDEX host_vulnerabilities_host_summary
  ON host_vulnerabilities (host_id, cve, package, severity_rank, cvss_rank, fix_available,
                           upgrade_package, release_name);
-- `package=` matches the binary or the source package.
CREATE INDEX host_vulnerabilities_source_package ON host_vulnerabilities (source_package, id);

-- The fleet-wide views, one row per CVE / binary package / (upgrade
-- package, release), recomputed from host_vulnerabilities for the keys in
-- vulnerability_summary_dirty, so a page is an index walk however many
-- findings there are. Views narrowed to some hosts (host_id, label,
-- package) are aggregated from host_vulnerabilities instead.
CREATE TABLE fleet_vulnerabilities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  cve TEXT NOT NULL,
  title TEXT,
  severity_rank INTEGER NOT NULL,
  cvss_rank INTEGER NOT NULL DEFAULT -1,
  cvss_vector TEXT,
  host_count INTEGER NOT NULL,
  package_count INTEGER NOT NULL,
  fix_available INTEGER NOT NULL DEFAULT 0,
  links_json TEXT NOT NULL DEFAULT '{"nvd":null,"vendor":[]}',
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX fleet_vulnerabilities_identity ON fleet_vulnerabilities (cve);
CREATE INDEX fleet_vulnerabilities_cve ON fleet_vulnerabilities (cve, id);
CREATE INDEX fleet_vulnerabilities_severity ON fleet_vulnerabilities (severity_rank, id);
CREATE INDEX fleet_vulnerabilities_cvss ON fleet_vulnerabilities (cvss_rank, id);
CREATE INDEX fleet_vulnerabilities_host_count ON fleet_vulnerabilities (host_count, id);

CREATE TABLE fleet_vulnerable_packages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  package TEXT NOT NULL,
  source_package TEXT,
  installed_versions_json TEXT NOT NULL DEFAULT '[]',
  cve_count INTEGER NOT NULL,
  host_count INTEGER NOT NULL,
  max_severity INTEGER NOT NULL,
  max_cvss_rank INTEGER NOT NULL DEFAULT -1,
  fix_available INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX fleet_vulnerable_packages_identity ON fleet_vulnerable_packages (package);
CREATE INDEX fleet_vulnerable_packages_package ON fleet_vulnerable_packages (package, id);
CREATE INDEX fleet_vulnerable_packages_cve_count ON fleet_vulnerable_packages (cve_count, id);
CREATE INDEX fleet_vulnerable_packages_host_count ON fleet_vulnerable_packages (host_count, id);
CREATE INDEX fleet_vulnerable_packages_severity ON fleet_vulnerable_packages (max_severity, id);

-- One row per upgrade: a package in a release, to the version that fixes
-- every fixable finding of it (impact: the (host, CVE) pairs it clears).
CREATE TABLE fleet_fix_first (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  package TEXT NOT NULL,
  release_name TEXT NOT NULL,
  fixed_version TEXT NOT NULL,
  upgrade_command TEXT NOT NULL,
  cves_cleared INTEGER NOT NULL,
  cves_json TEXT NOT NULL DEFAULT '[]',
  host_count INTEGER NOT NULL,
  impact INTEGER NOT NULL,
  max_severity INTEGER NOT NULL,
  max_cvss_rank INTEGER NOT NULL DEFAULT -1,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX fleet_fix_first_identity ON fleet_fix_first (package, release_name);
CREATE INDEX fleet_fix_first_package ON fleet_fix_first (package, id);
CREATE INDEX fleet_fix_first_impact ON fleet_fix_first (impact, id);
CREATE INDEX fleet_fix_first_cves_cleared ON fleet_fix_first (cves_cleared, id);
CREATE INDEX fleet_fix_first_host_count ON fleet_fix_first (host_count, id);
CREATE INDEX fleet_fix_first_severity ON fleet_fix_first (max_severity, id);

-- Summary rows to recompute: kind 'cve' (summary_key: the CVE), 'package' (the
-- binary package), 'fix' (upgrade package, a space, release name). Written
-- in the same transaction as the findings that changed them.
CREATE TABLE vulnerability_summary_dirty (
  kind TEXT NOT NULL,
  summary_key TEXT NOT NULL,
  PRIMARY KEY (kind, summary_key)
) WITHOUT ROWID;

-- When each host's packages were last matched, against which package
-- snapshot and which state of the feed database.
CREATE TABLE host_vulnerability_scans (
  host_id INTEGER PRIMARY KEY REFERENCES hosts (id),
  matched_at INTEGER NOT NULL,
  packages_at INTEGER NOT NULL,
  feed_token TEXT NOT NULL,
  findings INTEGER NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL,
  message TEXT
);
CREATE INDEX host_vulnerability_scans_feed ON host_vulnerability_scans (feed_token, matched_at);

-- What the server's feed database holds, per feed source.
CREATE TABLE vulnerability_feeds (
  source TEXT PRIMARY KEY,
  format TEXT NOT NULL,
  file_name TEXT,
  sha256 TEXT NOT NULL DEFAULT '',
  imported_at INTEGER NOT NULL,
  records INTEGER NOT NULL DEFAULT 0,
  cves INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
