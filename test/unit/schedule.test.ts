import { describe, expect, it } from 'vitest';
import { cronError, isValidTimezone, nextExpected, nextRuns } from '../../shared/domain/schedule.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('nextExpected', () => {
  it('simple: last ping + timeout', () => {
    expect(nextExpected({ kind: 'simple', timeout: 90, schedule: '', tz: 'UTC' }, 1000)).toBe(91_000);
  });

  it('cron: strictly after the last ping, even when the ping lands on a run time', () => {
    const cfg = { kind: 'cron' as const, timeout: 0, schedule: '0 0 * * *', tz: 'UTC' };
    expect(iso(nextExpected(cfg, Date.parse('2020-01-01T00:00:00Z')))).toBe('2020-01-02T00:00:00.000Z');
  });

  it('Europe/Riga spring 2023-03-26: 03:30 does not exist, the job runs right after the gap', () => {
    const cfg = { kind: 'cron' as const, timeout: 0, schedule: '30 3 * * *', tz: 'Europe/Riga' };
    expect(iso(nextExpected(cfg, Date.parse('2023-03-25T12:00:00Z')))).toBe('2023-03-26T01:00:00.000Z');
  });

  it('Europe/Riga autumn 2023-10-29: a fixed-time job runs once on the repeated hour', () => {
    const cfg = { kind: 'cron' as const, timeout: 0, schedule: '30 3 * * *', tz: 'Europe/Riga' };
    const first = nextExpected(cfg, Date.parse('2023-10-28T12:00:00Z'))!;
    expect(iso(first)).toBe('2023-10-29T00:30:00.000Z');
    expect(iso(nextExpected(cfg, first))).toBe('2023-10-30T01:30:00.000Z');
  });

  it('Europe/Riga autumn 2023-10-29: "15 * * * *" runs at both 03:15', () => {
    const runs = nextRuns('15 * * * *', 'Europe/Riga', Date.parse('2023-10-28T23:30:00Z'), 3).map((t) => new Date(t).toISOString());
    expect(runs).toEqual(['2023-10-29T00:15:00.000Z', '2023-10-29T01:15:00.000Z', '2023-10-29T02:15:00.000Z']);
  });

  it('America/New_York: "0 9 * * 1-5" follows local 9 am across the March DST change', () => {
    const runs = nextRuns('0 9 * * 1-5', 'America/New_York', Date.parse('2024-03-08T00:00:00Z'), 2).map((t) => new Date(t).toISOString());
    expect(runs).toEqual(['2024-03-08T14:00:00.000Z', '2024-03-11T13:00:00.000Z']);
  });
});

describe('validation', () => {
  it.each(['* * * * *', '0 3 * * *', '*/15 * * * 1-5', '0 0 1 * *', '0 9 * * MON'])('accepts %s', (s) => {
    expect(cronError(s)).toBeNull();
  });
  it.each(['', '* * * *', '* * * * * *', '60 * * * *', '* 24 * * *', 'hello', '0 0 31 2 *'])('refuses %j', (s) => {
    expect(cronError(s)).not.toBeNull();
  });
  it('knows IANA zones', () => {
    expect(isValidTimezone('Europe/Riga')).toBe(true);
    expect(isValidTimezone('UTC')).toBe(true);
    expect(isValidTimezone('Mars/Olympus')).toBe(false);
    expect(isValidTimezone('')).toBe(false);
  });
});
