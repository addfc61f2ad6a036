-- Checks: healthchecks' Check model; times are epoch milliseconds, durations seconds.
CREATE TABLE checks (
  id                  INTEGER PRIMARY KEY,
  uuid                TEXT    NOT NULL UNIQUE,
  name                TEXT    NOT NULL DEFAULT '',
  slug                TEXT    NOT NULL DEFAULT '',
  tags                TEXT    NOT NULL DEFAULT '',
  descr               TEXT    NOT NULL DEFAULT '',
  kind                TEXT    NOT NULL DEFAULT 'simple' CHECK (kind IN ('simple', 'cron')),
  timeout             INTEGER NOT NULL DEFAULT 86400,
  grace               INTEGER NOT NULL DEFAULT 3600,
  schedule            TEXT    NOT NULL DEFAULT '* * * * *',
  tz                  TEXT    NOT NULL DEFAULT 'UTC',
  manual_resume       INTEGER NOT NULL DEFAULT 0,
  methods             TEXT    NOT NULL DEFAULT '',
  filter_http_body    INTEGER NOT NULL DEFAULT 0,
  success_kw          TEXT    NOT NULL DEFAULT '',
  failure_kw          TEXT    NOT NULL DEFAULT '',
  start_kw            TEXT    NOT NULL DEFAULT '',
  filter_default_fail INTEGER NOT NULL DEFAULT 0,
  push_token          TEXT    UNIQUE,
  channels            TEXT    NOT NULL DEFAULT '',
  status              TEXT    NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'up', 'down', 'paused')),
  n_pings             INTEGER NOT NULL DEFAULT 0,
  last_ping           INTEGER,
  last_start          INTEGER,
  last_start_rid      TEXT,
  last_duration       INTEGER,
  alert_after         INTEGER,
  down_reason         TEXT    NOT NULL DEFAULT '',
  created             INTEGER NOT NULL,
  extra               TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX checks_slug ON checks (slug);
-- The scheduler's one query: the earliest deadline of checks that are not down.
CREATE INDEX checks_alert_after ON checks (alert_after) WHERE alert_after IS NOT NULL AND status != 'down';

-- The ping log; body bytes verbatim (BLOB), cut at the body limit.
CREATE TABLE pings (
  id          INTEGER PRIMARY KEY,
  check_id    INTEGER NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  n           INTEGER NOT NULL,
  created     INTEGER NOT NULL,
  received    INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  scheme      TEXT    NOT NULL DEFAULT 'http',
  method      TEXT    NOT NULL DEFAULT '',
  remote_addr TEXT    NOT NULL DEFAULT '',
  ua          TEXT    NOT NULL DEFAULT '',
  body        BLOB,
  body_size   INTEGER NOT NULL DEFAULT 0,
  exitstatus  INTEGER,
  rid         TEXT,
  duration    INTEGER,
  extra       TEXT
);
CREATE UNIQUE INDEX pings_check_n ON pings (check_id, n);
CREATE INDEX pings_check_rid ON pings (check_id, rid) WHERE rid IS NOT NULL;

-- Status changes; also the alert outbox (processed IS NULL = not yet delivered).
CREATE TABLE flips (
  id         INTEGER PRIMARY KEY,
  check_id   INTEGER NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  created    INTEGER NOT NULL,
  old_status TEXT    NOT NULL,
  new_status TEXT    NOT NULL,
  reason     TEXT    NOT NULL DEFAULT '',
  processed  INTEGER
);
CREATE INDEX flips_check ON flips (check_id, created);
CREATE INDEX flips_pending ON flips (id) WHERE processed IS NULL;

-- Keys and settings.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
