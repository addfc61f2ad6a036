/** A source of the current time in epoch milliseconds. The domain never calls Date.now(). */
export interface Clock {
  now(): number;
}

/** A clock that only moves when told to: for tests and replays. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number | string | Date): void {
    this.t = typeof t === 'number' ? t : new Date(t).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
