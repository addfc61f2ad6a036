import crypto from 'node:crypto';
import { checkInputError, slugify, type CheckInput } from '../../shared/api/check-input.js';
import type { ServiceEvent } from '../../shared/api/types.js';
import { alertAfter, applyPing, nextStatusChange, pause, resume, type PingEvent } from '../../shared/domain/check-state.js';
import { classify } from '../../shared/domain/classify.js';
import type { Clock } from '../../shared/domain/clock.js';
import type { PingTarget } from '../../shared/domain/ping-url.js';
import { pingDownReason, type DownReason } from '../../shared/domain/reasons.js';
import type { PingAction } from '../../shared/domain/types.js';
import { FlipWriter } from './core/flips.js';
import { GroupCommit } from './db/group-commit.js';
import { writeTx } from './db/open.js';
import { storageHint } from './db/storage-error.js';
import { newCheckRow, type CheckRow, type NewPing, type Repos } from './db/repos.js';
import type { Bus } from './events.js';
import type { Log } from './log.js';
import { bodyText, checkJson, flipJson, pingJson, type ReadContext, type Urls } from './serialize.js';

/** One received ping, parsed and validated by the receiver. */
export interface IngestRequest {
  target: PingTarget;
  action: PingAction;
  explicit: boolean;
  exitStatus: number | null;
  rid: string | null;
  /** when it happened: receive time, or `?ts=` */
  at: number;
  received: number;
  method: string;
  scheme: string;
  remoteAddr: string;
  ua: string;
  /** already cut at the body limit */
  body: Buffer;
  /** bytes as received */
  bodySize: number;
  /** slug URLs with ?create=1: fields of the check to create (Lubdub: schedule, tz, grace, timeout) */
  create: CheckInput | null;
  /** Lubdub extension data stored with the ping (e.g. metrics) */
  extra?: Record<string, unknown> | null;
}

/** What the receiver answers. */
export interface IngestResult {
  status: 200 | 201 | 404 | 409 | 503;
  text: 'OK' | 'Created' | 'not found' | 'ambiguous slug' | 'storage error';
  check?: string;
}

/**
 * A hook run inside the ingest transaction before the state machine (assertions, metrics).
 * `check` is the check's current state; within one batch the checks table is written once
 * per check at the end of the batch, so read the check from the argument, not the table.
 */
export type PingHook = (check: CheckRow, req: IngestRequest, ev: PingEvent, repos: Repos) => void;

