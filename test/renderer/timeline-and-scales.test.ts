import { describe, expect, it } from 'vitest';
import type { FlipJson } from '../../shared/api/types.js';
import { valueLabel, valueTicks } from '../../shared/console/chart-scale.js';
import { timelineBands, timeTicks, type BandStatus } from '../../shared/console/timeline.js';
import type { FlipReason } from '../../shared/domain/types.js';
import { checkJson } from './fixtures.js';

const T0 = Date.parse('2024-03-05T00:00:00Z');
const MIN = 60_000;
const H = 60 * MIN;
const at = (ms: number) => new Date(T0 + ms).toISOString();
const flip = (ms: number, old_status: string, new_status: string, reason: FlipReason = ''): FlipJson => ({
  timestamp: at(ms),
  up: new_status === 'up' ? 1 : 0,
  old_status,
  new_status,
  reason,
});
const ok = (ms: number) => ({ date: at(ms), type: 'success' as const });
/** Bands as [from, to, status] with times in minutes after T0, for short tables. */
const inMinutes = (bands: { from: number; to: number; status: BandStatus }[]) => bands.map((b) => [(b.from - T0) / MIN, (b.to - T0) / MIN, b.status]);

// Every hour, 10 min of grace.
const hourly = checkJson({ timeout: 3600, grace: 600, status: 'up', created: at(-10 * 24 * H) });

describe('timeline bands from flips and pings', () => {
  const cases: { name: string; check?: Partial<Parameters<typeof checkJson>[0]>; flips: FlipJson[]; pings: { date: string; type: 'success' | 'fail' | 'start' }[]; range: [number, number]; want: unknown[] }[] = [
    {
      name: 'up all along: one band',
      flips: [flip(-5 * H, 'new', 'up')],
      pings: [ok(-5 * H), ok(0), ok(H), ok(2 * H)],
      range: [0, 150 * MIN],
      want: [[0, 150, 'up']],
    },
    {
      name: 'a ping 5 min past its deadline: late in between, no flip',
      flips: [flip(-5 * H, 'new', 'up')],
      pings: [ok(0), ok(65 * MIN)],
      range: [0, 120 * MIN],
      want: [
        [0, 60, 'up'],
        [60, 65, 'grace'],
        [65, 120, 'up'],
      ],
    },
    {
      name: 'no ping: late for the grace, then down at the flip',
      flips: [flip(-5 * H, 'new', 'up'), flip(70 * MIN, 'up', 'down', 'timeout')],
      pings: [ok(0)],
      range: [0, 120 * MIN],
      want: [
        [0, 60, 'up'],
        [60, 70, 'grace'],
        [70, 120, 'down'],
      ],
    },
    {
      name: 'a failure turns it down at once, the next success up',
      flips: [flip(-5 * H, 'new', 'up'), flip(30 * MIN, 'up', 'down', 'fail'), flip(50 * MIN, 'down', 'up')],
      pings: [ok(0), { date: at(30 * MIN), type: 'fail' }, ok(50 * MIN)],
      range: [0, 90 * MIN],
      want: [
        [0, 30, 'up'],
        [30, 50, 'down'],
        [50, 90, 'up'],
      ],
    },
    {
      name: 'paused, then resumed (new until its first ping)',
      flips: [flip(-5 * H, 'new', 'up'), flip(20 * MIN, 'up', 'paused'), flip(40 * MIN, 'paused', 'new'), flip(45 * MIN, 'new', 'up')],
      pings: [ok(0), ok(45 * MIN)],
      range: [0, 60 * MIN],
      want: [
        [0, 20, 'up'],
        [20, 40, 'paused'],
        [40, 45, 'new'],
        [45, 60, 'up'],
      ],
    },
    {
      name: 'missed while Lubdub was offline: unobserved, not down',
      flips: [flip(-5 * H, 'new', 'up'), flip(90 * MIN, 'up', 'down', 'missed while Lubdub was offline')],
      pings: [ok(0)],
      range: [0, 120 * MIN],
      want: [
        [0, 60, 'up'],
        [60, 70, 'grace'],
        [70, 120, 'offline'],
      ],
    },
    {
      name: 'held in grace now because Lubdub was not watching',
      check: { monitor_offline: true, status: 'grace' },
      flips: [flip(-5 * H, 'new', 'up')],
      pings: [ok(0)],
      range: [0, 120 * MIN],
      want: [
        [0, 60, 'up'],
        [60, 70, 'grace'],
        [70, 120, 'offline'],
      ],
    },
    {
      name: 'the stretch began before the range: its last ping still sets the deadline',
      flips: [flip(-5 * H, 'new', 'up')],
      pings: [ok(-30 * MIN)],
      range: [0, 60 * MIN],
      want: [
        [0, 30, 'up'],
        [30, 40, 'grace'],
        [40, 60, 'down'],
      ],
    },
    {
      name: 'created inside the range: nothing before it',
      check: { created: at(30 * MIN), status: 'new' },
      flips: [],
      pings: [],
      range: [0, 60 * MIN],
      want: [[30, 60, 'new']],
    },
    {
      name: 'created after the range: no band',
      check: { created: at(2 * H), status: 'new' },
      flips: [],
      pings: [],
      range: [0, 60 * MIN],
      want: [],
    },
    {
      name: 'a cron check is late from its missed run (03:00 UTC), down an hour later',
      check: { kind: 'cron', schedule: '0 3 * * *', tz: 'UTC', grace: 3600 },
      flips: [flip(-5 * H, 'new', 'up'), flip(28 * H, 'up', 'down', 'timeout')],
      pings: [ok(3 * H)],
      range: [0, 30 * H],
      want: [
        [0, 27 * 60, 'up'],
        [27 * 60, 28 * 60, 'grace'],
        [28 * 60, 30 * 60, 'down'],
      ],
    },
  ];
  it.each(cases)('$name', ({ check, flips, pings, range, want }) => {
    const c = { ...hourly, ...check };
    expect(inMinutes(timelineBands(c, flips, pings, T0 + range[0], T0 + range[1]))).toEqual(want);
  });
});

