import type { Db } from '../db/open.js';
import type { CheckRow } from '../db/repos.js';

/**
 * The check rows the ping path read or wrote, kept between ingest batches so that a ping
 * does not read its check from SQLite again. Owned by the ingest queue, the only code that
 * fills it and the only one that writes through it.
 *
 * Why it can never serve a stale row: it is trusted only while SQLite says that nothing but
 * the ping path has written since it was last filled. Each batch checks, inside its own write
 * transaction (so no other write can slip in before its reads), `total_changes()` — every
 * row any statement of this connection inserted, updated or deleted, in any table, triggers
 * included — and `PRAGMA data_version`, which moves when another connection commits. Any
 * difference from what the last batch left empties the cache. So no other writer (API
 * edits, pause and resume, the scheduler's deadlines, mutes, holds, imports, a second
 * process) has to remember it exists; the cost is a refill after such a write, which is rare
 * next to pings.
 */
export class CheckRowCache {
  private rows = new Map<number, CheckRow>();
  /** lookup key (`u:<uuid>`, `p:<token>`) → check id */
  private ids = new Map<string, number>();
  /** `total_changes()` and `data_version` when the last batch ended; -1 when unknown */
  private changes = -1;
  private version = -1;
  private readonly changesStmt;
  private readonly versionStmt;
  /** how often it was emptied because something else wrote (for tests and the bench) */
  invalidations = 0;

  constructor(
    db: Db,
    /** at most this many rows: round robin over more checks reads the oldest again */
    private readonly max = 2048,
  ) {
    this.changesStmt = db.prepare('SELECT total_changes()').pluck();
    this.versionStmt = db.prepare('PRAGMA data_version').pluck();
  }

  /** Call inside the batch's write transaction before its first read: drops everything if anything else wrote. */
  open(): void {
    if (!this.current()) {
      if (this.rows.size) this.invalidations++;
      this.rows.clear();
      this.ids.clear();
      this.version = this.versionStmt.get() as number;
    }
    this.changes = -1;
  }

  /** True while nothing but the ping path has written since the last batch ended. */
  current(): boolean {
    return this.changes === (this.changesStmt.get() as number) && this.version === (this.versionStmt.get() as number);
  }

  /** The row for a lookup key, when cached. */
  lookup(key: string): CheckRow | undefined {
    const id = this.ids.get(key);
    return id === undefined ? undefined : this.rows.get(id);
  }

  /**
   * Call inside the transaction after the batch wrote its rows: keeps them (as now written)
   * and remembers the change count they leave. The caller must `clear()` if the transaction
   * then fails to commit.
   */
  close(rows: ReadonlyMap<number, CheckRow>, keys: ReadonlyMap<string, number | null>): void {
    for (const [id, row] of rows) {
      if (!this.rows.delete(id) && this.rows.size >= this.max) this.rows.delete(this.rows.keys().next().value!);
      this.rows.set(id, row);
    }
    if (this.ids.size + keys.size > 2 * this.max) this.ids.clear();
    for (const [key, id] of keys) if (id !== null && this.rows.has(id)) this.ids.set(key, id);
    this.changes = this.changesStmt.get() as number;
  }

  /** Forgets everything (a batch that did not commit). */
  clear(): void {
    this.rows.clear();
    this.ids.clear();
    this.changes = -1;
  }

  /** The cached rows (tests compare them with what SQLite holds). */
  entries(): IterableIterator<[number, CheckRow]> {
    return this.rows.entries();
  }
}
