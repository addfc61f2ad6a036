/**
 * The check timeline, pure: status bands over a range from the flips and pings the API
 * returns, and the time ticks under it. The rules of when a check is late come from
 * shared/domain/check-state.ts (`statusChanges`); this file only lays them out in time.
 */
import type { CheckJson, FlipJson, PingJson } from '../api/types.js';
import { statusChanges } from '../domain/check-state.js';
import { REASON_WORDS } from '../domain/reasons.js';
import { DEFAULT_CONFIG, type CheckState, type FlipReason, type StoredStatus } from '../domain/types.js';
import { STATUS_WORDS } from './check-list.js';

/** What a band shows: a stored status, late (grace), or down while Lubdub itself was not watching. */
export type BandStatus = 'up' | 'grace' | 'down' | 'paused' | 'new' | 'offline';

/** One stretch of time in one status, [from, to) in epoch ms. */
export interface Band {
  from: number;
  to: number;
  status: BandStatus;
}

/** The words of a band, as the legend and the hover say them. */
export const BAND_WORDS: Record<BandStatus, string> = {
  up: STATUS_WORDS.up,
  grace: STATUS_WORDS.grace,
  down: STATUS_WORDS.down,
  paused: STATUS_WORDS.paused,
  new: STATUS_WORDS.new,
  offline: REASON_WORDS['missed while Lubdub was offline'],
};

/** The check fields the bands read (a `CheckJson` has them all). */
export type TimelineCheck = Pick<CheckJson, 'status' | 'kind' | 'grace' | 'timeout' | 'schedule' | 'tz' | 'created' | 'monitor_offline'>;

const STORED: readonly string[] = ['new', 'up', 'down', 'paused'];
const stored = (s: string): StoredStatus => (STORED.includes(s) ? (s as StoredStatus) : 'up');
const bandOf = (s: StoredStatus, reason: FlipReason | ''): BandStatus =>
  s === 'down' && reason === 'missed while Lubdub was offline' ? 'offline' : s;

/** The domain's view of the check right after a success or failure at `at` (no run open). */
function stateAfterPing(c: TimelineCheck, at: number): CheckState {
  return {
    ...DEFAULT_CONFIG,
    kind: c.kind,
    grace: c.grace,
    timeout: c.timeout ?? DEFAULT_CONFIG.timeout,
    schedule: c.schedule ?? DEFAULT_CONFIG.schedule,
    tz: c.tz ?? DEFAULT_CONFIG.tz,
    status: 'up',
    lastPing: at,
    lastStart: null,
    lastStartRid: null,
    lastDuration: null,
    nPings: 0,
  };
}

/**
 * Splits an up stretch [a, b) at the late and down instants the domain computes from each
 * success or failure in it: up until the grace start, late until it ends, then down (the
 * scheduler's flip normally ends the stretch there).
 */
function upStretch(c: TimelineCheck, a: number, b: number, endings: number[], tail: BandStatus): Band[] {
  const out: Band[] = [];
  const marks = [a, ...endings.filter((t) => t > a && t < b)];
  for (let i = 0; i < marks.length; i++) {
    const start = marks[i];
    const end = i + 1 < marks.length ? marks[i + 1] : b;
    const [late, down] = statusChanges(stateAfterPing(c, start));
    let t = start;
    const push = (to: number, status: BandStatus) => {
      const clipped = Math.min(to, end);
      if (clipped > t) out.push({ from: t, to: clipped, status });
      t = Math.max(t, clipped);
    };
    push(late ?? end, 'up');
    push(down ?? end, 'grace');
    push(end, end === b ? tail : 'down');
  }
  return out;
}

/**
 * Status bands over [from, to): what the check was at each instant, as far as its flips
 * (status changes) and its successes and failures tell. Nothing before the check existed;
 * neighbouring bands of one status are merged. `to` is "now" or earlier.
 */
