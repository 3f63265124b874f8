-- Detector runs are deleted by their start time once older than the
-- server's detector_runs.retention: an index on it keeps that delete from
-- reading the whole table.
CREATE INDEX detector_runs_started_at ON detector_runs (started_at);
