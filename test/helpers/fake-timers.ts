import type { ManualClock } from '../../shared/domain/clock.js';
import type { TimerApi } from '../../electron/service/core/scheduler.js';

/**
 * Fake timers over a ManualClock. Timers run on their own monotonic time, as Node's do, so
 * `sleep()` can move the wall clock (suspend, clock jump) without firing anything.
 */
export class FakeTimers implements TimerApi {
  private mono = 0;
  private seq = 0;
  private pending = new Map<number, { at: number; fn: () => void }>();
  /** every delay asked for, in order */
  readonly delays: number[] = [];
  /** the most timers ever pending at once */
  maxPending = 0;

  constructor(readonly clock: ManualClock) {}

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.mono + ms, fn });
    this.delays.push(ms);
    this.maxPending = Math.max(this.maxPending, this.pending.size);
    return id;
  }

  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }

  /** Timers pending now. */
  get count(): number {
    return this.pending.size;
  }

  /** Wall time the next timer fires (if the clock moves with it). */
  nextAt(): number | null {
    let best: number | null = null;
    for (const t of this.pending.values()) if (best === null || t.at < best) best = t.at;
    return best === null ? null : this.clock.now() + (best - this.mono);
  }

  /** Moves wall clock and timers together, firing each due timer at its exact time, in order. */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.pending) if (e[1].at <= end && (next === null || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.pending.delete(next[0]);
      this.clock.advance(next[1].at - this.mono);
      this.mono = next[1].at;
      next[1].fn();
    }
    this.clock.advance(end - this.mono);
    this.mono = end;
  }

  /** Advances to a wall time. */
  advanceTo(wall: number | string): void {
    const t = typeof wall === 'number' ? wall : Date.parse(wall);
    this.advance(t - this.clock.now());
  }

  /** The machine sleeps (or the clock jumps): wall time moves, timers do not. */
  sleep(ms: number): void {
    this.clock.advance(ms);
  }
}
