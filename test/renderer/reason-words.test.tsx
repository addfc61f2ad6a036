// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckList } from '../../renderer/components/CheckList.js';
import { HeartbeatBar } from '../../renderer/components/HeartbeatBar.js';
import { flipBeat } from '../../shared/api/heartbeats.js';
import { deadlineDownReason, OFFLINE_DOWN_REASON, pingDownReason, type DownReason } from '../../shared/domain/reasons.js';
import { DEFAULT_CONFIG, type CheckState } from '../../shared/domain/types.js';
import { checkJson, NOW } from './fixtures.js';

afterEach(cleanup);

const state: CheckState = { ...DEFAULT_CONFIG, status: 'up', lastPing: NOW - 26 * 3600_000, lastStart: null, lastStartRid: null, lastDuration: null, nPings: 3 };

/** Every way a check goes down, with the words the service stores for it. */
const REASONS: [string, DownReason][] = [
  ['exit status', pingDownReason({ exitStatus: 3, action: 'success' })],
  ['fail signal', pingDownReason({ exitStatus: null, action: 'fail' })],
  ['keyword filter', pingDownReason({ exitStatus: null, action: 'success' })],
  ['assertion', pingDownReason({ exitStatus: 0, action: 'success', failReason: 'assertion', failText: 'backup wrote 0 B (written_bytes > 0)' })],
  ['timeout', deadlineDownReason(state, 'timeout', NOW)],
  ['missed cron run', deadlineDownReason({ ...state, kind: 'cron', schedule: '0 3 * * *', tz: 'Europe/Berlin' }, 'timeout', NOW)],
  ['run exceeded grace', deadlineDownReason({ ...state, lastStart: NOW - 2 * 3600_000 }, 'run exceeded grace', NOW)],
  ['monitor offline', OFFLINE_DOWN_REASON],
];

describe('the console shows the service\'s words for a down reason, unchanged', () => {
  it.each(REASONS)('%s', (_name, reason) => {
    const c = checkJson({ uuid: '00000000-0000-4000-8000-0000000000d1', name: 'job', status: 'down', down_reason: reason.text, down_reason_code: reason.code, next_ping: null });
    render(<CheckList checks={[c]} beats={{}} now={NOW} />);
    const row = screen.getByRole('listitem');
    expect(row.querySelector('.why')!.textContent).toBe(reason.text);
    // the row link is named by its visible text: the status word and these words among it
    const link = within(row).getByRole('link');
    expect(link.hasAttribute('aria-label')).toBe(false);
    expect(link.textContent).toContain("Down");
    expect(link.textContent).toContain(reason.text);
  });
});

describe('the heartbeat bar tells a missed run from Lubdub being offline by the code', () => {
  it('timeout: a missed pill; monitor offline: the hatched offline pill; both titled with the reason\'s words', () => {
    const beats = [flipBeat('2024-03-05T01:00:00Z', 'down', 'timeout')!, flipBeat('2024-03-05T02:00:00Z', 'down', 'missed while Lubdub was offline')!];
    const { container } = render(<HeartbeatBar beats={beats} label="job" />);
    const pills = [...container.querySelectorAll('.pill-missed, .pill-offline')];
    expect(pills.map((p) => p.className)).toEqual(['pill pill-missed', 'pill pill-offline']);
    expect(pills.map((p) => p.getAttribute('title')?.split('\n')[1])).toEqual(['no ping in time', 'missed while Lubdub was offline']);
  });
});
