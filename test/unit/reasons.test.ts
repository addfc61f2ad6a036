import { describe, expect, it } from 'vitest';
import { deadlineDownReason, isMissedDeadline, isReportedFailure, OFFLINE_DOWN_REASON, pingDownReason, REASON_WORDS, reasonWords } from '../../shared/domain/reasons.js';
import { DEFAULT_CONFIG, FLIP_REASONS, type CheckState } from '../../shared/domain/types.js';

const t = (iso: string) => Date.parse(iso);

describe('pingDownReason: why a ping turned the check down', () => {
  it.each([
    [{ exitStatus: 3, action: 'success' as const }, { code: 'fail', text: 'exit status 3' }],
    [{ exitStatus: null, action: 'fail' as const }, { code: 'fail', text: 'fail signal' }],
    [{ exitStatus: null, action: 'success' as const }, { code: 'fail', text: 'keyword filter' }],
    [{ exitStatus: 0, action: 'success' as const, failReason: 'assertion' as const, failText: 'backup wrote 0 B (bytes > 0)' }, { code: 'assertion', text: 'backup wrote 0 B (bytes > 0)' }],
  ])('%j → %j', (p, want) => expect(pingDownReason(p)).toEqual(want));
});

describe('deadlineDownReason: why the scheduler turned the check down', () => {
  const base: CheckState = { ...DEFAULT_CONFIG, status: 'up', lastPing: null, lastStart: null, lastStartRid: null, lastDuration: null, nPings: 1 };
  it('simple check: how long it was silent', () => {
    const c = { ...base, timeout: 3600, grace: 600, lastPing: t('2024-01-01T00:00:00Z') };
    expect(deadlineDownReason(c, 'timeout', t('2024-01-01T01:10:00Z'))).toEqual({ code: 'timeout', text: 'no ping for 1 h 10 min' });
  });
  it('cron check: the run that was missed, on its own wall clock and zone', () => {
    const c = { ...base, kind: 'cron' as const, schedule: '0 3 * * *', tz: 'Europe/Berlin', grace: 600, lastPing: t('2024-06-01T01:00:00Z') };
    expect(deadlineDownReason(c, 'timeout', t('2024-06-02T01:10:00Z')).text).toBe('missed 03:00 run (Europe/Berlin)');
  });
  it('a run that did not finish', () => {
    const c = { ...base, grace: 300, lastPing: t('2024-01-01T00:00:00Z'), lastStart: t('2024-01-01T06:00:00Z') };
    expect(deadlineDownReason(c, 'run exceeded grace', t('2024-01-01T06:05:00Z'))).toEqual({ code: 'run exceeded grace', text: 'run started 5 min ago did not finish' });
  });
  it('never pinged: "no ping"', () => {
    expect(deadlineDownReason({ ...base, status: 'new', nPings: 0 }, 'timeout', t('2024-01-01T00:00:00Z')).text).toBe('no ping');
  });
  it('offline: the words of the catch-up summary', () => {
    expect(deadlineDownReason(base, 'missed while Lubdub was offline', 0)).toBe(OFFLINE_DOWN_REASON);
  });
});

describe('codes', () => {
  it('every code has its own words, and none are empty', () => {
    for (const code of FLIP_REASONS) expect(REASON_WORDS[code]).toMatch(/\S/);
    expect(new Set(Object.values(REASON_WORDS)).size).toBe(FLIP_REASONS.length);
  });
  it('stored words win over the code\'s own', () => {
    expect(reasonWords('fail', 'exit status 3')).toBe('exit status 3');
    expect(reasonWords('fail')).toBe('fail signal');
  });
  it('deadlines are drawn as gaps; failures a ping reported are not', () => {
    expect(FLIP_REASONS.filter(isMissedDeadline)).toEqual(['timeout', 'missed while Lubdub was offline']);
    expect(FLIP_REASONS.filter(isReportedFailure)).toEqual(['fail', 'assertion']);
  });
});
