import { formatSeconds } from './duration.js';
import { MAX_DURATION_S } from './schedule.js';

/** A schedule proposed from a check's past runs; never applied by itself. */
export interface ScheduleSuggestion {
  kind: 'simple' | 'cron';
  /** simple: the period in seconds */
  timeout?: number;
  /** cron: a 5-field expression and its zone */
  schedule?: string;
  tz?: string;
  /** seconds, from the observed jitter */
  grace: number;
  /** in words: "every 5 min", "daily at ~03:02 (Europe/Berlin), ± 6 min" */
  text: string;
  /** how many runs it was learned from */
  runs: number;
}

/** Runs needed before anything is proposed: sub-daily cadences need more evidence. */
export const MIN_RUNS = 5;
export const MIN_RUNS_DAILY = 3;
/** How many of the newest runs are looked at. */
export const INFERENCE_WINDOW = 30;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WEEKDAYS = ['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays'];

/** Wall-clock parts of an instant in a zone. */
function local(t: number, tz: string): { day: number; second: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const dayUtc = Date.UTC(n('year'), n('month') - 1, n('day'));
  return { day: Math.round(dayUtc / DAY), second: n('hour') * 3600 + n('minute') * 60 + n('second'), weekday: new Date(dayUtc).getUTCDay() };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The lower median: with one missed run among few, the usual gap and not the doubled one. */
function lowerMedian(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1];
}

/** Grace that covers the observed spread with room: 1.5 × spread + 1 min, in whole minutes. */
function graceFor(spreadMs: number): number {
  const s = Math.ceil((spreadMs * 1.5 + MIN) / MIN) * 60;
  return Math.min(Math.max(s, 60), MAX_DURATION_S);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Daily or weekly runs read on the wall clock of `tz`: why local time and not UTC — a job
 * at 03:00 Europe/Berlin stays at 03:00 across a DST night while its UTC instant moves an hour.
 * Returns null when the runs do not keep one time of day (and weekday), or skip more than once.
 */
function calendar(times: number[], tz: string, stepDays: 1 | 7): ScheduleSuggestion | null {
  const l = times.map((t) => local(t, tz));
  let missed = 0;
  for (let i = 1; i < l.length; i++) {
    const d = l[i].day - l[i - 1].day;
    if (d === stepDays) continue;
    if (d === 2 * stepDays && missed === 0) {
      missed++;
      continue;
    }
    return null;
  }
  if (stepDays === 7 && l.some((x) => x.weekday !== l[0].weekday)) return null;
  const secs = l.map((x) => x.second);
  const lo = Math.min(...secs);
  const hi = Math.max(...secs);
  const spread = (hi - lo) * 1000;
  if (spread > 2 * HOUR) return null;
  // The cron time is the earliest run (floored to the minute): a run before its expected
  // time would count for the previous one and make the next look missed.
  const h = Math.floor(lo / 3600);
  const m = Math.floor((lo % 3600) / 60);
  const mid = Math.round(median(secs) / 60);
  const half = Math.ceil(spread / 2 / MIN);
  const at = `~${pad(Math.floor(mid / 60))}:${pad(mid % 60)} (${tz})${half > 0 ? `, ± ${half} min` : ''}`;
  const dow = stepDays === 7 ? String(l[0].weekday) : '*';
  return {
    kind: 'cron',
    schedule: `${m} ${h} * * ${dow}`,
    tz,
    grace: graceFor(spread),
    text: stepDays === 7 ? `weekly on ${WEEKDAYS[l[0].weekday]} at ${at}` : `daily at ${at}`,
    runs: times.length,
  };
}

/** Runs every few minutes or hours: a period, with one missed run allowed. */
function periodic(times: number[]): ScheduleSuggestion | null {
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  const p = lowerMedian(gaps);
  if (p < 30_000) return null;
  // Periods of minutes are rounded to whole minutes, shorter ones to seconds.
  const period = p >= 2 * MIN ? Math.round(p / MIN) * MIN : Math.round(p / 1000) * 1000;
  let missed = 0;
  let worst = 0;
  for (const g of gaps) {
    const k = Math.round(g / period);
    if (k < 1 || k > 2) return null;
    if (k === 2 && ++missed > 1) return null;
    const off = Math.abs(g - k * period);
    if (off > period * 0.2) return null;
    worst = Math.max(worst, off);
  }
  return { kind: 'simple', timeout: period / 1000, grace: graceFor(worst), text: `every ${formatSeconds(period / 1000)}`, runs: times.length };
}

/**
 * Proposes a schedule from the times (epoch ms) a check's runs ended: "every 5 min" as a
 * period, daily and weekly runs as cron in one of `zones` (the one where the runs keep the
 * tightest time of day, the first on a tie), with a grace from the observed jitter. One
 * missed run is tolerated; an irregular history, or too few runs, gives null.
 */
export function inferSchedule(runTimes: readonly number[], zones: readonly string[]): ScheduleSuggestion | null {
  const times = [...runTimes].sort((a, b) => a - b).slice(-INFERENCE_WINDOW);
  if (times.length < MIN_RUNS_DAILY) return null;
  const p = lowerMedian(times.slice(1).map((t, i) => t - times[i]));
  const step = p >= 20 * HOUR && p <= 28 * HOUR ? 1 : p >= 6 * DAY && p <= 8 * DAY ? 7 : null;
  if (step !== null) {
    let best: ScheduleSuggestion | null = null;
    for (const tz of zones) {
      const s = calendar(times, tz, step);
      if (s && (!best || s.grace < best.grace)) best = s;
    }
    return best;
  }
  if (times.length < MIN_RUNS || p > 20 * HOUR) return null;
  return periodic(times);
}
