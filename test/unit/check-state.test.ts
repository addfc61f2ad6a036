import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertAfter, applyDeadline, applyPing, computeStatus, nextStatusChange, pause, resume, statusChanges } from '../../shared/domain/check-state.js';
import { DEFAULT_CONFIG, type CheckState } from '../../shared/domain/types.js';

const t = (iso: string) => Date.parse(iso);
const MIN = 60_000;

function check(over: Partial<CheckState> = {}): CheckState {
  return {
    ...DEFAULT_CONFIG,
    status: 'new',
    lastPing: null,
    lastStart: null,
    lastStartRid: null,
    lastDuration: null,
    nPings: 0,
    ...over,
  };
}

describe('computeStatus (healthchecks get_status)', () => {
  const cron = check({ kind: 'cron', schedule: '0 0 * * *', tz: 'UTC', grace: 3600, status: 'up', lastPing: t('2020-01-01T00:00:00Z') });
  it.each([
    ['2020-01-01T23:59:00Z', 'up'],
    ['2020-01-02T00:00:00Z', 'grace'],
    ['2020-01-02T00:59:59Z', 'grace'],
    ['2020-01-02T01:00:00Z', 'down'],
  ])('cron "0 0 * * *" UTC pinged at midnight: at %s it is %s', (now, want) => {
    expect(computeStatus(cron, t(now))).toBe(want);
  });

  it('cron "0 10 * * *" Australia/Brisbane expects 10:00 local (00:00 UTC)', () => {
    const c = check({ kind: 'cron', schedule: '0 10 * * *', tz: 'Australia/Brisbane', grace: 3600, status: 'up', lastPing: t('2020-01-01T00:00:00Z') });
    expect(computeStatus(c, t('2020-01-01T23:59:00Z'))).toBe('up');
    expect(computeStatus(c, t('2020-01-02T00:00:00Z'))).toBe('grace');
    expect(computeStatus(c, t('2020-01-02T01:00:00Z'))).toBe('down');
  });

  it('cron "15 * * * *" Europe/Riga runs on both 03:15 of the 2023-10-29 fall-back night', () => {
    // 03:15 EEST = 00:15Z, 03:15 EET = 01:15Z; a ping at 00:20Z expects 01:15Z, not 02:15Z.
    const c = check({ kind: 'cron', schedule: '15 * * * *', tz: 'Europe/Riga', grace: 60, status: 'up', lastPing: t('2023-10-29T00:20:00Z') });
    expect(alertAfter(c)).toBe(t('2023-10-29T01:16:00Z'));
    expect(computeStatus(c, t('2023-10-29T01:15:30Z'))).toBe('grace');
    expect(computeStatus(c, t('2023-10-29T01:16:00Z'))).toBe('down');
  });

  it('simple: up until timeout, grace until timeout+grace, then down', () => {
    const c = check({ timeout: 3600, grace: 600, status: 'up', lastPing: t('2024-01-01T00:00:00Z') });
    expect(computeStatus(c, t('2024-01-01T00:59:59Z'))).toBe('up');
    expect(computeStatus(c, t('2024-01-01T01:00:00Z'))).toBe('grace');
    expect(computeStatus(c, t('2024-01-01T01:10:00Z'))).toBe('down');
  });

  it('a start with no finish within grace is down; before that it is started', () => {
    const c = check({ timeout: 86400, grace: 300, status: 'up', lastPing: t('2024-01-01T00:00:00Z'), lastStart: t('2024-01-01T06:00:00Z') });
    expect(computeStatus(c, t('2024-01-01T06:04:00Z'), true)).toBe('started');
    expect(computeStatus(c, t('2024-01-01T06:04:00Z'))).toBe('up');
    expect(computeStatus(c, t('2024-01-01T06:05:00Z'))).toBe('down');
  });

  it.each(['new', 'paused'] as const)('%s with an old start is down', (status) => {
    const c = check({ status, grace: 60, lastStart: t('2024-01-01T00:00:00Z') });
    expect(computeStatus(c, t('2024-01-01T00:02:00Z'))).toBe('down');
  });

  it.each(['new', 'paused', 'down'] as const)('%s without a start stays %s', (status) => {
    expect(computeStatus(check({ status }), t('2030-01-01T00:00:00Z'))).toBe(status);
  });
});

