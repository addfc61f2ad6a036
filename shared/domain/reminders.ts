import type { StoredStatus } from './types.js';

/** The gap between repeat reminders of a check (`reminder_every` seconds), in ms; 0 when off. */
export function reminderEveryMs(extra: Record<string, unknown>): number {
  const s = Number(extra.reminder_every ?? 0);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 0;
}

/**
 * A check's next reminder after its status or `reminder_every` changed: a down check with
 * reminders on keeps the one it has, or gets its first one `every` after its down flip
 * (`downAt`); any other check has none.
 */
export function armedReminder(status: StoredStatus, everyMs: number, current: number | null, downAt: number | null): number | null {
  if (status !== 'down' || everyMs <= 0) return null;
  return current ?? (downAt ?? 0) + everyMs;
}

/**
 * The reminder after the one due at `due`, sent at `now`: the next period boundary after
 * `now`, so a long sleep sends one reminder, not one per missed period.
 */
export function followingReminder(due: number, now: number, everyMs: number): number {
  return due + (Math.floor((now - due) / everyMs) + 1) * everyMs;
}
