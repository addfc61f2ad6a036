-- Reminders are armed by the flip writer (electron/service/core/flips.ts) on the flip path,
-- no longer by triggers: the first one falls `reminder_every` after the down flip itself,
-- whichever path wrote it. Reminders already armed keep their time.
DROP TRIGGER IF EXISTS checks_reminder_arm;
DROP TRIGGER IF EXISTS checks_reminder_disarm;

-- A check's own mute end is kept once, in `mute_until`; the API derives `muted_until` from it.
UPDATE checks SET extra = json_remove(extra, '$.muted_until') WHERE json_extract(extra, '$.muted_until') IS NOT NULL;