describe('nextStatusChange (when the scheduler announces a check)', () => {
  const T0 = t('2024-01-01T00:00:00Z');
  it('an up check: grace at its grace start, down at the end of its grace, then nothing', () => {
    const c = check({ timeout: 60, grace: 30, status: 'up', lastPing: T0 });
    expect(nextStatusChange(c, T0)).toBe(T0 + 60_000);
    expect(nextStatusChange(c, T0 + 60_000)).toBe(T0 + 90_000);
    expect(nextStatusChange(c, T0 + 90_000)).toBeNull();
  });

  it('a running job: down when the run exceeds its grace, also on a down check', () => {
    const running = check({ timeout: 3600, grace: 60, status: 'up', lastPing: T0, lastStart: T0 + 10_000 });
    expect(nextStatusChange(running, T0 + 10_000)).toBe(T0 + 70_000);
    expect(nextStatusChange({ ...running, status: 'down' }, T0 + 10_000)).toBe(T0 + 70_000);
  });

  it('new, paused and down checks do not change by the clock', () => {
    for (const status of ['new', 'paused', 'down'] as const) expect(statusChanges(check({ status, lastPing: T0 }))).toEqual([]);
  });

  it('the shown status is constant until the instant returned and differs at it (any state)', () => {
    const state = fc.record({
      status: fc.constantFrom('new', 'up', 'down', 'paused'),
      timeout: fc.integer({ min: 60, max: 86_400 }),
      grace: fc.integer({ min: 0, max: 86_400 }),
      lastPing: fc.option(fc.integer({ min: 0, max: 10 * 86_400_000 }), { nil: null }),
      lastStart: fc.option(fc.integer({ min: 0, max: 10 * 86_400_000 }), { nil: null }),
    });
    fc.assert(
      fc.property(state, fc.integer({ min: 0, max: 12 * 86_400_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (s, off, frac) => {
        const c = check({ ...s, status: s.status as CheckState['status'] });
        const now = T0 + off;
        const next = nextStatusChange(c, now);
        const shown = computeStatus(c, now, true);
        if (next === null) {
          expect(computeStatus(c, now + 400 * 86_400_000, true)).toBe(shown);
          return;
        }
        expect(next).toBeGreaterThan(now);
        const between = now + Math.floor((next - now - 1) * frac);
        expect(computeStatus(c, between, true)).toBe(shown);
        expect(computeStatus(c, next - 1, true)).toBe(shown);
        expect(computeStatus(c, next, true)).not.toBe(shown);
      }),
      { numRuns: 500 },
    );
  });
});

describe('alert_after = min(deadline, last_start) + grace', () => {
  it('a start never pushes the schedule deadline back', () => {
    const c = check({ timeout: 3600, grace: 60, status: 'up', lastPing: t('2024-01-01T00:00:00Z'), lastStart: t('2024-01-01T00:59:00Z') });
    expect(alertAfter(c)).toBe(t('2024-01-01T01:00:00Z'));
  });
  it('a start earlier than the deadline brings it forward', () => {
    const c = check({ timeout: 3600, grace: 60, status: 'up', lastPing: t('2024-01-01T00:00:00Z'), lastStart: t('2024-01-01T00:10:00Z') });
    expect(alertAfter(c)).toBe(t('2024-01-01T00:11:00Z'));
  });
  it('new and paused checks have none; down checks have none', () => {
    expect(alertAfter(check())).toBeNull();
    expect(alertAfter(check({ status: 'paused' }))).toBeNull();
    expect(alertAfter(check({ status: 'down', lastPing: 0 }))).toBeNull();
  });
});

describe('applyPing', () => {
  const T0 = t('2024-05-01T12:00:00Z');

  it('first success flips new → up', () => {
    const out = applyPing(check(), { kind: 'success', at: T0, rid: null });
    expect(out.next.status).toBe('up');
    expect(out.flip).toMatchObject({ oldStatus: 'new', newStatus: 'up', reason: '' });
    expect(out.next.nPings).toBe(1);
  });

  it('fail flips up → down with reason fail and still sets last_ping', () => {
    const out = applyPing(check({ status: 'up', lastPing: T0 - MIN }), { kind: 'fail', at: T0, rid: null });
    expect(out.next.status).toBe('down');
    expect(out.next.lastPing).toBe(T0);
    expect(out.flip?.reason).toBe('fail');
  });

  it('a second success writes no flip', () => {
    expect(applyPing(check({ status: 'up', lastPing: T0 - MIN }), { kind: 'success', at: T0, rid: null }).flip).toBeNull();
  });

  it('log and ign change nothing but the ping count', () => {
    const c = check({ status: 'up', lastPing: T0 - MIN });
    for (const kind of ['log', 'ign'] as const) {
      const out = applyPing(c, { kind, at: T0, rid: null });
      expect(out.next).toEqual({ ...c, nPings: 1 });
      expect(out.flip).toBeNull();
    }
  });

  it('start keeps last_ping and opens a run', () => {
    const out = applyPing(check({ status: 'up', lastPing: T0 - MIN }), { kind: 'start', at: T0, rid: 'a' });
    expect(out.next).toMatchObject({ lastPing: T0 - MIN, lastStart: T0, lastStartRid: 'a', status: 'up' });
  });

  it('paused + success → up', () => {
    const out = applyPing(check({ status: 'paused' }), { kind: 'success', at: T0, rid: null });
    expect(out.next.status).toBe('up');
    expect(out.flip).toMatchObject({ oldStatus: 'paused', newStatus: 'up' });
  });
});

describe('rid pairing and durations', () => {
  const T0 = t('2024-05-01T12:00:00Z');
  const started = (rid: string | null) => check({ status: 'up', lastPing: T0 - 3600_000, lastStart: T0, lastStartRid: rid });

  it.each([
    ['same rid closes the run', 'r1', 'r1', 5 * MIN, 5 * MIN, null],
    ['no rid on both closes the run', null, null, 5 * MIN, 5 * MIN, null],
    ['a success with a different rid keeps the start open', 'r1', 'r2', 5 * MIN, null, T0],
    ['a success without rid keeps a rid start open', 'r1', null, 5 * MIN, null, T0],
    ['longer than 72 h closes the run without a duration', 'r1', 'r1', 73 * 3600_000, null, null],
  ])('%s', (_name, startRid, endRid, after, wantDuration, wantOpenStart) => {
    const out = applyPing(started(startRid), { kind: 'success', at: T0 + after, rid: endRid });
    expect(out.duration).toBe(wantDuration);
    expect(out.next.lastStart).toBe(wantOpenStart);
  });

  it('an overlapping run is paired through the caller-found start of its rid', () => {
    const out = applyPing(started('r2'), { kind: 'success', at: T0 + 10 * MIN, rid: 'r1', runStart: T0 - 2 * MIN });
    expect(out.duration).toBe(12 * MIN);
    expect(out.next.lastStartRid).toBe('r2');
  });

  it('a fail closes a run and records its duration', () => {
    const out = applyPing(started('x'), { kind: 'fail', at: T0 + MIN, rid: 'x' });
    expect(out.duration).toBe(MIN);
    expect(out.next.lastDuration).toBe(MIN);
  });
});

describe('late pings (ts)', () => {
  const T0 = t('2024-05-01T12:00:00Z');
  it('an older late ping never rolls the state back past a newer one', () => {
    const c = check({ status: 'up', lastPing: T0 });
    const out = applyPing(c, { kind: 'fail', at: T0 - MIN, rid: null });
    expect(out.applied).toBe(false);
    expect(out.next.status).toBe('up');
    expect(out.next.lastPing).toBe(T0);
    expect(out.next.nPings).toBe(1);
  });
  it('a late ping newer than the last one applies at its own time', () => {
    const out = applyPing(check({ status: 'up', lastPing: T0 - 10 * MIN }), { kind: 'success', at: T0 - MIN, rid: null });
    expect(out.next.lastPing).toBe(T0 - MIN);
  });
});

describe('applyDeadline (the scheduler step)', () => {
  const T0 = t('2024-05-01T12:00:00Z');
  it('flips an overdue up check down with reason timeout', () => {
    const c = check({ timeout: 60, grace: 60, status: 'up', lastPing: T0 });
    expect(applyDeadline(c, T0 + 119_000)).toBeNull();
    expect(applyDeadline(c, T0 + 120_000)?.flip).toMatchObject({ oldStatus: 'up', newStatus: 'down', reason: 'timeout' });
  });
  it('a run open past grace goes down with reason "run exceeded grace"', () => {
    const c = check({ timeout: 86400, grace: 60, status: 'up', lastPing: T0, lastStart: T0 + 1000 });
    expect(applyDeadline(c, T0 + 61_000)?.flip.reason).toBe('run exceeded grace');
  });
  it('does nothing to a check already down', () => {
    expect(applyDeadline(check({ status: 'down', lastPing: T0 }), T0 + 1e9)).toBeNull();
  });
});

describe('pause and resume', () => {
  it('pause clears the open run; resume goes back to new', () => {
    const c = check({ status: 'up', lastPing: 1, lastStart: 2, lastStartRid: 'r' });
    const p = pause(c, 10);
    expect(p.next).toMatchObject({ status: 'paused', lastStart: null });
    expect(p.flip).toMatchObject({ oldStatus: 'up', newStatus: 'paused' });
    const r = resume(p.next, 20);
    expect(r.next).toMatchObject({ status: 'new', lastPing: null });
  });
});

