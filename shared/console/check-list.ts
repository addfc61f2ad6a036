import type { CheckJson } from '../api/types.js';
import type { Status } from '../domain/types.js';
import { describeCron } from './cron-describe.js';
import { formatSeconds, relativeTime } from '../domain/duration.js';

/** The order the overview shows statuses in: what needs attention first. */
export const ATTENTION_ORDER: Record<Status, number> = { down: 0, grace: 1, started: 2, up: 3, new: 4, paused: 5 };

/** The word shown beside every status colour (never colour alone). */
export const STATUS_WORDS: Record<Status, string> = {
  down: 'Down',
  grace: 'Late',
  started: 'Running',
  up: 'Up',
  new: 'New',
  paused: 'Paused',
};

/** The status filters of the list: one status, or everything, what needs a look, or what does not. */
export const LIST_STATUSES = ['all', 'attention', 'fine', 'down', 'grace', 'started', 'up', 'new', 'paused'] as const;

/** What the list filter asks for. */
export interface ListFilter {
  status: (typeof LIST_STATUSES)[number];
  tag: string;
  search: string;
}

/** The default filter: everything. */
export const NO_FILTER: ListFilter = { status: 'all', tag: '', search: '' };

/** What the list's order and filter read of a check. */
export type ListedCheck = Pick<CheckJson, 'uuid' | 'name' | 'slug' | 'tags' | 'status' | 'monitor_offline'>;

/** Does the check need a look (down, late, or held because Lubdub was offline)? */
export function needsAttention(c: Pick<CheckJson, 'status' | 'monitor_offline'>): boolean {
  return c.status === 'down' || c.status === 'grace' || c.monitor_offline;
}

/** A filter's test of one check. */
export function matcher(f: ListFilter): (c: ListedCheck) => boolean {
  const q = f.search.trim().toLowerCase();
  return (c) => {
    if (f.status === 'attention' ? !needsAttention(c) : f.status === 'fine' ? needsAttention(c) : f.status !== 'all' && c.status !== f.status) return false;
    if (f.tag && !c.tags.split(' ').includes(f.tag)) return false;
    if (q && !c.name.toLowerCase().includes(q) && !c.slug.includes(q) && !c.tags.toLowerCase().includes(q)) return false;
    return true;
  };
}

// `localeCompare`'s order, without building a collator per comparison (100,000 checks sort in
// well under a second); made at the first sort, as the first Intl object loads ICU's data
let collator: Intl.Collator | null = null;
const byName = (a: string, b: string) => (collator ??= new Intl.Collator()).compare(a, b);

/** The list's order: problems first, then by name (the uuid breaks ties, so a window is stable). */
export function compareChecks(a: ListedCheck, b: ListedCheck): number {
  return ATTENTION_ORDER[a.status] - ATTENTION_ORDER[b.status] || byName(a.name, b.name) || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0);
}

/** Every tag in use, sorted. */
export function allTags(checks: Iterable<Pick<CheckJson, 'tags'>>): string[] {
  const s = new Set<string>();
  for (const c of checks) for (const t of c.tags.split(' ')) if (t) s.add(t);
  return [...s].sort();
}

/** The schedule in words, timezone included: "At 03:00 every day (Europe/Berlin)", "every 1 day". */
export function scheduleText(c: Pick<CheckJson, 'kind' | 'schedule' | 'tz' | 'timeout'>): string {
  if (c.kind === 'cron') {
    const d = describeCron(c.schedule ?? '') ?? c.schedule ?? '';
    return `${d} (${c.tz ?? 'UTC'})`;
  }
  return `every ${formatSeconds(c.timeout ?? 86400)}`;
}

/** Why a check needs attention, in words ("exit status 3", "no ping for 2 h"), or "". */
export function reasonText(c: Pick<CheckJson, 'status' | 'monitor_offline' | 'down_reason' | 'next_ping'>, now: number): string {
  if (c.monitor_offline) return 'Lubdub was not running at the deadline: waiting for late pings';
  // The service's words for the reason, as the tray, notifications and alerts show them.
  if (c.status === 'down') return c.down_reason;
  if (c.status === 'grace') {
    return c.next_ping ? `late: expected ${relativeTime(Date.parse(c.next_ping), now)}` : 'late';
  }
  return '';
}
