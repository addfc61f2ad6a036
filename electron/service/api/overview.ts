import { OVERVIEW_MAX_ROWS, toOverviewRow, type OverviewReply } from '../../../shared/api/overview.js';
import type { Summary } from '../../../shared/api/types.js';
import type { Query } from '../../../shared/api/routes.js';
import { summarize } from '../../../shared/api/summary.js';
import { compareChecks, matcher, NO_FILTER, type ListedCheck } from '../../../shared/console/check-list.js';
import { nextStatusChange } from '../../../shared/domain/check-state.js';
import type { Db } from '../db/open.js';
import type { CheckRow } from '../db/repos.js';
import { checkJson, rowStatus, type ReadContext } from '../serialize.js';

/** Rows in a window when the request names no limit. */
const DEFAULT_ROWS = 100;

/** Every check in the overview's order, with what the answer counts, as of one state of the database. */
interface Listed {
  /** in the overview's order once a window was asked for (the counts alone need no order) */
  checks: ListedCheck[];
  sorted: boolean;
  tags: string[];
  /** the database's state it was read from */
  version: string;
  /** the first instant a shown status changes by the clock alone: read again from then on */
  until: number;
}

/**
 * The console's overview, a window at a time. The order and filters need every check's status,
 * name and tags, but only the window's rows become JSON: with 100,000 checks the answer is a few
 * kilobytes, not the whole list. The reading of every check is kept while nothing is written to
 * the database and no status changes by the clock (scrolling reads no check twice, and the
 * summary and the first window share one reading); the first write or status change after it
 * is read again.
 */
export class Overview {
  private listed: Listed | null = null;
  private version;
  constructor(
    db: Db,
    private pages: () => Iterable<CheckRow[]>,
    private row: (uuid: string) => CheckRow,
  ) {
    // total_changes: this connection's writes; data_version: commits by any other connection
    const changes = db.prepare('SELECT total_changes()').pluck();
    const dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.version = () => `${changes.get()}:${dataVersion.get()}`;
  }

  /** The rows from `offset` that match the query's filter, with the counts and tags of every check. */
  window(ctx: ReadContext, q: Query<'overview'>, mutedUntil: string | null): OverviewReply {
    const offset = Number(q.offset ?? 0);
    const limit = Math.min(Number(q.limit ?? DEFAULT_ROWS), OVERVIEW_MAX_ROWS);
    const filter = { status: q.status ?? NO_FILTER.status, tag: q.tag ?? NO_FILTER.tag, search: q.search ?? NO_FILTER.search };
    const all = this.all(ctx.now);
    if (!all.sorted) {
      all.checks.sort(compareChecks);
      all.sorted = true;
    }
    const everything = filter.status === 'all' && !filter.tag && !filter.search.trim();
    const matching = everything ? all.checks : all.checks.filter(matcher(filter));
    return {
      total: matching.length,
      offset,
      rows: matching.slice(offset, offset + limit).map((c) => toOverviewRow(checkJson(this.row(c.uuid), ctx))),
      summary: summarize(all.checks, mutedUntil),
      tags: all.tags,
    };
  }

  /** Counts by status and the worst state (the summary route): the same reading of every check as the windows'. */
  summary(now: number, mutedUntil: string | null): Summary {
    return summarize(this.all(now).checks, mutedUntil);
  }

  private all(now: number): Listed {
    const version = this.version();
    if (this.listed && this.listed.version === version && now < this.listed.until) return this.listed;
    const checks: ListedCheck[] = [];
    const tags = new Set<string>();
    let until = Infinity;
    for (const page of this.pages()) {
      for (const x of page) {
        const { status, monitorOffline } = rowStatus(x, now);
        for (const t of x.tags.split(' ')) if (t) tags.add(t);
        checks.push({ uuid: x.uuid, name: x.name, slug: x.slug, tags: x.tags, status, monitor_offline: monitorOffline });
        // when the shown status may change with nothing written: its own changes, and the end of an offline hold
        for (const t of [nextStatusChange(x, now), x.hold?.until ?? null, x.hold ? x.alertAfter : null]) if (t !== null && t > now && t < until) until = t;
      }
    }
    this.listed = { checks, sorted: false, tags: [...tags].sort(), version, until };
    return this.listed;
  }
}
