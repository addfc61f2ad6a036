// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { toOverviewRow } from '../../shared/api/overview.js';
import type { CheckJson } from '../../shared/api/types.js';
import { useConsole } from '../../renderer/store.js';
import { checkJson, connectForTest, NOW, TestEventSource } from './fixtures.js';

const UUID = '6f1c2f4e-1c1b-4a55-9d0b-2a8e6b9e7c11';
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');

describe('the console\'s live statuses', () => {
  it('reads the overview once; a deadline passing makes no request, the service\'s check event changes the status', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    // Up, with its grace starting in one minute and its deadline in two.
    const up: CheckJson = checkJson({ uuid: UUID, name: 'backup', status: 'up', next_ping: iso(NOW + 60_000), alert_after: iso(NOW + 120_000) });
    // what the service holds: the overview's answers show it
    let current = up;
    const requests: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (path: string) => {
        requests.push(path);
        const summary = { muted_until: null, counts: { [current.status]: 1 }, worst: 'up', total: 1 };
        const body = path.startsWith('/api/lubdub/overview') ? { total: 1, offset: 0, rows: [toOverviewRow(current)], summary, tags: [] } : summary;
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      }),
    );
    vi.stubGlobal('EventSource', TestEventSource);

    connectForTest();
    useConsole.getState().showOverview(true);
    const row = () => useConsole.getState().overview.rows[0];
    await vi.waitFor(() => expect(row()?.status).toBe('up'));
    const loaded = requests.length;
    expect(requests.filter((p) => p.startsWith('/api/lubdub/overview'))).toEqual(['/api/lubdub/overview?offset=0&limit=100']);

    // Ten minutes pass, well beyond both deadlines: the console computes and re-reads nothing.
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(requests).toHaveLength(loaded);
    expect(row().status).toBe('up');

    // What the service announces is what the console shows, at once; the window is read again for its order.
    current = { ...up, status: 'grace' };
    TestEventSource.last!.send('check', current);
    expect(row().status).toBe('grace');
    current = { ...up, status: 'down', down_reason: 'no ping in time' };
    TestEventSource.last!.send('check', current);
    expect(row()).toMatchObject({ status: 'down', down_reason: 'no ping in time' });
    await vi.waitFor(() => expect(useConsole.getState().summary?.counts.down).toBe(1));
    const afterEvents = requests.length;
    expect(requests.slice(loaded).every((p) => p.startsWith('/api/lubdub/overview'))).toBe(true);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(requests).toHaveLength(afterEvents);
    expect(row().status).toBe('down');
  });
});
