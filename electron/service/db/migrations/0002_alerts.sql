-- Alerts: channels, the delivery outbox, snooze, reminders and monitor-offline holds.
-- Times are epoch milliseconds.

-- Notification channels (healthchecks "integrations"); checks.channels lists their uuids.
CREATE TABLE channels (
  id         INTEGER PRIMARY KEY,
  uuid       TEXT    NOT NULL UNIQUE,
  name       TEXT    NOT NULL DEFAULT '',
  kind       TEXT    NOT NULL CHECK (kind IN ('desktop', 'webhook', 'ntfy')),
  config     TEXT    NOT NULL DEFAULT '{}',
  -- 1: checks created without a `channels` field get this channel
  new_checks INTEGER NOT NULL DEFAULT 1,
  created    INTEGER NOT NULL
);

-- One alert to send (down, up, reminder, summary). Rendered when created, so every retry
-- sends the same words even if the check is edited or deleted meanwhile.
CREATE TABLE messages (
  id       INTEGER PRIMARY KEY,
  uuid     TEXT    NOT NULL UNIQUE,
  kind     TEXT    NOT NULL,
  check_id INTEGER REFERENCES checks (id) ON DELETE SET NULL,
  flip_id  INTEGER REFERENCES flips (id) ON DELETE SET NULL,
  created  INTEGER NOT NULL,
  payload  TEXT    NOT NULL
);
CREATE INDEX messages_check ON messages (check_id);
CREATE INDEX messages_flip ON messages (flip_id);

-- One message to one channel. pending -> sending -> sent | pending (retry) | failed (gave up).
-- A row left in 'sending' by a crash is sent again after restart (see README).
CREATE TABLE deliveries (
  id           INTEGER PRIMARY KEY,
  message_id   INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  channel_uuid TEXT    NOT NULL,
  channel_kind TEXT    NOT NULL,
  status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER,
  last_error   TEXT,
  created      INTEGER NOT NULL,
  sent         INTEGER
);
CREATE INDEX deliveries_due ON deliveries (next_attempt) WHERE status = 'pending';
CREATE INDEX deliveries_message ON deliveries (message_id);
CREATE INDEX deliveries_sending ON deliveries (id) WHERE status = 'sending';

-- A flip written while snoozed is history only (muted = 1); flips that made one
-- monitor-offline summary carry its gap.
ALTER TABLE flips ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flips ADD COLUMN gap_id INTEGER;
CREATE INDEX flips_gap_pending ON flips (gap_id) WHERE processed IS NULL AND gap_id IS NOT NULL;

-- Intervals Lubdub was not watching (stopped, crashed, asleep, clock jump).
CREATE TABLE offline_gaps (
  id         INTEGER PRIMARY KEY,
  started    INTEGER NOT NULL,
  ended      INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  cause      TEXT    NOT NULL,
  held       INTEGER NOT NULL DEFAULT 0,
  missed     INTEGER
);

-- Per-check alert state beside the check row (the monitor's UPDATE never names these).
ALTER TABLE checks ADD COLUMN next_reminder INTEGER;
ALTER TABLE checks ADD COLUMN mute_until INTEGER;
ALTER TABLE checks ADD COLUMN hold_gap INTEGER;
ALTER TABLE checks ADD COLUMN hold_gap_end INTEGER;
ALTER TABLE checks ADD COLUMN hold_until INTEGER;
CREATE INDEX checks_next_reminder ON checks (next_reminder) WHERE next_reminder IS NOT NULL;
CREATE INDEX checks_mute_until ON checks (mute_until) WHERE mute_until IS NOT NULL;
CREATE INDEX checks_hold_until ON checks (hold_until) WHERE hold_until IS NOT NULL;

-- Reminders follow the status whichever code path wrote it (ping, scheduler, edit):
-- a check that is down with `reminder_every` seconds set gets its first reminder that long
-- after its last down flip; leaving down or turning reminders off clears it.
CREATE TRIGGER checks_reminder_arm AFTER UPDATE OF status, extra ON checks
WHEN NEW.status = 'down' AND NEW.next_reminder IS NULL
  AND coalesce(json_extract(NEW.extra, '$.reminder_every'), 0) > 0
BEGIN
  UPDATE checks SET next_reminder =
    coalesce((SELECT max(created) FROM flips WHERE check_id = NEW.id AND new_status = 'down'), 0)
    + json_extract(NEW.extra, '$.reminder_every') * 1000
  WHERE id = NEW.id;
END;

CREATE TRIGGER checks_reminder_disarm AFTER UPDATE OF status, extra ON checks
WHEN NEW.next_reminder IS NOT NULL
  AND (NEW.status != 'down' OR coalesce(json_extract(NEW.extra, '$.reminder_every'), 0) <= 0)
BEGIN
  UPDATE checks SET next_reminder = NULL WHERE id = NEW.id;
END;
