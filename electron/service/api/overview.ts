import { OVERVIEW_MAX_ROWS, toOverviewRow, type OverviewReply } from '../../../shared/api/overview.js';
import type { Query } from '../../../shared/api/routes.js';
import { summarize } from '../../../shared/api/summary.js';
import { compareChecks, matcher, NO_FILTER, type ListedCheck } from '../../../shared/console/check-list.js';
import type { Status } from '../../../shared/domain/types.js';
import type { CheckRow } from '../db/repos.js';
import { checkJson, rowStatus, type ReadContext } from '../serialize.js';

/** Rows in a window when the request names no limit. */
const DEFAULT_ROWS = 100;

/**
 * One window of the console's overview. Every check is read a page at a time for its status,
 * name and tags (the order and filter need all of them), but only the window's rows become JSON:
 * with 100,000 checks the answer is a few kilobytes, not the whole list.
 */
export function overviewWindow(
  pages: Iterable<CheckRow[]>,
  ctx: ReadContext,
  q: Query<'overview'>,
  mutedUntil: string | null,
  row: (uuid: string) => CheckRow,
): OverviewReply {
  const offset = Number(q.offset ?? 0);
  const limit = Math.min(Number(q.limit ?? DEFAULT_ROWS), OVERVIEW_MAX_ROWS);
  const keep = matcher({ status: q.status ?? NO_FILTER.status, tag: q.tag ?? NO_FILTER.tag, search: q.search ?? NO_FILTER.search });
  const statuses: { status: Status }[] = [];
  const tags = new Set<string>();
  const matching: ListedCheck[] = [];
  for (const page of pages) {
    for (const x of page) {
      const { status, monitorOffline } = rowStatus(x, ctx.now);
      statuses.push({ status });
      for (const t of x.tags.split(' ')) if (t) tags.add(t);
      const c: ListedCheck = { uuid: x.uuid, name: x.name, slug: x.slug, tags: x.tags, status, monitor_offline: monitorOffline };
      if (keep(c)) matching.push(c);
    }
  }
  matching.sort(compareChecks);
  return {
    total: matching.length,
    offset,
    rows: matching.slice(offset, offset + limit).map((c) => toOverviewRow(checkJson(row(c.uuid), ctx))),
    summary: summarize(statuses, mutedUntil),
    tags: [...tags].sort(),
  };
}