export function timelineBands(c: TimelineCheck, flips: readonly FlipJson[], pings: readonly Pick<PingJson, 'date' | 'type'>[], from: number, to: number): Band[] {
  const start = Math.max(from, Date.parse(c.created));
  if (!(to > start)) return [];
  const asc = flips
    .map((f) => ({ t: Date.parse(f.timestamp), f }))
    .filter((x) => x.t < to)
    .sort((x, y) => x.t - y.t);
  const before = asc.filter((x) => x.t <= start).pop();
  const inRange = asc.filter((x) => x.t > start);
  let cur: { s: StoredStatus; reason: FlipReason | '' } = before
    ? { s: stored(before.f.new_status), reason: before.f.reason }
    : inRange.length
      ? { s: stored(inRange[0].f.old_status), reason: '' }
      : { s: stored(c.status), reason: '' };
  const endings = pings
    .filter((p) => p.type === 'success' || p.type === 'fail')
    .map((p) => Date.parse(p.date))
    .sort((x, y) => x - y);
  // An up stretch begins at the last success before it, which may lie before the range.
  const lastEndingBefore = (t: number) => {
    let r: number | null = null;
    for (const e of endings) if (e <= t) r = e;
    return r;
  };

  const raw: Band[] = [];
  let a = start;
  /** Ends the stretch in `cur` at `b`; `tail` is what an up stretch was past its deadline. */
  const close = (b: number, tail: BandStatus) => {
    if (b <= a) return;
    if (cur.s === 'up') {
      const anchor = lastEndingBefore(a) ?? a;
      for (const band of upStretch(c, anchor, b, endings, tail)) {
        const lo = Math.max(band.from, a);
        if (band.to > lo) raw.push({ ...band, from: lo });
      }
    } else raw.push({ from: a, to: b, status: bandOf(cur.s, cur.reason) });
    a = b;
  };
  for (const { t, f } of inRange) {
    close(t, f.reason === 'missed while Lubdub was offline' ? 'offline' : 'down');
    cur = { s: stored(f.new_status), reason: f.reason };
  }
  // Held in grace because Lubdub was not watching: shown as such until it is decided.
  close(to, c.monitor_offline ? 'offline' : 'down');

  const merged: Band[] = [];
  for (const b of raw) {
    const last = merged[merged.length - 1];
    if (last && last.status === b.status && last.to === b.from) last.to = b.to;
    else merged.push({ ...b });
  }
  return merged;
}

/** A tick on a time axis: its instant and its label in the viewer's zone. */
export interface TimeTick {
  t: number;
  label: string;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Tick steps, smallest first; the first that gives at most `max` ticks wins. */
const STEPS = [MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY];

/** ms to add to an instant to read the wall clock of `tz` as if it were UTC. */
function zoneOffset(t: number, tz: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      .formatToParts(new Date(t))
      .map((x) => [x.type, Number(x.value)]),
  );
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
}

/** A tick's label: the time of day below a day's span, the date from a day up ("Tue 5", "5 Mar"). */
function tickLabel(t: number, step: number, span: number, tz: string): string {
  if (step < DAY) {
    const time = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);
    return time === '00:00' && span > DAY / 2 ? new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', day: 'numeric' }).format(t) : time;
  }
  const opts: Intl.DateTimeFormatOptions = span <= 8 * DAY ? { weekday: 'short', day: 'numeric' } : { day: 'numeric', month: 'short' };
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, ...opts }).format(t);
}

/**
 * Ticks on whole minutes, hours or days of the wall clock in `tz`, at most `max` of them,
 * for the span [from, to]: 1 h → every 10 min, 24 h → every 3 h, 7 d → daily, 30 d → every 7 days.
 */
export function timeTicks(from: number, to: number, tz: string, max = 8): TimeTick[] {
  const span = to - from;
  if (!(span > 0)) return [];
  const step = STEPS.find((s) => span / s <= max) ?? Math.ceil(span / max / DAY) * DAY;
  const off = zoneOffset(from, tz);
  // Weeks start on Monday: 1970-01-05 was one.
  const base = step >= 7 * DAY ? 4 * DAY : 0;
  let t = Math.ceil((from + off - base) / step) * step + base - off;
  const out: TimeTick[] = [];
  for (; t <= to; t += step) {
    // Across a daylight-saving change the wall clock moves: keep ticks on its whole hours.
    const fix = zoneOffset(t, tz) - off;
    out.push({ t: t - (step >= HOUR ? fix : 0), label: tickLabel(t - (step >= HOUR ? fix : 0), step, span, tz) });
  }
  return out;
}
