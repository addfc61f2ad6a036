/**
 * Instants written for people (STYLE "Time written for people"); distances such as
 * "3 min ago" are `relativeTime` in shared/domain/duration.ts.
 */

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
