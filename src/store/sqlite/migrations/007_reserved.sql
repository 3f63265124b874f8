-- 007: numbered for a migration developed alongside 008; replaced by it when
-- both are merged. Changes nothing.
SELECT 1;
