import type { ServiceEvent } from '../../../shared/api/types.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { GroupCommit } from '../db/group-commit.js';
import { writeTx } from '../db/open.js';
import type { CheckRow, Repos } from '../db/repos.js';
import type { FlipWriter } from './flips.js';
import { storageHint } from '../db/storage-error.js';
import type { Bus } from '../events.js';
import type { Log } from '../log.js';
import { checkJson, flipJson, pingJson, type ReadContext } from '../serialize.js';
import type { CheckService } from './checks.js';
import { CheckRowCache } from './check-row-cache.js';
import type { IngestRequest, PingPipeline } from './pipeline.js';
import { PING_LOG_HARD_CAP, type Runtime } from './runtime.js';

/** What the receiver answers. */
export interface IngestResult {
  status: 200 | 201 | 404 | 409 | 503;
  text: 'OK' | 'Created' | 'not found' | 'ambiguous slug' | 'storage error';
  check?: string;
}

/**
 * An async step before a ping is queued, outside any transaction (e.g. body extraction in
 * a worker). What it finds, it keeps for its own pipeline step; a failure only skips it.
 */
export type PrepareStep = (req: IngestRequest) => Promise<void> | void;

/** What the ingest queue needs. */
export interface IngestQueueDeps {
  repos: Repos;
  clock: Clock;
  bus: Bus;
  log: Log;
  runtime: Runtime;
  pipeline: PingPipeline;
  /** the only writer of flips and of the reminders they arm */
  flips: FlipWriter;
  /** creates the check of a slug ping with ?create=1, inside the batch's transaction */
  checks: Pick<CheckService, 'insert'>;
  readContext: () => ReadContext;
  /** run in this order before a ping is queued */
  prepare?: readonly PrepareStep[];
  /** per check, the last ping n a feature is done with (later ones are still needed), or null */
  pingLogHolds?: readonly PingLogHold[];
}

/** The last ping n of a check a feature no longer needs (pings after it are kept), or null: no claim. */
export type PingLogHold = (row: CheckRow) => number | null;

/**
 * Retention of a check's ping log: prune through the returned n (0: nothing). The newest
 * `limit` pings are kept; pings after `doneThrough` also, up to `hardCap` pings in all.
 */
export function pruneThrough(nPings: number, limit: number, doneThrough: number | null, hardCap = PING_LOG_HARD_CAP): number {
  const byLimit = nPings - limit;
  if (doneThrough === null) return Math.max(0, byLimit);
  return Math.max(0, Math.min(byLimit, doneThrough), nPings - Math.max(hardCap, limit));
}

interface Pending {
  req: IngestRequest;
  resolve: (r: IngestResult) => void;
}

/** What one batch changed that the scheduler and the outbox must hear of. */
class BatchTimes {
  flip = false;
  deadline = false;
  /** the earliest deadline and status change the batch wrote */
  alertAfter: number | null = null;
  statusAt: number | null = null;

  set(next: CheckRow): void {
    this.deadline = true;
    this.alertAfter = earlier(this.alertAfter, next.alertAfter);
    this.statusAt = earlier(this.statusAt, next.statusAt);
  }
}

function earlier(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null || a <= b ? a : b;
}

/**
 * The checks one ingest transaction touches, read once and written once.
 * Why: many pings to one check in one batch would otherwise re-read and rewrite the same
 * row (and its indexes) per ping; the final row and the pruned log are the same either way.
 */
class BatchRows {
  /** lookup key (`u:<uuid>`, `p:<token>`) → check id, or null when not found */
  private keys = new Map<string, number | null>();
  private rows = new Map<number, CheckRow>();
  private dirty = new Set<number>();
  /** checks created in this batch: their rows are built, not read, so they are not kept after it */
  private created = new Set<number>();

  constructor(
    private repos: Repos,
    /** rows kept from earlier batches (already validated for this transaction), or null */
    private cache: CheckRowCache | null,
    private holds: readonly PingLogHold[] = [],
  ) {}

  /** The current row for a lookup: this batch's, the cache's, or loaded on first use. */
  get(key: string, load: () => CheckRow | null): CheckRow | null {
    const id = this.keys.get(key);
    if (id === null) return null;
    if (id !== undefined) return this.rows.get(id)!;
    return this.adopt(key, this.cache?.lookup(key) ?? load());
  }

  /** A check this batch created. */
  adoptCreated(row: CheckRow): CheckRow {
    this.created.add(row.id);
    return this.adopt(null, row)!;
  }

