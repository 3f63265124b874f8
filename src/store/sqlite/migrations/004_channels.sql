-- 004_channels: notification channels and where the server is in the feeds
-- it notifies from.
-- A channel's type settings and triggers are JSON objects (TEXT); its secret
-- (Slack webhook URL, webhook signing key, HEC token) is a column of its own
-- that nothing rendering a channel reads. The delivery account is updated
-- after each attempt; delivery_state is 'ok' or 'failing' after an attempt,
-- 'idle' before the first ('disabled' is read from `enabled`). As in 001,
-- times are epoch milliseconds, booleans 0/1, and every sortable column is
-- NOT NULL with an index ending in the id.

CREATE TABLE channels (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  config TEXT NOT NULL DEFAULT '{}',
  secret TEXT,
  triggers TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  delivery_state TEXT NOT NULL DEFAULT 'idle'
    CHECK (delivery_state IN ('idle', 'ok', 'failing')),
  last_success_at INTEGER,
  last_error_at INTEGER,
  last_error TEXT,
  delivered INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX channels_name ON channels (name, id);
CREATE INDEX channels_type ON channels (type, id);
CREATE INDEX channels_created_at ON channels (created_at, id);
