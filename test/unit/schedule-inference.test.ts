import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/domain/clock.js';
import { cronError, nextExpected } from '../../shared/domain/schedule.js';
import { inferSchedule } from '../../shared/domain/schedule-inference.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * A synthetic history: the clock starts at `start`, each step advances it by the period
 * plus that run's jitter, and a run is recorded unless its index is in `skip`.
 */
function history(start: string, period: number, jitters: number[], skip: number[] = []): number[] {
  const clock = new ManualClock(Date.parse(start));
  const out: number[] = [];
  jitters.forEach((j, i) => {
    if (!skip.includes(i)) out.push(clock.now() + j);
    clock.advance(period);
  });
  return out;
}

/** Runs at a local wall-clock time on consecutive days, read with Intl (DST moves the UTC instant). */
function dailyAt(firstUtc: string, days: number, jitterMin: number[]): number[] {
  const clock = new ManualClock(Date.parse(firstUtc));
  const out: number[] = [];
  for (let i = 0; i < days; i++) {
    out.push(clock.now() + (jitterMin[i % jitterMin.length] ?? 0) * MIN);
    clock.advance(DAY);
  }
  return out;
}

describe('inferSchedule', () => {
  const table = [
    {
      name: 'every 5 min with ±20 s jitter → every 5 min',
      runs: history('2024-05-01T10:00:00Z', 5 * MIN, [0, 12e3, -8e3, 20e3, -15e3, 3e3, 18e3, -20e3]),
      want: { kind: 'simple', timeout: 300, text: 'every 5 min' },
    },
    {
      name: 'hourly with one missed run → every 1 h',
      runs: history('2024-05-01T00:00:00Z', HOUR, [0, 5e3, 2e3, 0, 9e3, 1e3, 4e3], [3]),
      want: { kind: 'simple', timeout: 3600, text: 'every 1 h' },
    },
    {
      name: 'daily at 03:02 Europe/Berlin across the spring DST night 2024-03-31 → cron in Berlin',
      // 03:02 CET = 02:02 UTC; from 2024-03-31 03:02 CEST = 01:02 UTC
      runs: [
        ...dailyAt('2024-03-28T02:02:00Z', 3, [0, 4, -2]),
        ...dailyAt('2024-03-31T01:02:00Z', 3, [6, 0, 1]),
      ],
      zones: ['UTC', 'Europe/Berlin'],
      want: { kind: 'cron', schedule: '0 3 * * *', tz: 'Europe/Berlin', text: 'daily at ~03:03 (Europe/Berlin), ± 4 min' },
    },
    {
      name: 'weekly on Mondays at 04:17 → cron on day 1',
      runs: history('2024-01-01T04:17:00Z', 7 * DAY, [0, MIN, 0, 30e3]),
      want: { kind: 'cron', schedule: '17 4 * * 1', tz: 'UTC', text: 'weekly on Mondays at ~04:17 (UTC), ± 1 min' },
    },
    {
      name: 'daily with three runs is enough',
      runs: history('2024-06-01T23:10:00Z', DAY, [0, 0, 0]),
      want: { kind: 'cron', schedule: '10 23 * * *', tz: 'UTC', text: 'daily at ~23:10 (UTC)' },
    },
    {
      name: 'daily with one missed run among three',
      runs: history('2024-06-01T06:00:00Z', DAY, [0, 0, 0, 0], [1]),
      want: { kind: 'cron', schedule: '0 6 * * *' },
    },
  ];

  it.each(table)('$name', ({ runs, zones, want }) => {
    const s = inferSchedule(runs, zones ?? ['UTC']);
    expect(s).toMatchObject(want);
    expect(s!.runs).toBe(runs.length);
    if (s!.schedule) expect(cronError(s!.schedule)).toBeNull();
  });

  it.each([
    { name: 'irregular gaps → none', runs: history('2024-05-01T00:00:00Z', 0, [0, 7 * MIN, 9 * MIN, 31 * MIN, 33 * MIN, 80 * MIN, 95 * MIN]) },
    { name: 'four runs every 5 min → too few', runs: history('2024-05-01T00:00:00Z', 5 * MIN, [0, 0, 0, 0]) },
    { name: 'two daily runs → too few', runs: history('2024-05-01T00:00:00Z', DAY, [0, 0]) },
    { name: 'hourly with two missed runs → none', runs: history('2024-05-01T00:00:00Z', HOUR, [0, 0, 0, 0, 0, 0, 0, 0], [2, 5]) },
    { name: 'daily at wandering times → none', runs: history('2024-05-01T00:00:00Z', DAY, [0, 3 * HOUR, 7 * HOUR, HOUR]) },
    { name: 'weekly on changing weekdays → none', runs: [Date.parse('2024-01-01T04:00:00Z'), Date.parse('2024-01-08T04:00:00Z'), Date.parse('2024-01-16T04:00:00Z'), Date.parse('2024-01-22T04:00:00Z')] },
  ])('$name', ({ runs }) => {
    expect(inferSchedule(runs, ['UTC'])).toBeNull();
  });

  it('the proposed daily schedule expects the next run after the last one, within grace (Europe/Berlin autumn 2024-10-27)', () => {
    // 02:30 local on 10-25 (CEST, 00:30 UTC), 10-26, then 10-27 after the clocks went back (CET, 01:30 UTC)
    const runs = [Date.parse('2024-10-25T00:30:00Z'), Date.parse('2024-10-26T00:31:00Z'), Date.parse('2024-10-27T01:30:30Z')];
    const s = inferSchedule(runs, ['Europe/Berlin'])!;
    expect(s).toMatchObject({ kind: 'cron', schedule: '30 2 * * *', tz: 'Europe/Berlin' });
    const next = nextExpected({ kind: 'cron', timeout: 0, schedule: s.schedule!, tz: s.tz! }, runs[2]);
    expect(new Date(next!).toISOString()).toBe('2024-10-28T01:30:00.000Z');
    expect(s.grace).toBeGreaterThanOrEqual(60);
  });

  it('prefers the zone where the runs keep one time of day', () => {
    // a job on a UTC timer, seen from Berlin across the spring change
    const runs = history('2024-03-28T02:00:00Z', DAY, [0, 0, 0, 0, 0, 0]);
    expect(inferSchedule(runs, ['Europe/Berlin', 'UTC'])).toMatchObject({ tz: 'UTC', schedule: '0 2 * * *' });
  });
});