describe('time ticks', () => {
  const cases: { span: number; tz: string; from: string; labels: string[] }[] = [
    { span: H, tz: 'UTC', from: '2024-03-05T10:03:00Z', labels: ['10:10', '10:20', '10:30', '10:40', '10:50', '11:00'] },
    { span: 24 * H, tz: 'UTC', from: '2024-03-05T10:03:00Z', labels: ['12:00', '15:00', '18:00', '21:00', 'Wed 6', '03:00', '06:00', '09:00'] },
    // Berlin is UTC+1 in March: ticks fall on its whole hours
    { span: 24 * H, tz: 'Europe/Berlin', from: '2024-03-05T10:03:00Z', labels: ['12:00', '15:00', '18:00', '21:00', 'Wed 6', '03:00', '06:00', '09:00'] },
    { span: 7 * 24 * H, tz: 'UTC', from: '2024-03-05T10:03:00Z', labels: ['Wed 6', 'Thu 7', 'Fri 8', 'Sat 9', 'Sun 10', 'Mon 11', 'Tue 12'] },
    { span: 30 * 24 * H, tz: 'UTC', from: '2024-03-05T10:03:00Z', labels: ['11 Mar', '18 Mar', '25 Mar', '1 Apr'] },
  ];
  it.each(cases)('$span ms in $tz', ({ span, tz, from, labels }) => {
    const t0 = Date.parse(from);
    const ticks = timeTicks(t0, t0 + span, tz);
    expect(ticks.map((t) => t.label)).toEqual(labels);
    for (const t of ticks) expect(t.t).toBeGreaterThanOrEqual(t0);
  });

  it('keeps whole hours of the wall clock across a daylight-saving change', () => {
    const from = Date.parse('2024-03-30T12:00:00Z');
    const labels = timeTicks(from, from + 24 * H, 'Europe/Berlin').map((t) => t.label);
    expect(labels.every((l) => /^(\d\d:00|\w{3} \d+)$/.test(l))).toBe(true);
  });

  it('gives nothing for an empty span', () => {
    expect(timeTicks(T0, T0, 'UTC')).toEqual([]);
  });
});

describe('value ticks and labels in the metric unit', () => {
  const MiB = 1024 ** 2;
  const cases: { name: string; min: number; max: number; ticks: number[]; labels: string[] }[] = [
    { name: 'written_bytes', min: 0, max: 3 * MiB, ticks: [0, MiB, 2 * MiB, 3 * MiB], labels: ['0 B', '1.00 MiB', '2.00 MiB', '3.00 MiB'] },
    { name: 'bytes', min: 0, max: 700, ticks: [0, 256, 512, 768], labels: ['0 B', '256 B', '512 B', '768 B'] },
    { name: 'written_bytes', min: 0, max: 2_000_000, ticks: [0, 512 * 1024, MiB, 1.5 * MiB, 2 * MiB], labels: ['0 B', '512 KiB', '1.00 MiB', '1.50 MiB', '2.00 MiB'] },
    { name: 'duration', min: 0, max: 250, ticks: [0, 60, 120, 180, 240, 300], labels: ['0 s', '1 min', '2 min', '3 min', '4 min', '5 min'] },
    { name: 'duration', min: 0.05, max: 0.9, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], labels: ['0 s', '200 ms', '400 ms', '600 ms', '800 ms', '1 s'] },
    { name: 'backup_seconds', min: 0, max: 5400, ticks: [0, 1800, 3600, 5400], labels: ['0 s', '30 min', '1 h', '1 h 30 min'] },
    { name: 'files', min: 0, max: 1234, ticks: [0, 500, 1000, 1500], labels: ['0', '500', '1,000', '1,500'] },
    { name: 'warnings', min: -3, max: 4, ticks: [-4, -2, 0, 2, 4], labels: ['-4', '-2', '0', '2', '4'] },
    { name: 'files', min: 0, max: 0, ticks: [0], labels: ['0'] },
  ];
  it.each(cases)('$name from $min to $max', ({ name, min, max, ticks, labels }) => {
    const got = valueTicks(min, max, name);
    expect(got).toEqual(ticks);
    expect(got.map((v) => valueLabel(name, v))).toEqual(labels);
  });
});