  /** Registers a row read by another path (slug lookup, creation) so later pings see its latest state. */
  adopt(key: string | null, row: CheckRow | null): CheckRow | null {
    if (row === null) {
      if (key !== null) this.keys.set(key, null);
      return null;
    }
    const known = this.rows.get(row.id);
    if (known === undefined) this.rows.set(row.id, row);
    if (key !== null) this.keys.set(key, row.id);
    return known ?? row;
  }

  /** Records the check's new state after a ping; its ping columns are written by `writeBack`. */
  set(row: CheckRow): void {
    this.rows.set(row.id, row);
    this.dirty.add(row.id);
  }

  /** Writes every changed check once and applies ping-log retention once per check. */
  writeBack(pingLogLimit: number): void {
    for (const id of this.dirty) {
      const row = this.rows.get(id)!;
      this.repos.checks.updatePingState(row);
      if (row.nPings <= pingLogLimit) continue;
      let done: number | null = null;
      for (const hold of this.holds) {
        const n = hold(row);
        if (n !== null) done = done === null ? n : Math.min(done, n);
      }
      const through = pruneThrough(row.nPings, pingLogLimit, done);
      if (through > 0) this.repos.pings.prune(id, through);
    }
    this.dirty.clear();
  }

  /** Hands the rows as written to the cache (inside the transaction, after `writeBack`). */
  keep(): void {
    if (!this.cache) return;
    for (const id of this.created) this.rows.delete(id);
    this.cache.close(this.rows, this.keys);
  }
}

/**
 * The ping path's I/O: queues pings, applies each batch in one SQLite transaction through
 * the pipeline, and answers and announces (scheduler, outbox, event stream) only once the
 * batch is durable.
 */
export class IngestQueue {
  private queue: Pending[] = [];
  private flushScheduled = false;
  private readonly commits: GroupCommit;
  private storageErrors = { lastLog: -Infinity, pending: 0 };
  /** transactions and pings committed so far (for tests and the bench) */
  readonly stats = { batches: 0, pings: 0 };
  /** check rows kept between batches (see CheckRowCache for why it is never stale) */
  readonly rowCache: CheckRowCache;

  constructor(private readonly deps: IngestQueueDeps) {
    this.commits = new GroupCommit(deps.repos.db, deps.log);
    this.rowCache = new CheckRowCache(deps.repos.db);
  }

  /**
   * Queues a ping; resolves after the transaction holding it is committed and on disk.
   * Why batches: one fsync per ping caps near 2,000/s; the pings that arrived during
   * one event-loop turn share a transaction, and each is answered only after that commit
   * has been flushed (GroupCommit: the flush runs off the JavaScript thread).
   */
  submit(req: IngestRequest): Promise<IngestResult> {
    let waits: Promise<void>[] | null = null;
    // A loop, not map/filter: most pings have nothing to wait for, and this runs per ping.
    for (const f of this.deps.prepare ?? []) {
      const p = f(req);
      if (p !== undefined) (waits ??= []).push(p);
    }
    return waits ? Promise.allSettled(waits).then(() => this.enqueue(req)) : this.enqueue(req);
  }

