import fs from 'node:fs';
import type { Log } from '../log.js';
import type { Db } from './open.js';

/**
 * Group commit for the ping path: a transaction commits with `synchronous=NORMAL` (its WAL
 * frames are written, not yet flushed), then one `fdatasync` of the WAL file, run on
 * libuv's thread pool, makes every transaction committed before it durable at once.
 *
 * Why: with `synchronous=FULL` each commit blocks the only JavaScript thread for a whole
 * disk flush (1–3 ms here), during which no request is read. Flushing off-thread lets the
 * next batch be parsed and committed while the previous flush runs; each ping is still
 * answered only after a flush that covers it, so a 200 keeps its promise across a power cut.
 *
 * Why this is as safe as FULL: SQLite recovers a WAL frame by frame and stops at the first
 * frame that fails its checksum, so what survives a power cut is a prefix of the committed
 * transactions; `fdatasync` returning means that prefix includes every transaction committed
 * before the call. In WAL mode, NORMAL still syncs the WAL before every checkpoint and the
 * database after it, so a WAL restart never overwrites frames that are not in the database.
 *
 * Used only in WAL mode; otherwise `commit` falls back to an ordinary FULL commit.
 */
export class GroupCommit {
  private readonly wal: boolean;
  private readonly walPath: string;
  private readonly normal;
  private readonly full;
  /** callbacks whose transactions are committed and wait for the next flush */
  private waiting: ((err: Error | null) => void)[] = [];
  private flushing = false;
  /** the WAL file, open while flushes follow each other (see `done`) */
  private walFd: number | null = null;
  /** called once when the flush in progress ends (see `afterFlush`) */
  private idle: (() => void)[] = [];
  /** the batch the prepared transaction runs (set just before it runs) */
  private body: (() => unknown) | null = null;
  /**
   * One transaction function for every batch. Why: better-sqlite3's `db.transaction(fn)`
   * builds four wrapped functions and their properties on each call, 4 % of the ping path's
   * busy time when made per batch.
   */
  private readonly tx;

  constructor(
    private readonly db: Db,
    private readonly log: Log,
  ) {
    this.wal = String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    this.walPath = `${db.name}-wal`;
    this.normal = db.prepare('PRAGMA synchronous = NORMAL');
    this.full = db.prepare('PRAGMA synchronous = FULL');
    this.tx = db.transaction(() => this.body!());
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction and calls `durable` once the transaction
   * is on stable storage (err set when that cannot be promised; the rows may then still
   * be in the database, so the caller must answer as for an unknown outcome).
   * Throws, like a transaction, when `fn` or the commit fails.
   */
  commit<T>(fn: () => T, durable: (err: Error | null) => void): T {
    if (!this.wal) {
      const out = this.run(fn);
      durable(null);
      return out;
    }
    this.normal.run();
    let out: T;
    try {
      out = this.run(fn);
    } finally {
      // Every other writer (API edits, scheduler, outbox) keeps FULL: only pings use group commit.
      this.full.run();
    }
    this.waiting.push(durable);
    if (!this.flushing) this.flush();
    return out;
  }

  /** True while a flush runs: a transaction committed now waits for the next one anyway. */
  get busy(): boolean {
    return this.flushing;
  }

  /**
   * Calls `cb` once the flush in progress has ended and its callbacks have run (at once when
   * none runs). Lets a caller gather what arrives during a flush into one transaction.
   */
  afterFlush(cb: () => void): void {
    if (this.flushing) this.idle.push(cb);
    else cb();
  }

  private run<T>(fn: () => T): T {
    const outer = this.body;
    this.body = fn;
    try {
      return this.tx.immediate() as T;
    } finally {
      this.body = outer;
    }
  }

  /** One flush for everything committed so far; a flush requested meanwhile waits for the next. */
  private flush(): void {
    const round = this.waiting;
    this.waiting = [];
    this.flushing = true;
    if (this.walFd !== null) return this.sync(this.walFd, round);
    fs.open(this.walPath, 'r', (err, fd) => {
      if (err) return this.done(round, err);
      this.walFd = fd;
      this.sync(fd, round);
    });
  }

  private sync(fd: number, round: ((err: Error | null) => void)[]): void {
    fs.fdatasync(fd, (err) => this.done(round, err));
  }

  private done(round: ((err: Error | null) => void)[], err: Error | null): void {
    this.flushing = false;
    if (err) {
      this.log.error(`flushing the database to disk failed: ${err.message}`);
      this.closeWal();
    }
    for (const cb of round) cb(err);
    const idle = this.idle;
    this.idle = [];
    for (const cb of idle) cb();
    if (!this.flushing && this.waiting.length) this.flush();
    // Kept open only while flushes follow each other: a quiet service holds no descriptor,
    // and SQLite never replaces the WAL file while this connection has the database open.
    if (!this.flushing) this.closeWal();
  }

  private closeWal(): void {
    if (this.walFd === null) return;
    fs.close(this.walFd, () => {});
    this.walFd = null;
  }
}
