import type { Status } from '../domain/types.js';
import type { CheckJson, Summary } from './types.js';

const STATUSES: Status[] = ['new', 'up', 'grace', 'down', 'paused', 'started'];

/** Counts by status and the worst state, as the tray icon and the overview show it. */
export function summarize(checks: Pick<CheckJson, 'status'>[], mutedUntil: string | null = null): Summary {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const c of checks) counts[c.status]++;
  const worst: Summary['worst'] =
    counts.down > 0 ? 'down' : counts.grace > 0 ? 'grace' : counts.up + counts.started > 0 ? 'up' : 'idle';
  return { total: checks.length, counts, worst, muted_until: mutedUntil };
}
