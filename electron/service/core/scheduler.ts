import type { Clock } from '../../../shared/domain/clock.js';
import type { Log } from '../log.js';

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

/** Why the scheduler found an interval it did not watch. */
export type LateCause = 'timer-late' | 'power-resume';

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
  private lastSeen: number;
  private running = false;
  private stopped = true;

  /**
   * `onLate` is called with the interval nobody watched when a timer fires late (or a
   * resume finds it), before any source runs.
   */
  constructor(
    private clock: Clock,
    private timer: TimerApi,
    private log: Log,
    private onLate: ((from: number, to: number, cause: LateCause) => void) | null = null,
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

  /** Lubdub was watching until `now` (before a suspend): a gap found later starts here. */
  markSeen(now: number): void {
    this.lastSeen = now;
  }

  /** A source's next wake may have changed (a ping, an edit, a new retry): re-query and re-arm. */
  poke(name: string): void {
    const s = this.sources.find((x) => x.name === name);
    if (!s) return;
    this.nextBy.set(name, s.next());
    if (!this.running && !this.stopped) this.arm();
  }

  /**
   * A source has work that may fall due as early as `t` (e.g. a ping set a deadline): wake by
   * then, without re-querying. Why: a ping batch seldom moves the earliest wake, and a re-query
   * per batch costs more than the rare wake that then finds nothing due and re-reads the source.
   */
  lower(name: string, t: number | null): void {
    if (t === null) return;
    const known = this.nextBy.get(name);
    if (known === undefined || (known !== null && known <= t)) return;
    this.nextBy.set(name, t);
    if (!this.running && !this.stopped) this.arm();
  }

  /** The earliest next wake over all sources (for tests and the API). */
  nextWake(): number | null {
    let t: number | null = null;
    for (const v of this.nextBy.values()) if (v !== null && (t === null || v < t)) t = v;
    return t;
  }

  /** Runs one turn now (timer callback; also called on a power "resume"). */
  tick(cause: LateCause = 'timer-late'): void {
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
