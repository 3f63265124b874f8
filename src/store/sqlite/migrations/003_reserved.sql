-- 003_reserved: the number of a migration of another change made at the
-- same time as 004; this file only keeps the numbering without a gap and is
-- replaced by that migration when both changes meet.
SELECT 1;
