-- 010_suppressions: fleet-wide suppressions. Their tables come with the
-- suppressions change; this file only keeps the numbering contiguous (the
-- store requires 1, 2, ...) until it lands, and is replaced by it.
SELECT 1;
