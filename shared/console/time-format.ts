/**
 * Times written for people (STYLE "Time written for people"). Pure: `now` is passed in,
 * so the console's clock and the tests' fake clock both work.
 */

function span(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(s / 3600);
  if (h < 24) {
    const rm = Math.round((s - h * 3600) / 60);
    return h < 10 && rm > 0 && rm < 60 ? `${h} h ${rm} min` : `${Math.round(s / 3600)} h`;
  }
  const d = Math.round(s / 86400);
  return d === 1 ? '1 day' : `${d} days`;
}

/** "3 min ago", "in 14 min", "just now" for `t` relative to `now` (both epoch ms). */
export function relativeTime(t: number, now: number): string {
  const d = t - now;
  if (Math.abs(d) < 5000) return 'just now';
  return d < 0 ? `${span(-d)} ago` : `in ${span(d)}`;
}

/** The exact time for hovers: "2024-03-05 03:00:12 Europe/Berlin" in the given zone (default: the viewer's). */
export function absoluteTime(t: number, tz?: string): string {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: tz ? undefined : 'short',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  const zone = tz ?? p.timeZoneName ?? '';
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}${zone ? ' ' + zone : ''}`;
}

/** A run time in a zone for schedule previews: "Tue 5 Mar 2024, 03:00". */
export function scheduleTime(t: number, tz: string): string {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return f.format(new Date(t));
}
