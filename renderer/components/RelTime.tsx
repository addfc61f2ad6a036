import { absoluteTime } from '../../shared/console/time-format.js';
import { relativeTime } from '../../shared/domain/duration.js';

/** "3 min ago" with the exact time on hover (and for screen readers via <time>). */
export function RelTime({ iso, now, tz, empty = '—' }: { iso: string | null | undefined; now: number; tz?: string; empty?: string }) {
  if (!iso) return <span className="muted">{empty}</span>;
  const t = Date.parse(iso);
  return (
    <time dateTime={iso} title={absoluteTime(t, tz)}>
      {relativeTime(t, now)}
    </time>
  );
}
