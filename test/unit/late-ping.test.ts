import { describe, expect, it } from 'vitest';
import { applyPing } from '../../shared/domain/check-state.js';
import { DEFAULT_CONFIG, type CheckState } from '../../shared/domain/types.js';

const t = (iso: string) => Date.parse(iso);

function check(over: Partial<CheckState> = {}): CheckState {
  return { ...DEFAULT_CONFIG, status: 'new', lastPing: null, lastStart: null, lastStartRid: null, lastDuration: null, nPings: 0, ...over };
}

describe('late pings that are themselves overdue', () => {
  // down since a 01:10 timeout; a spooled success of 00:30 arrives at 02:00
  const down = check({ timeout: 1800, grace: 600, status: 'down', lastPing: t('2024-01-01T00:00:00Z') });

  it('a late success whose own next deadline already passed keeps a down check down (no up-then-down pair)', () => {
    const out = applyPing(down, { kind: 'success', at: t('2024-01-01T00:30:00Z'), rid: null, received: t('2024-01-01T02:00:00Z') });
    expect(out.applied).toBe(true);
    expect(out.flip).toBeNull();
    expect(out.next.status).toBe('down');
    expect(out.next.lastPing).toBe(t('2024-01-01T00:30:00Z'));
  });

  it('a late success that is still within its period brings the check up, at its own time', () => {
    const out = applyPing(down, { kind: 'success', at: t('2024-01-01T01:50:00Z'), rid: null, received: t('2024-01-01T02:00:00Z') });
    expect(out.flip).toMatchObject({ at: t('2024-01-01T01:50:00Z'), oldStatus: 'down', newStatus: 'up' });
  });

  it('a success received live always brings it up', () => {
    const out = applyPing(down, { kind: 'success', at: t('2024-01-01T02:00:00Z'), rid: null, received: t('2024-01-01T02:00:00Z') });
    expect(out.next.status).toBe('up');
  });
});
