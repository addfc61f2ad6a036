import { cronFor } from './schedule.js';
import { HOUR } from './types.js';

/** How long notifications are snoozed: the same choices in the tray and the console. */
export type SnoozeChoice = '1h' | '4h' | 'tomorrow' | 'off';

/** Local hour at which "until tomorrow" ends. */
export const TOMORROW_HOUR = 9;

/** The choices offered to start a snooze, in menu order, with the words both clients show. */
export const SNOOZE_CHOICES: readonly { choice: Exclude<SnoozeChoice, 'off'>; label: string }[] = [
  { choice: '1h', label: 'For 1 hour' },
  { choice: '4h', label: 'For 4 hours' },
  { choice: 'tomorrow', label: `Until tomorrow ${String(TOMORROW_HOUR).padStart(2, '0')}:00` },
];

/** Before this local hour, "tomorrow" means the coming morning (said at 01:30, it is today 09:00). */
const NIGHT_ENDS_HOUR = 5;

function localParts(ms: number, timeZone: string): { date: string; hour: number } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')) };
}

/**
 * When a snooze chosen at `now` ends (epoch ms), or null for "off".
 * "1 h"/"4 h" are exact durations. "Until tomorrow" is 09:00 local time of the next
 * calendar day in `timeZone` — computed by the cron engine in that zone, so a DST night
 * in between still ends at 09:00 on the wall clock, not 08:00 or 10:00 — except that
 * between midnight and 05:00 it means the coming morning (today 09:00): someone
 * snoozing at 01:30 "until tomorrow" wants to sleep, not to skip a whole day.
 */
export function snoozeUntil(choice: SnoozeChoice, now: number, timeZone: string): number | null {
  switch (choice) {
    case 'off':
      return null;
    case '1h':
      return now + HOUR;
    case '4h':
      return now + 4 * HOUR;
    case 'tomorrow': {
      const cron = cronFor(`0 ${TOMORROW_HOUR} * * *`, timeZone);
      const today = localParts(now, timeZone);
      let next = cron.nextRun(new Date(now));
      if (!next) throw new Error('no next 09:00');
      if (today.hour >= NIGHT_ENDS_HOUR && localParts(next.getTime(), timeZone).date === today.date) {
        next = cron.nextRun(next);
        if (!next) throw new Error('no next 09:00');
      }
      return next.getTime();
    }
  }
}

/** Is a snooze until `mutedUntil` (ISO or null) in force at `now`? */
export function isSnoozed(mutedUntil: string | null, now: number): boolean {
  if (!mutedUntil) return false;
  const t = Date.parse(mutedUntil);
  return Number.isFinite(t) && t > now;
}
