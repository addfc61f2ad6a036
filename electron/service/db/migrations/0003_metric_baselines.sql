-- Assertion baselines read the newest passing runs of one check:
-- success pings only, newest event first, stopping after N values.
CREATE INDEX pings_success_time ON pings (check_id, created, n) WHERE kind = 'success';
