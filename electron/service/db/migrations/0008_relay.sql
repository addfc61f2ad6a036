-- Relay: how far each check's forwarding to its upstream ping URL has got in its ping log.
-- The ping log itself is the queue (a ping is stored once, in order, with the batch that
-- answered it); this row is the cursor over it, so a forwarded ping is never sent again and
-- a restart resumes where the last confirmed send left off.
CREATE TABLE relay_state (
  check_id     INTEGER PRIMARY KEY REFERENCES checks (id) ON DELETE CASCADE,
  -- the last ping number (pings.n) forwarded, or passed over (log, ignored, given up)
  last_n       INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  -- when to look again; NULL while a send is in flight
  next_attempt INTEGER,
  last_error   TEXT
);
CREATE INDEX relay_due ON relay_state (next_attempt) WHERE next_attempt IS NOT NULL;
