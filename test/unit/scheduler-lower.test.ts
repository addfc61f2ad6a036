import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../electron/service/core/scheduler.js';
import { ManualClock } from '../../shared/domain/clock.js';
import { FakeTimers } from '../helpers/fake-timers.js';

/** A source over a list of due times, counting how often the scheduler queries it. */
function listSource(times: number[]) {
  const s = {
    queries: 0,
    ran: [] as number[],
    source: {
      name: 'list',
      next: () => {
        s.queries++;
        return times.length ? Math.min(...times) : null;
      },
      run: (now: number) => {
        for (const t of times.filter((x) => x <= now)) {
          s.ran.push(t);
          times.splice(times.indexOf(t), 1);
        }
      },
    },
  };
  return s;
}

describe('Scheduler.lower (a ping batch hands over the times it set)', () => {
  it('an earlier time re-arms the timer without a query; a later one changes nothing', () => {
    const clock = new ManualClock(1_000_000);
    const timers = new FakeTimers(clock);
    const times = [1_060_000];
    const src = listSource(times);
    const s = new Scheduler(clock, timers, pino({ level: 'silent' }));
    s.add(src.source);
    s.start();
    const queried = src.queries;
    expect(timers.nextAt()).toBe(1_060_000);

    times.push(1_030_000);
    s.lower('list', 1_030_000);
    expect(timers.nextAt()).toBe(1_030_000);
    s.lower('list', 1_090_000);
    s.lower('list', null);
    s.lower('unknown', 1_000_001);
    expect(timers.nextAt()).toBe(1_030_000);
    expect(src.queries).toBe(queried);

    timers.advance(30_000);
    expect(src.ran).toEqual([1_030_000]);
    expect(timers.nextAt()).toBe(1_060_000);
  });

  it('a time that moved later is found at the old wake: nothing runs, the source is re-read', () => {
    const clock = new ManualClock(1_000_000);
    const timers = new FakeTimers(clock);
    const times = [1_010_000];
    const src = listSource(times);
    const s = new Scheduler(clock, timers, pino({ level: 'silent' }));
    s.add(src.source);
    s.start();
    // a ping moved the only deadline later and lowered nothing: the armed wake is stale-early
    times[0] = 1_050_000;
    s.lower('list', 1_050_000);
    expect(timers.nextAt()).toBe(1_010_000);
    timers.advance(10_000);
    expect(src.ran).toEqual([]);
    expect(timers.nextAt()).toBe(1_050_000);
    timers.advance(40_000);
    expect(src.ran).toEqual([1_050_000]);
  });
});
