-- A down check keeps its reason twice: the words every side shows (down_reason) and the
-- code clients branch on (down_reason_code, one of FlipReason). Flip rows already store
-- the code, so they need no change; a check that is down now takes the code of its
-- newest flip to down.
ALTER TABLE checks ADD COLUMN down_reason_code TEXT NOT NULL DEFAULT '';
UPDATE checks SET down_reason_code = COALESCE(
  (SELECT f.reason FROM flips f WHERE f.check_id = checks.id AND f.new_status = 'down' ORDER BY f.created DESC, f.id DESC LIMIT 1),
  ''
) WHERE status = 'down';
