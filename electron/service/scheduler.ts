import { alertAfter, applyDeadline, nextStatusChange } from '../../shared/domain/check-state.js';
import type { Clock } from '../../shared/domain/clock.js';
import { deadlineDownReason } from '../../shared/domain/reasons.js';
import type { AlertStore } from './alerts/store.js';
import { writeTx } from './db/open.js';
import type { CheckRow, FlipRow, Repos } from './db/repos.js';
import type { Bus } from './events.js';
import type { Log } from './log.js';
import { checkJson, flipJson, type ReadContext } from './serialize.js';

/** The timer functions the scheduler uses; tests pass fake ones. */
export interface TimerApi {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers. Why unref: the HTTP listeners keep the process alive, not the scheduler. */
export const systemTimer: TimerApi = {
  setTimeout: (fn, ms) => {
    const h = setTimeout(fn, ms);
    h.unref();
    return h;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Longest delay setTimeout takes (2^31-1 ms, 24.8 days); longer waits re-arm in steps. */
export const MAX_TIMER_STEP = 2 ** 31 - 1;
/** A timer firing this much later than asked means Lubdub was not running (suspend, clock jump). */
export const LATE_MS = 10_000;

/** A kind of timed work: its next wake (epoch ms, from an indexed query) and the work itself. */
export interface WakeSource {
  name: string;
  /** when this source next needs to run, or null */
  next(): number | null;
  /** does what is due at `now` (a source may leave more for the next turn) */
  run(now: number): void;
}

/**
 * One timer for all timed work (deadlines, status changes, reminders, retries, holds, the alive beat).
 * Algorithm of one turn (`tick`):
 * 1. read the wall clock; if the timer fired more than LATE_MS after the time it was armed
 *    for, the process was suspended or the clock jumped: report the gap (`onLate`) first, so
 *    the deadlines that passed unseen are held before anything flips;
 * 2. run every source whose next wake is due, in registration order;
 * 3. arm one timer on the earliest next wake of all sources, at most MAX_TIMER_STEP ahead.
 * Sources report changed wakes through `poke(name)`, which only re-queries that source.
 */
export class Scheduler {
  private sources: WakeSource[] = [];
  private nextBy = new Map<string, number | null>();
  private handle: unknown = null;
  /** the wall time the armed timer is meant to fire */
  private armedFor: number | null = null;
  /** the last wall time the scheduler ran: the start of any gap it later notices */
  lastSeen: number;
  private running = false;
  private stopped = true;
  /** called with the interval nobody watched when a timer fires late (or a resume finds it) */
  onLate: ((from: number, to: number, cause: 'timer-late' | 'power-resume') => void) | null = null;

  constructor(
    private clock: Clock,
    private timer: TimerApi,
    private log: Log,
  ) {
    this.lastSeen = clock.now();
  }

  /** Adds a source (before `start`). */
  add(source: WakeSource): void {
    this.sources.push(source);
    this.nextBy.set(source.name, null);
  }

  /** Reads every source's next wake and runs what is already due. */
  start(): void {
    this.stopped = false;
    this.lastSeen = this.clock.now();
    for (const s of this.sources) this.nextBy.set(s.name, s.next());
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== null) this.timer.clearTimeout(this.handle);
    this.handle = null;
    this.armedFor = null;
  }

  /** A source's next wake may have changed (a ping, an edit, a new retry): re-query and re-arm. */
  poke(name: string): void {
    const s = this.sources.find((x) => x.name === name);
    if (!s) return;
    this.nextBy.set(name, s.next());
    if (!this.running && !this.stopped) this.arm();
  }

  /** The earliest next wake over all sources (for tests and the API). */
  nextWake(): number | null {
    let t: number | null = null;
    for (const v of this.nextBy.values()) if (v !== null && (t === null || v < t)) t = v;
    return t;
  }

  /** Runs one turn now (timer callback; also called on a power "resume"). */
  tick(cause: 'timer-late' | 'power-resume' = 'timer-late'): void {
    if (this.stopped || this.running) return;
    this.running = true;
    try {
      const now = this.clock.now();
      // 1. a late timer: the interval since we last ran was not watched
      if (this.armedFor !== null && now - this.armedFor > LATE_MS && this.onLate) {
        this.onLate(this.lastSeen, now, cause);
      }
      this.lastSeen = now;
      // 2. due work, source by source; a source that still has due work gets a few more turns
      for (const s of this.sources) {
        for (let i = 0; i < 20; i++) {
          const t = this.nextBy.get(s.name);
          if (t === null || t === undefined || t > now) break;
          try {
            s.run(now);
          } catch (e) {
            this.log.error({ err: e }, `scheduler ${s.name}: ${(e as Error).message ?? e}`);
          }
          this.nextBy.set(s.name, s.next());
        }
      }
    } finally {
      this.running = false;
    }
    // 3. one timer on the earliest wake
    if (!this.stopped) this.arm();
  }

  private arm(): void {
    if (this.handle !== null) this.timer.clearTimeout(this.handle);
    this.handle = null;
    this.armedFor = null;
    const t = this.nextWake();
    if (t === null) return;
    const now = this.clock.now();
    const delay = Math.min(Math.max(0, t - now), MAX_TIMER_STEP);
    this.armedFor = now + delay;
    this.handle = this.timer.setTimeout(() => {
      this.handle = null;
      this.tick();
    }, delay);
  }
}

/** What the deadline source needs. */
export interface DeadlineDeps {
  repos: Repos;
  store: AlertStore;
  bus: Bus;
  readContext: () => ReadContext;
}

/** How many due checks one transaction flips; more wait for the next turn (same tick). */
const DEADLINE_BATCH = 500;

/**
 * The deadline source: the earliest `alert_after` of checks not down and not held
 * (one indexed query), and the step that flips overdue checks down.
 * Each flip is a compare-and-swap on (status, alert_after) plus its flip row, in one
 * BEGIN IMMEDIATE transaction, so a ping that moved the deadline meanwhile wins.
 */
export function deadlineSource(deps: DeadlineDeps): WakeSource {
  const { repos, store, bus } = deps;
  return {
    name: 'deadlines',
    next: () => store.earliestDeadline(),
    run: (now) => {
      const flipped: { check: CheckRow; flip: Omit<FlipRow, 'checkId' | 'processed'> }[] = [];
      writeTx(repos.db, () => {
        for (const id of store.dueDeadlines(now, DEADLINE_BATCH)) {
          const c = repos.checks.byId(id);
          if (!c || c.alertAfter === null) continue;
          const out = applyDeadline(c, now);
          if (!out) {
            // Not down by the clock after all (e.g. a stale alert_after): store the true one,
            // and never leave a past deadline behind, which would spin the timer.
            const t = alertAfter(c);
            store.setAlertAfter(c.id, t !== null && t > now ? t : null);
            continue;
          }
          const reason = deadlineDownReason(c, out.flip.reason, now);
          const statusAt = nextStatusChange(out.next, now);
          if (!store.casDown(c.id, c.status, c.alertAfter, reason, statusAt)) continue;
          const flipId = store.insertFlip(c.id, out.flip.at, out.flip.oldStatus, 'down', out.flip.reason, null);
          flipped.push({
            check: { ...c, ...out.next, alertAfter: null, statusAt, downReason: reason.text, downReasonCode: reason.code },
            flip: { ...out.flip, id: flipId },
          });
        }
      });
      if (flipped.length === 0) return;
      // The flipped rows' next status change moved (a run still open may exceed its grace).
      bus.emit('deadlines');
      bus.emit('flips');
      const ctx = deps.readContext();
      for (const f of flipped) publishFlip(bus, f.check, f.flip, ctx);
    },
  };
}

/** What the status-change source needs. */
export interface StatusChangeDeps {
  repos: Repos;
  bus: Bus;
  readContext: () => ReadContext;
}

/** How many announcements one turn makes; more wait for the next turn (same tick). */
const STATUS_BATCH = 500;

/**
 * The status-change source: the earliest `status_at` of all checks (one indexed query),
 * and the step that announces each check whose shown status changed by the clock alone
 * (up → grace, grace → down before the deadline source has flipped it, a run exceeding its
 * grace on a check already down, a check found held after a gap). Each due check is sent
 * as a `check` event and its `status_at` moves to its next change (`nextStatusChange`).
 * Registered after the deadline source: a flip at the same instant clears `status_at`
 * first and is announced once, by the flip.
 */
export function statusChangeSource(deps: StatusChangeDeps): WakeSource {
  const { repos, bus } = deps;
  return {
    name: 'status-changes',
    next: () => repos.checks.earliestStatusAt(),
    run: (now) => {
      const changed = writeTx(repos.db, () =>
        repos.checks.dueStatusAt(now, STATUS_BATCH).map((c) => {
          const statusAt = nextStatusChange(c, now);
          repos.checks.setStatusAt(c.id, statusAt);
          return { ...c, statusAt };
        }),
      );
      if (changed.length === 0) return;
      const ctx = deps.readContext();
      for (const c of changed) bus.emit('public', { type: 'check', data: checkJson(c, ctx) });
    },
  };
}

/**
 * Fills `status_at` of rows written before the column existed (or by an older build), so
 * their next status change is announced too. Rows that change by the clock only.
 */
export function fillStatusAt(repos: Repos, now: number): number {
  return writeTx(repos.db, () => {
    let n = 0;
    for (const c of repos.checks.missingStatusAt()) {
      const t = nextStatusChange(c, now);
      if (t === null) continue;
      repos.checks.setStatusAt(c.id, t);
      n++;
    }
    return n;
  });
}

/** Tells the event stream about a flip written outside the ingest path. */
export function publishFlip(bus: Bus, c: CheckRow, flip: Omit<FlipRow, 'checkId' | 'processed'>, ctx: ReadContext): void {
  bus.emit('public', { type: 'flip', data: { check: c.uuid, name: c.name, flip: flipJson({ ...flip, checkId: c.id, processed: null }) } });
  bus.emit('public', { type: 'check', data: checkJson(c, ctx) });
}
