-- 003: reserved for a migration merged from another branch; this file stands in
-- for it so that the numbering has no gap. It changes nothing.
SELECT 1;
