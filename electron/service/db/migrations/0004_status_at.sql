-- When a check's shown status next changes by the clock alone (up → grace, grace → down,
-- a run exceeding its grace): the scheduler wakes at the earliest one and announces the
-- check on the event stream. Existing rows are filled in by the scheduler at start.
ALTER TABLE checks ADD COLUMN status_at INTEGER;
CREATE INDEX checks_status_at ON checks (status_at) WHERE status_at IS NOT NULL;
