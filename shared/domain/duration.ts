/**
 * Durations in words, one family for every side (alerts, console, tray, metrics): the
 * units are always "s", "min", "h", "day(s)", "week(s)", and each function names the unit
 * of its input.
 */

const MIN_S = 60;
const HOUR_S = 3600;
const DAY_S = 86400;
const WEEK_S = 7 * DAY_S;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

const UNITS: [number, (n: number) => string][] = [
  [WEEK_S, (n) => plural(n, 'week')],
  [DAY_S, (n) => plural(n, 'day')],
  [HOUR_S, (n) => `${n} h`],
  [MIN_S, (n) => `${n} min`],
  [1, (n) => `${n} s`],
];

/** Seconds per unit word a user may type ("15 min", "1 day", "2h 30m"). */
const INPUT_UNITS: Record<string, number> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: MIN_S, min: MIN_S, mins: MIN_S, minute: MIN_S, minutes: MIN_S,
  h: HOUR_S, hr: HOUR_S, hrs: HOUR_S, hour: HOUR_S, hours: HOUR_S,
  d: DAY_S, day: DAY_S, days: DAY_S,
  w: WEEK_S, wk: WEEK_S, week: WEEK_S, weeks: WEEK_S,
};

/**
 * Parses a human duration into whole seconds: "15 min", "1 day", "2h 30m", "90s".
 * A bare number means seconds. Returns null for anything else.
 */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (s === '') return null;
  if (/^\d+$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*,?\s*/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const unit = INPUT_UNITS[m[2]];
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
    matched = re.lastIndex;
  }
  if (matched !== s.length) return null;
  return Math.round(total);
}

function words(seconds: number, maxParts: number): string {
  let rest = Math.max(0, Math.round(seconds));
  if (rest === 0) return '0 s';
  const parts: string[] = [];
  for (const [size, word] of UNITS) {
    // Weeks only when exact: "10 days" reads better than "1 week 3 days".
    if (size === WEEK_S && rest % WEEK_S !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      parts.push(word(n));
      rest -= n * size;
      if (parts.length === maxParts || rest === 0) break;
    } else if (parts.length > 0 && maxParts === 2) break; // "3 h", not "3 h 5 s"
  }
  return parts.join(' ');
}

/** Whole seconds, the two largest adjacent units: 5400 → "1 h 30 min", 86400 → "1 day", 3605 → "1 h". */
export function formatSeconds(seconds: number): string {
  return words(seconds, 2);
}

/** Milliseconds (an elapsed time from the clock) as `formatSeconds` words: 4_320_000 → "1 h 12 min". */
export function formatMs(ms: number): string {
  return formatSeconds(ms / 1000);
}

/**
 * Whole seconds with every unit, so the words parse back to the same number (the editor's
 * period and grace, settings): 3605 → "1 h 5 s", 90061 → "1 day 1 h 1 min 1 s".
 */
export function formatSecondsExact(seconds: number): string {
  return words(seconds, UNITS.length);
}

/**
 * A measured time in seconds (run durations, duration metrics), keeping what a short run
 * needs: 0.25 → "250 ms", 2.345 → "2.3 s", 75 → "1 min 15 s", -3 → "-3 s".
 */
export function formatRunSeconds(seconds: number): string {
  if (seconds < 0) return '-' + formatRunSeconds(-seconds);
  if (seconds === 0) return '0 s';
  if (seconds < 1) return `${Math.max(1, Math.round(seconds * 1000))} ms`;
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  return formatSeconds(seconds);
}

/** A distance in ms rounded to what people say: seconds, then minutes, then hours past 10 h, then days. */
function roundedSeconds(ms: number): number {
  const s = Math.round(ms / 1000);
  if (s < MIN_S) return s;
  if (s < 10 * HOUR_S) return Math.round(s / MIN_S) * MIN_S;
  if (s < DAY_S) return Math.round(s / HOUR_S) * HOUR_S;
  return Math.round(s / DAY_S) * DAY_S;
}

/** "3 min ago", "in 14 min", "in 1 h 20 min", "2 days ago"; "just now" / "now" within 5 s (epoch ms). */
export function relativeTime(t: number, now: number): string {
  const d = t - now;
  if (Math.abs(d) < 5000) return d > 0 ? 'now' : 'just now';
  const span = formatSeconds(roundedSeconds(Math.abs(d)));
  return d < 0 ? `${span} ago` : `in ${span}`;
}
