import { OVERVIEW_MAX_ROWS, toOverviewRow, type OverviewReply } from '../../../shared/api/overview.js';
import type { Summary } from '../../../shared/api/types.js';
import type { Query } from '../../../shared/api/routes.js';
import { summarize } from '../../../shared/api/summary.js';
import { compareChecks, matcher, NO_FILTER, type ListedCheck } from '../../../shared/console/check-list.js';
import { nextStatusChange } from '../../../shared/domain/check-state.js';
import type { Db } from '../db/open.js';
import type { CheckListing, CheckRow } from '../db/repos.js';
import { checkJson, rowStatus, type ReadContext } from '../serialize.js';

/** Rows in a window when the request names no limit. */
const DEFAULT_ROWS = 100;

/** One check in the overview's listing: what the order and filters read, and what its status is decided from. */
interface Entry extends ListedCheck {
  row: CheckListing;
}

/** Every check in the overview's order, with what the answer counts, as of one state of the database. */
interface Listed {
  /** in the overview's order once a window was asked for (the counts alone need no order) */
  checks: Entry[];
  sorted: boolean;
  tags: string[];
  /** the database's state it was read from */
  version: string;
  /** the first instant a shown status changes by the clock alone: the statuses are decided again from then on */
  until: number;
}

/**
 * The console's overview, a window at a time. The order and filters need every check's status,
 * name and tags, but only the window's rows become JSON: with 100,000 checks the answer is a few
 * kilobytes, not the whole list. Every check is read with only the columns its status and the
 * list need (no JSON to parse), and that reading is kept while none of those columns is written
 * (scrolling reads no check twice, and the summary and the first window share one reading);
 * the first such write after it is read again. When a status changes by the clock alone,
 * the statuses are decided again from the rows held, without reading the database.
 */
export class Overview {
  private listed: Listed | null = null;
  /** a reading ahead (`prepare`) on its way */
  private reading: Promise<Listed> | null = null;
  private version;
  constructor(
    db: Db,
    /** writes of listed columns by this connection (`CheckRepo.listingWrites`) */
    listingWrites: () => number,
    private pages: () => Iterable<CheckListing[]>,
    private row: (uuid: string) => CheckRow,
    /** a reading ahead lets other work in after this many ms */
    private readonly yieldAfterMs = 5,
  ) {
    // Only writes of what is listed count: deliveries, the ping log, sessions, the alive beat or
    // a status_at announcement leave the reading current. data_version: commits by any other
    // connection (another process), whatever they wrote.
    const dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.version = () => `${listingWrites()}:${dataVersion.get()}`;
  }

  /** The rows from `offset` that match the query's filter, with the counts and tags of every check. */
  async window(ctx: ReadContext, q: Query<'overview'>, mutedUntil: string | null): Promise<OverviewReply> {
    const offset = Number(q.offset ?? 0);
    const limit = Math.min(Number(q.limit ?? DEFAULT_ROWS), OVERVIEW_MAX_ROWS);
    const filter = { status: q.status ?? NO_FILTER.status, tag: q.tag ?? NO_FILTER.tag, search: q.search ?? NO_FILTER.search };
    const all = await this.all(ctx.now);
    if (!all.sorted) {
      all.checks.sort(compareChecks);
      all.sorted = true;
    }
    const everything = filter.status === 'all' && !filter.tag && !filter.search.trim();
    const matching: ListedCheck[] = everything ? all.checks : all.checks.filter(matcher(filter));
    return {
      total: matching.length,
      offset,
      rows: matching.slice(offset, offset + limit).map((c) => toOverviewRow(checkJson(this.row(c.uuid), ctx))),
      summary: summarize(all.checks, mutedUntil),
      tags: all.tags,
    };
  }

  /** Counts by status and the worst state (the summary route): the same reading of every check as the windows'. */
  async summary(now: number, mutedUntil: string | null): Promise<Summary> {
    return summarize((await this.all(now)).checks, mutedUntil);
  }

  /**
   * Reads, decides and orders every check ahead, if what is held is out of date, a page at a
   * time with other work let in between. Called when a console page is served: its first
   * requests (the summary, the first window) need this reading, and the page's script is
   * served and run meanwhile.
   */
  prepare(now: number): void {
    if (this.reading || this.held() !== null) return;
    const version = this.version();
    this.reading = this.read(version, true)
      .then((l) => {
        this.decide(l, now);
        l.checks.sort(compareChecks);
        l.sorted = true;
        return l;
      })
      .finally(() => (this.reading = null));
    // a failed reading ahead is read again, and its error answered, by the request that needs it
    this.reading.catch(() => {});
  }

  /** What is held, while nothing was written since it was read; null otherwise. */
  private held(): Listed | null {
    return this.listed && this.listed.version === this.version() ? this.listed : null;
  }

  private async all(now: number): Promise<Listed> {
    // a reading ahead on its way is waited for; anything written meanwhile is read again below
    if (this.reading) await this.reading.catch(() => {});
    const held = this.held() ?? (await this.read(this.version(), false));
    if (now >= held.until) this.decide(held, now);
    return held;
  }

  /**
   * Reads every check with the listing's columns. Why the version is taken before the first
   * page: a write between pages leaves it behind, so that reading is never trusted and is read again.
   */
  private async read(version: string, yieldBetweenPages: boolean): Promise<Listed> {
    const checks: Entry[] = [];
    const tags = new Set<string>();
    let since = performance.now();
    for (const page of this.pages()) {
      for (const row of page) {
        for (const t of row.tags.split(' ')) if (t) tags.add(t);
        checks.push({ uuid: row.uuid, name: row.name, slug: row.slug, tags: row.tags, status: 'new', monitor_offline: false, row });
      }
      // Why so often: the page's script goes out a chunk per turn of the event loop, and a
      // reading that held each turn longer would make the script, not the reading, the wait.
      if (yieldBetweenPages && performance.now() - since >= this.yieldAfterMs) {
        await new Promise((r) => setImmediate(r));
        since = performance.now();
      }
    }
    // statuses are decided when the reading is used (`all`), at that request's time
    this.listed = { checks, sorted: false, tags: [...tags].sort(), version, until: -Infinity };
    return this.listed;
  }

  /** Decides every held check's status at `now` (shared/domain), and when the next one changes by the clock. */
  private decide(l: Listed, now: number): void {
    let until = Infinity;
    let moved = false;
    for (const c of l.checks) {
      const x = c.row;
      const { status, monitorOffline } = rowStatus(x, now);
      if (status !== c.status) moved = true;
      c.status = status;
      c.monitor_offline = monitorOffline;
      // when the shown status may change with nothing written: its own changes, and the end of an offline hold
      for (const t of [nextStatusChange(x, now), x.hold?.until ?? null, x.hold ? x.alertAfter : null]) if (t !== null && t > now && t < until) until = t;
    }
    if (moved) l.sorted = false;
    l.until = until;
  }
}
