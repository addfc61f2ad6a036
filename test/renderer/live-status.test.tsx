// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CheckJson } from '../../shared/api/types.js';
import { connect, useConsole } from '../../renderer/store.js';
import { checkJson, NOW, TestEventSource } from './fixtures.js';

const UUID = '6f1c2f4e-1c1b-4a55-9d0b-2a8e6b9e7c11';
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');

let stop: (() => void) | null = null;
afterEach(() => {
  stop?.();
  stop = null;
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the console\'s live statuses', () => {
  it('reads the checks once; a deadline passing makes no request, the service\'s check event changes the status', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    // Up, with its grace starting in one minute and its deadline in two.
    const up: CheckJson = checkJson({ uuid: UUID, name: 'backup', status: 'up', next_ping: iso(NOW + 60_000), alert_after: iso(NOW + 120_000) });
    const requests: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (path: string) => {
        requests.push(path);
        const body = path === '/api/v3/checks/' ? { checks: [up] } : path === '/api/lubdub/heartbeats' ? { beats: {} } : { muted_until: null, counts: {}, worst: 'up' };
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      }),
    );
    vi.stubGlobal('EventSource', TestEventSource);

    stop = connect();
    await vi.waitFor(() => expect(useConsole.getState().checks[UUID]?.status).toBe('up'));
    const loaded = requests.length;
    expect(requests).toContain('/api/v3/checks/');

    // Ten minutes pass, well beyond both deadlines: the console computes and re-reads nothing.
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(requests).toHaveLength(loaded);
    expect(useConsole.getState().checks[UUID].status).toBe('up');

    // What the service announces is what the console shows.
    TestEventSource.last!.send('check', { ...up, status: 'grace' });
    expect(useConsole.getState().checks[UUID].status).toBe('grace');
    TestEventSource.last!.send('check', { ...up, status: 'down', down_reason: 'no ping in time' });
    expect(useConsole.getState().checks[UUID].status).toBe('down');
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(requests).toHaveLength(loaded);
  });
});
