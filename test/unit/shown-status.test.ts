import { describe, expect, it } from 'vitest';
import { alertAfter, shownStatus } from '../../shared/domain/check-state.js';
import { shownDownReason } from '../../shared/domain/reasons.js';
import { armedReminder, followingReminder, reminderEveryMs } from '../../shared/domain/reminders.js';
import { DEFAULT_CONFIG, type CheckState } from '../../shared/domain/types.js';

const T = Date.parse('2024-05-01T10:00:00Z');
const up = (over: Partial<CheckState> = {}): CheckState => ({
  ...DEFAULT_CONFIG,
  timeout: 60,
  grace: 60,
  status: 'up',
  nPings: 1,
  lastPing: T,
  lastStart: null,
  lastStartRid: null,
  lastDuration: null,
  ...over,
});

describe('shownStatus: the status every side shows, with the offline hold as an input', () => {
  const c = up();
  const deadline = alertAfter(c)!; // T + 2 min

  it('without a hold it is the clock-derived status', () => {
    expect(shownStatus(c, deadline, null, T + 30_000)).toEqual({ status: 'up', monitorOffline: false });
    expect(shownStatus(c, deadline, null, T + 90_000)).toEqual({ status: 'grace', monitorOffline: false });
    expect(shownStatus(c, deadline, null, deadline)).toEqual({ status: 'down', monitorOffline: false });
  });

  it('a deadline inside the gap is shown as grace until the catch-up window ends', () => {
    const hold = { gapEnd: T + 3600_000, until: T + 4200_000 };
    expect(shownStatus(c, deadline, hold, T + 3600_000)).toEqual({ status: 'grace', monitorOffline: true });
    expect(shownStatus(c, deadline, hold, hold.until)).toEqual({ status: 'down', monitorOffline: false });
    // a deadline after the gap (a late ping moved it) follows the normal rules
    expect(shownStatus(c, hold.gapEnd + 1, hold, T + 3600_000)).toEqual({ status: 'down', monitorOffline: false });
    // a check already down is not held
    expect(shownStatus({ ...c, status: 'down' }, null, hold, T + 3600_000)).toEqual({ status: 'down', monitorOffline: false });
  });

  it('the reason of a check the clock shows down before its flip is the one the flip will store', () => {
    const row = { ...c, downReason: '', downReasonCode: '' as const };
    expect(shownDownReason(row, deadline)).toEqual({ code: 'timeout', text: 'no ping for 2 min' });
    expect(shownDownReason({ ...row, status: 'down', downReasonCode: 'fail', downReason: '' }, deadline)).toEqual({ code: 'fail', text: 'fail signal' });
  });
});

describe('reminders', () => {
  it('reminder_every in seconds, off when 0 or missing', () => {
    expect(reminderEveryMs({ reminder_every: 3600 })).toBe(3600_000);
    expect(reminderEveryMs({ reminder_every: 0 })).toBe(0);
    expect(reminderEveryMs({})).toBe(0);
  });

  it('a down check with reminders keeps its next one, or gets the first one after its down flip; others have none', () => {
    expect(armedReminder('down', 600_000, null, T)).toBe(T + 600_000);
    expect(armedReminder('down', 600_000, T + 5, T)).toBe(T + 5);
    expect(armedReminder('down', 0, T + 5, T)).toBeNull();
    expect(armedReminder('up', 600_000, T + 5, T)).toBeNull();
  });

  it('after a late reminder the next one is the next period boundary, not one per missed period', () => {
    expect(followingReminder(T, T, 600_000)).toBe(T + 600_000);
    expect(followingReminder(T, T + 5 * 600_000 + 1, 600_000)).toBe(T + 6 * 600_000);
  });
});
