import { Cron } from 'croner';
import type { CheckConfig } from './types.js';

/** Smallest and largest period/grace in seconds (SPEC §5: minimum 1 s, healthchecks' 365-day max). */
export const MIN_DURATION_S = 1;
export const MAX_DURATION_S = 31536000;

const cronCache = new Map<string, Cron>();
const CRON_CACHE_MAX = 2048;

/**
 * A parsed 5-field cron expression bound to an IANA zone, cached.
 * Croner evaluates in the zone itself, so DST nights behave like Vixie cron:
 * a fixed-time job in the spring gap runs right after it, once on the repeated
 * autumn hour; a wildcard-hour job runs on both occurrences (as cronsim does).
 */
export function cronFor(schedule: string, tz: string): Cron {
  const key = `${tz}\u0000${schedule}`;
  let cron = cronCache.get(key);
  if (!cron) {
    cron = new Cron(schedule, { timezone: tz, mode: '5-part', paused: true });
    if (cronCache.size >= CRON_CACHE_MAX) cronCache.delete(cronCache.keys().next().value as string);
    cronCache.set(key, cron);
  }
  return cron;
}

/** Is `tz` a timezone name this runtime knows (IANA, e.g. "Europe/Riga", or "UTC")? */
export function isValidTimezone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const cronErrors = new Map<string, string | null>();

/**
 * Returns an error message for a bad cron expression, or null when it is a valid 5-field one.
 * Remembered (bounded): parsing and a next-run search cost milliseconds, and the ping port
 * validates `?schedule=` on every auto-create ping.
 */
export function cronError(schedule: string): string | null {
  if (typeof schedule !== 'string' || schedule.length > 100) return 'schedule is too long';
  const known = cronErrors.get(schedule);
  if (known !== undefined) return known;
  const err = cronErrorUncached(schedule);
  if (cronErrors.size >= CRON_CACHE_MAX) cronErrors.delete(cronErrors.keys().next().value as string);
  cronErrors.set(schedule, err);
  return err;
}

function cronErrorUncached(schedule: string): string | null {
  if (schedule.trim().split(/\s+/).length !== 5) return 'schedule must have exactly 5 fields';
  try {
    const c = new Cron(schedule, { mode: '5-part', paused: true, timezone: 'UTC' });
    if (c.nextRun(new Date(0)) === null) return 'schedule never runs';
    return null;
  } catch (e) {
    return `invalid cron expression: ${(e as Error).message}`;
  }
}

/**
 * The next time a ping is expected after `after` (epoch ms), strictly later.
 * simple: after + timeout. cron: the next run of the schedule in its zone.
 * Returns null when the schedule never runs again.
 */
export function nextExpected(cfg: Pick<CheckConfig, 'kind' | 'timeout' | 'schedule' | 'tz'>, after: number): number | null {
  if (cfg.kind === 'simple') return after + cfg.timeout * 1000;
  // Why in the zone and not UTC: "0 3 * * *" means 03:00 on the user's wall clock,
  // which is a different UTC instant on either side of a DST change.
  const next = cronFor(cfg.schedule, cfg.tz).nextRun(new Date(after));
  return next ? next.getTime() : null;
}

/** The next `n` run times of a cron schedule after `from` (for previews). */
export function nextRuns(schedule: string, tz: string, from: number, n: number): number[] {
  return cronFor(schedule, tz)
    .nextRuns(n, new Date(from))
    .map((d) => d.getTime());
}