  private enqueue(req: IngestRequest): Promise<IngestResult> {
    return new Promise((resolve) => {
      this.queue.push({ req, resolve });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    if (this.commits.busy) {
      // A ping that arrives during a flush is answered after the next flush whenever it
      // commits; committing everything that arrived meanwhile as one transaction when the
      // flush ends writes each touched page to the WAL once, not once per event-loop turn.
      // (Run from the flush's end, before its answers go out: the next flush starts at once.)
      this.commits.afterFlush(() => this.flush());
      return;
    }
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.stats.batches++;
    this.stats.pings += batch.length;
    const { repos, bus } = this.deps;
    const publics: ServiceEvent[] = [];
    const want = bus.listenerCount('public') > 0;
    let results: IngestResult[] = [];
    let seen = new BatchTimes();
    const applyAll = (reqs: Pending[], cache: CheckRowCache | null) => {
      cache?.open();
      const rows = new BatchRows(repos, cache, this.deps.pingLogHolds);
      const out = reqs.map((p) => this.applyOne(p.req, want ? publics : null, seen, rows));
      rows.writeBack(this.deps.runtime.pingLogLimit);
      rows.keep();
      return out;
    };
    // Answers and events go out only once the batch is durable (see GroupCommit).
    const finish = (err: Error | null) => {
      const unsure: IngestResult = { status: 503, text: 'storage error' };
      batch.forEach((p, i) => p.resolve(err ? unsure : results[i]));
      if (seen.deadline) bus.emit('deadlines', { alertAfter: seen.alertAfter, statusAt: seen.statusAt });
      if (seen.flip) bus.emit('flips');
      this.emitCoalesced(publics);
    };
    try {
      this.commits.commit(() => {
        results = applyAll(batch, this.rowCache);
      }, finish);
      return;
    } catch {
      // The rows kept for the batch were rolled back with it.
      this.rowCache.clear();
      // One bad ping must not fail its neighbours: retry each in its own transaction.
      publics.length = 0;
      seen = new BatchTimes();
      let failed = 0;
      let lastError = '';
      results = batch.map((p) => {
        try {
          return writeTx(repos.db, () => applyAll([p], null)[0]);
        } catch (e) {
          failed++;
          lastError = (e as Error).message;
          return { status: 503, text: 'storage error' } as IngestResult;
        }
      });
      if (failed) this.logStorageError(failed, lastError);
    }
    finish(null);
  }

  /**
   * One log line per 10 s at most, with a count: a full disk under a ping flood must not
   * fill what is left of it with log lines.
   */
  private logStorageError(failed: number, message: string): void {
    const now = this.deps.clock.now();
    this.storageErrors.pending += failed;
    if (now - this.storageErrors.lastLog < 10_000) return;
    this.deps.log.error(`storage error, ${this.storageErrors.pending} ping(s) not stored, answered 503: ${storageHint(message)}`);
    this.storageErrors = { lastLog: now, pending: 0 };
  }

  private emitCoalesced(events: ServiceEvent[]): void {
    // Many pings to one check in one batch: send its latest state once.
    const lastCheck = new Map<string, number>();
    events.forEach((e, i) => e.type === 'check' && lastCheck.set(e.data.uuid, i));
    events.forEach((e, i) => {
      if (e.type === 'check' && lastCheck.get(e.data.uuid) !== i) return;
      this.deps.bus.emit('public', e);
    });
  }

  private resolveTarget(req: IngestRequest, rows: BatchRows): { check: CheckRow; created: boolean } | IngestResult {
    const { repos } = this.deps;
    const t = req.target;
    const notFound: IngestResult = { status: 404, text: 'not found' };
    if (t.by === 'uuid') {
      const c = rows.get(`u:${t.uuid}`, () => repos.checks.byUuid(t.uuid));
      return c ? { check: c, created: false } : notFound;
    }
    if (t.by === 'push') {
      const c = rows.get(`p:${t.token}`, () => repos.checks.byPushToken(t.token));
      return c ? { check: c, created: false } : notFound;
    }
    if (t.pingKey !== this.deps.runtime.pingKey) return notFound;
    const found = repos.checks.bySlug(t.slug);
    if (found.length > 1) return { status: 409, text: 'ambiguous slug' };
    if (found.length === 1) return { check: rows.adopt(null, found[0])!, created: false };
    if (!req.create) return notFound;
    const check = this.deps.checks.insert({ name: t.slug, slug: t.slug, ...req.create }, req.received);
    return { check: rows.adoptCreated(check), created: true };
  }

  /** One ping: resolve the check (I/O) → the pipeline decides → store and collect the events. */
  private applyOne(
    req: IngestRequest,
    publics: ServiceEvent[] | null,
    seen: BatchTimes,
    rows: BatchRows,
  ): IngestResult {
    const { repos } = this.deps;
    const found = this.resolveTarget(req, rows);
    if ('status' in found) return found;
    const { check, created } = found;
    const { next, flip, ping } = this.deps.pipeline.run(check, req, this.deps.clock.now());
    const flipId = flip ? this.deps.flips.ping(next, flip) : null;
    rows.set(next);
    const pingId = repos.pings.insert(ping);
    if (flip) seen.flip = true;
    if (next.alertAfter !== check.alertAfter || next.statusAt !== check.statusAt || next.status !== check.status) seen.set(next);
    if (publics) {
      const ctx = this.deps.readContext();
      publics.push({ type: 'ping', data: { check: check.uuid, ping: pingJson({ ...ping, id: pingId }, check.uuid, ctx.urls) } });
      if (flip && flipId !== null) {
        publics.push({ type: 'flip', data: { check: check.uuid, name: check.name, flip: flipJson({ ...flip, id: flipId, checkId: check.id, processed: null }) } });
      }
      publics.push({ type: 'check', data: checkJson(next, ctx) });
    }
    return created ? { status: 201, text: 'Created', check: check.uuid } : { status: 200, text: 'OK', check: check.uuid };
  }
}
