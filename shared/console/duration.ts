/** Seconds per unit word a user may type ("15 min", "1 day", "2h 30m"). */
const UNITS: Record<string, number> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
  w: 604800, wk: 604800, week: 604800, weeks: 604800,
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
    const unit = UNITS[m[2]];
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
    matched = re.lastIndex;
  }
  if (matched !== s.length) return null;
  return Math.round(total);
}

/** Seconds as the words a user would write: 900 → "15 min", 86400 → "1 day", 5400 → "1 h 30 min". */
export function formatDuration(seconds: number): string {
  let s = Math.max(0, Math.round(seconds));
  if (s === 0) return '0 s';
  const parts: string[] = [];
  const units: [number, (n: number) => string][] = [
    [604800, (n) => (n === 1 ? '1 week' : `${n} weeks`)],
    [86400, (n) => (n === 1 ? '1 day' : `${n} days`)],
    [3600, (n) => `${n} h`],
    [60, (n) => `${n} min`],
    [1, (n) => `${n} s`],
  ];
  // Weeks only when exact: "10 days" reads better than "1 week 3 days".
  for (const [size, word] of units) {
    if (size === 604800 && s % 604800 !== 0) continue;
    if (s >= size) {
      parts.push(word(Math.floor(s / size)));
      s %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** A short duration for run times: 0.4 → "0.4 s", 75 → "1 min 15 s", 4000 → "1 h 6 min". */
export function formatRunDuration(seconds: number): string {
  if (seconds < 0.1) return '< 0.1 s';
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  return formatDuration(seconds);
}