/** A failed API operation with its HTTP status and healthchecks-style message. */
export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Ping log size per check (healthchecks' ping_log_limit); older pings are pruned as new ones arrive. */
export const DEFAULT_PING_LOG_LIMIT = 1000;

interface Pending {
  req: IngestRequest;
  resolve: (r: IngestResult) => void;
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

  constructor(private repos: Repos) {}

  /** The current row for a lookup, loading it on first use. */
  get(key: string, load: () => CheckRow | null): CheckRow | null {
    const id = this.keys.get(key);
    if (id === null) return null;
    if (id !== undefined) return this.rows.get(id)!;
    return this.adopt(key, load());
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

  /** Records the check's new state; written by `writeBack`. */
  set(row: CheckRow): void {
    this.rows.set(row.id, row);
    this.dirty.add(row.id);
  }

  /** Writes every changed check once and applies ping-log retention once per check. */
  writeBack(pingLogLimit: number): void {
    for (const id of this.dirty) {
      const row = this.rows.get(id)!;
      this.repos.checks.update(row);
      if (row.nPings > pingLogLimit) this.repos.pings.prune(id, row.nPings - pingLogLimit);
    }
    this.dirty.clear();
  }
}

/**
 * The monitoring core: applies pings and edits to checks in SQLite transactions and
 * tells the rest of the service (scheduler, outbox, event stream) after each commit.
 */
export class Monitor {
  private queue: Pending[] = [];
  private flushScheduled = false;
  private readonly commits: GroupCommit;
  private storageErrors = { lastLog: -Infinity, pending: 0 };
  /** Lubdub extension fields on checks: name → validator. Owners register them. */
  readonly extraRules: Record<string, (v: unknown, name: string) => string | null> = {};
  /**
   * Checks of extension fields that must run off the main thread (user regexes in a
   * worker): name → validator, run by `validateAsync` after `extraRules` passed.
   */
  readonly asyncRules: Record<string, (v: unknown, name: string) => Promise<string | null>> = {};
  readonly pingHooks: PingHook[] = [];
  /** Async steps before a ping is queued, outside any transaction (e.g. body extraction in a worker). */
  readonly beforeIngest: ((req: IngestRequest) => Promise<void> | void)[] = [];
  pingLogLimit = DEFAULT_PING_LOG_LIMIT;

  constructor(
    readonly repos: Repos,
    readonly clock: Clock,
    readonly bus: Bus,
    public urls: Urls,
    private readonly log: Log,
    /** the only writer of flips and of the reminder they arm */
    private readonly flips: FlipWriter = new FlipWriter(repos.db),
  ) {
    this.commits = new GroupCommit(repos.db, log);
  }

  readContext(): ReadContext {
    return { now: this.clock.now(), urls: this.urls };
  }

  // ---- ingestion ---------------------------------------------------------

  /**
   * Queues a ping; resolves after the transaction holding it is committed and on disk.
   * Why batches: one fsync per ping caps near 2,000/s; the pings that arrived during
   * one event-loop turn share a transaction, and each is answered only after that commit
   * has been flushed (GroupCommit: the flush runs off the JavaScript thread).
   */
  submit(req: IngestRequest): Promise<IngestResult> {
    if (this.beforeIngest.length > 0) {
      const waits = this.beforeIngest.map((f) => f(req)).filter((p): p is Promise<void> => p !== undefined);
      if (waits.length > 0) return Promise.allSettled(waits).then(() => this.enqueue(req));
    }
    return this.enqueue(req);
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
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const publics: ServiceEvent[] = [];
    const want = this.bus.listenerCount('public') > 0;
    let results: IngestResult[] = [];
    let sawFlip = false;
    let sawDeadline = false;
    const note = (r: { flip: boolean; deadline: boolean }) => {
      sawFlip ||= r.flip;
      sawDeadline ||= r.deadline;
    };
    const applyAll = (reqs: Pending[]) => {
      const rows = new BatchRows(this.repos);
      const out = reqs.map((p) => this.applyOne(p.req, want ? publics : null, note, rows));
      rows.writeBack(this.pingLogLimit);
      return out;
    };
    // Answers and events go out only once the batch is durable (see GroupCommit).
    const finish = (err: Error | null) => {
      const unsure: IngestResult = { status: 503, text: 'storage error' };
      batch.forEach((p, i) => p.resolve(err ? unsure : results[i]));
      if (sawDeadline) this.bus.emit('deadlines');
      if (sawFlip) this.bus.emit('flips');
      this.emitCoalesced(publics);
    };
    try {
      this.commits.commit(() => {
        results = applyAll(batch);
      }, finish);
      return;
    } catch {
      // One bad ping must not fail its neighbours: retry each in its own transaction.
      publics.length = 0;
      sawFlip = sawDeadline = false;
      let failed = 0;
      let lastError = '';
      results = batch.map((p) => {
        try {
          return writeTx(this.repos.db, () => applyAll([p])[0]);
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
    const now = this.clock.now();
    this.storageErrors.pending += failed;
    if (now - this.storageErrors.lastLog < 10_000) return;
    this.log.error(`storage error, ${this.storageErrors.pending} ping(s) not stored, answered 503: ${storageHint(message)}`);
    this.storageErrors = { lastLog: now, pending: 0 };
  }

  private emitCoalesced(events: ServiceEvent[]): void {
    // Many pings to one check in one batch: send its latest state once.
    const lastCheck = new Map<string, number>();
    events.forEach((e, i) => e.type === 'check' && lastCheck.set(e.data.uuid, i));
    events.forEach((e, i) => {
      if (e.type === 'check' && lastCheck.get(e.data.uuid) !== i) return;
      this.bus.emit('public', e);
    });
  }

  private resolveTarget(req: IngestRequest, rows: BatchRows): { check: CheckRow; created: boolean } | IngestResult {
    const t = req.target;
    const notFound: IngestResult = { status: 404, text: 'not found' };
    if (t.by === 'uuid') {
      const c = rows.get(`u:${t.uuid}`, () => this.repos.checks.byUuid(t.uuid));
      return c ? { check: c, created: false } : notFound;
    }
    if (t.by === 'push') {
      const c = rows.get(`p:${t.token}`, () => this.repos.checks.byPushToken(t.token));
      return c ? { check: c, created: false } : notFound;
    }
    if (t.pingKey !== this.urls.pingKey) return notFound;
    const found = this.repos.checks.bySlug(t.slug);
    if (found.length > 1) return { status: 409, text: 'ambiguous slug' };
    if (found.length === 1) return { check: rows.adopt(null, found[0])!, created: false };
    if (!req.create) return notFound;
    const check = this.insertCheck({ name: t.slug, slug: t.slug, ...req.create }, req.received);
    return { check: rows.adopt(null, check)!, created: true };
  }

  private applyOne(
    req: IngestRequest,
    publics: ServiceEvent[] | null,
    note: (r: { flip: boolean; deadline: boolean }) => void,
    rows: BatchRows,
  ): IngestResult {
    const found = this.resolveTarget(req, rows);
    if ('status' in found) return found;
    const { check, created } = found;
    const kind = classify(
      { action: req.action, method: req.method, bodyText: check.filterHttpBody ? bodyText(req.body) : '', explicit: req.explicit },
      check,
      check.status,
    );
    const ev: PingEvent = { kind, at: req.at, rid: req.rid, received: req.received };
    if ((kind === 'success' || kind === 'fail') && req.rid !== null && check.lastStartRid !== req.rid) {
      ev.runStart = this.repos.pings.startTimeByRid(check.id, req.rid, req.at);
    }
    for (const hook of this.pingHooks) hook(check, req, ev, this.repos);
    const out = applyPing(check, ev);
    const next: CheckRow = { ...check, ...out.next };
    timeRow(next, this.clock.now());
    let flipId: number | null = null;
    if (out.flip) {
      setDownReason(next, out.flip.newStatus === 'down' ? downReasonOf(req, ev) : null);
      flipId = this.flips.ping(next, out.flip);
    } else if (out.applied && ev.kind === 'fail' && next.status === 'down') {
      // Already down: the newest failure says best why (a failed assertion after a timeout).
      setDownReason(next, downReasonOf(req, ev));
    }
    rows.set(next);
    const ping: NewPing = {
      checkId: check.id,
      n: next.nPings,
      created: req.at,
      received: req.received,
      // a hook may have turned a success into a failure (assertions): store what counted
      kind: ev.kind,
      scheme: req.scheme,
      method: req.method,
      remoteAddr: req.remoteAddr,
      ua: req.ua.slice(0, 200),
      body: req.body.length ? req.body : null,
      bodySize: req.bodySize,
      exitStatus: req.exitStatus,
      rid: req.rid,
      duration: out.duration,
      extra: req.extra ?? null,
    };
    const pingId = this.repos.pings.insert(ping);
    note({ flip: out.flip !== null, deadline: next.alertAfter !== check.alertAfter || next.statusAt !== check.statusAt || next.status !== check.status });
    if (publics) {
      const ctx = this.readContext();
      publics.push({ type: 'ping', data: { check: check.uuid, ping: pingJson({ ...ping, id: pingId }, check.uuid, this.urls) } });
      if (out.flip && flipId !== null) {
        publics.push({ type: 'flip', data: { check: check.uuid, name: check.name, flip: flipJson({ ...out.flip, id: flipId, checkId: check.id, processed: null }) } });
      }
      publics.push({ type: 'check', data: checkJson(next, ctx) });
    }
    return created ? { status: 201, text: 'Created', check: check.uuid } : { status: 200, text: 'OK', check: check.uuid };
  }

  // ---- checks ------------------------------------------------------------

  /** Validates a create/update body; throws ApiError 400 with healthchecks' message. */
  validate(input: unknown): CheckInput {
    const err = checkInputError(input, this.extraRules);
    if (err) throw new ApiError(400, `json validation error: ${err}`);
    return input as CheckInput;
  }

  /**
   * Validates a create/update body including the asynchronous rules; throws ApiError 400.
   * Call before `create`/`update`, outside any transaction.
   */
  async validateAsync(input: unknown): Promise<void> {
    const valid = this.validate(input);
    for (const [k, rule] of Object.entries(this.asyncRules)) {
      if (valid[k] === undefined) continue;
      const err = await rule(valid[k], k);
      if (err) throw new ApiError(400, `json validation error: ${err}`);
    }
  }

  private insertCheck(input: CheckInput, now: number): CheckRow {
    const row = newCheckRow(crypto.randomUUID(), now, {
      channels: input.channels === undefined ? (this.defaultChannels?.() ?? '') : '',
    });
    if (input.slug === undefined && input.name) row.slug = slugify(input.name);
    const inserted = this.repos.checks.insert(row);
    const withInput = this.applyInput(inserted, input);
    this.repos.checks.update(withInput);
    return withInput;
  }

  /** Copies validated input fields onto a row (no I/O except the channel/push-token checks). */
  private applyInput(c: CheckRow, input: CheckInput): CheckRow {
    const next: CheckRow = { ...c, extra: { ...c.extra } };
    if (input.name !== undefined) next.name = input.name;
    if (input.slug !== undefined) next.slug = input.slug;
    if (input.tags !== undefined) next.tags = input.tags.split(' ').filter(Boolean).join(' ');
    if (input.desc !== undefined) next.desc = input.desc;
    if (input.grace !== undefined) next.grace = Math.round(input.grace);
    if (input.timeout !== undefined) {
      next.timeout = Math.round(input.timeout);
      if (input.schedule === undefined) next.kind = 'simple';
    }
    if (input.schedule !== undefined) {
      next.schedule = input.schedule.trim().split(/\s+/).join(' ');
      next.kind = 'cron';
    }
    if (input.tz !== undefined) next.tz = input.tz;
    if (input.manual_resume !== undefined) next.manualResume = input.manual_resume;
    if (input.methods !== undefined) next.methods = input.methods;
    if (input.success_kw !== undefined) next.successKw = input.success_kw;
    if (input.failure_kw !== undefined) next.failureKw = input.failure_kw;
    if (input.start_kw !== undefined) next.startKw = input.start_kw;
    if (input.filter_http_body !== undefined) next.filterHttpBody = input.filter_http_body;
    if (input.filter_default_fail !== undefined) next.filterDefaultFail = input.filter_default_fail;
    if (input.push_token !== undefined) {
      const other = input.push_token === null ? null : this.repos.checks.byPushToken(input.push_token);
      if (other && other.id !== c.id) throw new ApiError(400, 'json validation error: push_token is already in use');
      next.pushToken = input.push_token;
    }
    if (input.channels !== undefined) next.channels = this.resolveChannels(input.channels);
    for (const k of Object.keys(this.extraRules)) if (input[k] !== undefined) next.extra[k] = input[k];
    timeRow(next, this.clock.now());
    return next;
  }

  /** Channels of a check created without a `channels` field (the alerts module sets it). */
  defaultChannels: (() => string) | undefined;

  /** Channel resolution; the alerts module replaces it with one that knows channels. */
  resolveChannels: (spec: string) => string = (spec) => {
    if (spec === '' ) return '';
    throw new ApiError(400, `invalid channel identifier: ${spec.split(',')[0]}`);
  };

  private publishCheck(c: CheckRow): void {
    this.bus.emit('public', { type: 'check', data: checkJson(c, this.readContext()) });
  }

  /** Lists checks, optionally filtered by tags (all must match) and slug. */
  list(filter: { tags?: string[]; slug?: string } = {}): CheckRow[] {
    return [...this.pages(filter)].flat();
  }

  /**
   * The same checks a page at a time, each page read when asked for. Why: with 10,000
   * checks, building every row and its JSON at once costs tens of MB of heap for a moment
   * and leaves the process that much bigger; a page at a time keeps it to a few hundred.
   * Each page is one complete query, so other statements may run between pages.
   */
  *pages(filter: { tags?: string[]; slug?: string } = {}, size = 500): Generator<CheckRow[]> {
    const keep = (c: CheckRow) => {
      if (filter.slug !== undefined && c.slug !== filter.slug) return false;
      if (filter.tags?.length) {
        const have = new Set(c.tags.split(' '));
        if (!filter.tags.every((t) => have.has(t))) return false;
      }
      return true;
    };
    for (let after = 0; ; ) {
      const page = this.repos.checks.page(after, size);
      if (page.length === 0) return;
      after = page[page.length - 1].id;
      yield page.filter(keep);
    }
  }

  get(uuid: string): CheckRow {
    const c = this.repos.checks.byUuid(uuid);
    if (!c) throw new ApiError(404, 'not found');
    return c;
  }

  /** POST /api/v3/checks/: create, or update the check matching `unique` fields. */
  create(body: unknown): { check: CheckRow; created: boolean } {
    const input = this.validate(body);
    const result = writeTx(this.repos.db, () => {
      if (input.unique?.length) {
        const match = this.repos.checks.all().find((c) =>
          input.unique!.every((f) => {
            const want = input[f];
            const have = (c as unknown as Record<string, unknown>)[f];
            return want === undefined || want === have;
          }),
        );
        if (match) {
          const next = this.applyInput(match, input);
          this.repos.checks.update(next);
          this.flips.edited(next);
          return { check: next, created: false };
        }
      }
      return { check: this.insertCheck(input, this.clock.now()), created: true };
    });
    this.afterEdit(result.check);
    return result;
  }

  /** POST /api/v3/checks/<uuid>: partial update. */
  update(uuid: string, body: unknown): CheckRow {
    const input = this.validate(body);
    const next = writeTx(this.repos.db, () => {
      const next = this.applyInput(this.get(uuid), input);
      this.repos.checks.update(next);
      this.flips.edited(next);
      return next;
    });
    this.afterEdit(next);
    return next;
  }

  delete(uuid: string): CheckRow {
    const c = writeTx(this.repos.db, () => {
      const c = this.get(uuid);
      this.repos.checks.delete(c.id);
      return c;
    });
    this.bus.emit('deadlines');
    this.bus.emit('public', { type: 'check-deleted', data: { uuid } });
    return c;
  }

  pause(uuid: string): CheckRow {
    const next = writeTx(this.repos.db, () => {
      const c = this.get(uuid);
      const out = pause(c, this.clock.now());
      const next: CheckRow = { ...c, ...out.next, downReason: '', downReasonCode: '' };
      timeRow(next, this.clock.now());
      // Pause/resume flips are history only: they are never delivered as alerts.
      if (out.flip) this.flips.history(next, out.flip, this.clock.now());
      this.repos.checks.update(next);
      return next;
    });
    this.afterEdit(next);
    return next;
  }

  resume(uuid: string): CheckRow {
    const next = writeTx(this.repos.db, () => {
      const c = this.get(uuid);
      if (c.status !== 'paused') throw new ApiError(409, 'check is not paused');
      const out = resume(c, this.clock.now());
      const next: CheckRow = { ...c, ...out.next, downReason: '', downReasonCode: '' };
      timeRow(next, this.clock.now());
      this.flips.history(next, out.flip, this.clock.now());
      this.repos.checks.update(next);
      return next;
    });
    this.afterEdit(next);
    return next;
  }

  private afterEdit(c: CheckRow): void {
    this.bus.emit('deadlines');
    this.publishCheck(c);
  }
}

/** Sets the row's deadline and the instant its shown status next changes, both from shared/domain. */
function timeRow(c: CheckRow, now: number): void {
  c.alertAfter = alertAfter(c);
  c.statusAt = nextStatusChange(c, now);
}

/** Why a ping turned the check down (code and words, from shared/domain/reasons). */
function downReasonOf(req: IngestRequest, ev: PingEvent): DownReason {
  return pingDownReason({ failReason: ev.failReason, failText: ev.failText, exitStatus: req.exitStatus, action: req.action });
}

function setDownReason(row: CheckRow, r: DownReason | null): void {
  row.downReason = r?.text ?? '';
  row.downReasonCode = r?.code ?? '';
}
