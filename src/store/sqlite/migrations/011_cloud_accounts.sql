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
