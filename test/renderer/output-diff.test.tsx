// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutputDiff } from '../../renderer/components/OutputDiff.js';
import type { PingJson } from '../../shared/api/types.js';
import { fakeApi } from './fake-api.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ping = (n: number, type: PingJson['type'], date: string, extra: Record<string, unknown> = {}): PingJson =>
  ({ type, date, n, scheme: 'http', remote_addr: '127.0.0.1', method: 'POST', ua: '', rid: null, body_url: null, body_size: 10, received: date, body_preview: '', ...extra }) as PingJson;

describe('the output against the last good run', () => {
  it('shows the changed lines and the quoted never-seen warning when the newest run failed', async () => {
    const sent = fakeApi({
      'GET /api/v3/checks/u1/pings/3/body': () => ({ json: 'synced 9\nerror: checksum mismatch\n' }),
      'GET /api/v3/checks/u1/pings/2/body': () => ({ json: 'synced 7\n' }),
    });
    const pings = [
      ping(3, 'fail', '2024-03-05T03:00:00Z', { new_warning_lines: ['error: checksum mismatch'] }),
      ping(2, 'success', '2024-03-04T03:00:00Z'),
      ping(1, 'start', '2024-03-04T02:59:00Z'),
    ];
    render(<OutputDiff uuid="u1" pings={pings} />);
    await waitFor(() => expect(screen.getByTestId('output-diff').querySelector('pre')?.textContent).toBe('− synced 7\n+ synced 9\n+ error: checksum mismatch\n'));
    expect(screen.getByTestId('output-diff').textContent).toContain('never seen before: error: checksum mismatch');
    expect(sent.map((r) => r.path).sort()).toEqual(['/api/v3/checks/u1/pings/2/body', '/api/v3/checks/u1/pings/3/body']);
  });

  it('shows nothing when the newest run passed', () => {
    const { container } = render(<OutputDiff uuid="u1" pings={[ping(2, 'success', '2024-03-05T03:00:00Z'), ping(1, 'fail', '2024-03-04T03:00:00Z')]} />);
    expect(container.textContent).toBe('');
  });
});
