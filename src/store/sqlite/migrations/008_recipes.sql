-- 008_recipes: detector recipes kept on the server, where they are attached
-- and each host's own overrides.
-- A recipe's rules (and an attachment's or a host's overrides) are a JSON
-- object in the shape of the agent's `recipe.rules` (TEXT), checked by the
-- server with the agent's readers before they are stored. `revision` moves
-- on with every change (lost updates are refused against it). An
-- attachment targets all hosts, one label ('env=prod') or named hosts (a
-- JSON array of host ids); a recipe with attachments cannot be deleted
-- (RESTRICT). A host's overrides go with the host. As in 001, times are
-- epoch milliseconds and every sortable column is NOT NULL with an index
-- ending in the id.

CREATE TABLE recipes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  rules TEXT NOT NULL DEFAULT '{}',
  revision INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX recipes_name ON recipes (name, id);
CREATE INDEX recipes_created_at ON recipes (created_at, id);
CREATE INDEX recipes_updated_at ON recipes (updated_at, id);

CREATE TABLE recipe_attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  recipe_id INTEGER NOT NULL REFERENCES recipes (id) ON DELETE RESTRICT,
  target_kind TEXT NOT NULL CHECK (target_kind IN ('all', 'label', 'hosts')),
  target_label TEXT NOT NULL DEFAULT '',
  target_host_ids TEXT NOT NULL DEFAULT '[]',
  priority INTEGER NOT NULL DEFAULT 0,
  overrides TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX recipe_attachments_recipe_created ON recipe_attachments (recipe_id, created_at, id);
CREATE INDEX recipe_attachments_recipe_priority ON recipe_attachments (recipe_id, priority, id);

CREATE TABLE host_recipe_overrides (
  host_id INTEGER PRIMARY KEY REFERENCES hosts (id) ON DELETE CASCADE,
  rules TEXT NOT NULL DEFAULT '{}',
  updated_at INTEGER NOT NULL
);
