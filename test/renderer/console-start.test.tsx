// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { toOverviewRow } from '../../shared/api/overview.js';
import { useConsole } from '../../renderer/store.js';
import { checkJson, connectForTest, TestEventSource } from './fixtures.js';

const summary = { muted_until: null, counts: { new: 0, up: 1, grace: 0, down: 0, paused: 0, started: 0 }, worst: 'up', total: 1 };

/** A service that answers every console read and records the paths asked, in order. */
function service(): string[] {
  const asked: string[] = [];
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string) => {
      asked.push(path);
      if (path.startsWith('/api/lubdub/overview')) return json({ total: 1, offset: 0, rows: [toOverviewRow(checkJson({ name: 'backup' }))], summary, tags: [] });
      if (path === '/api/lubdub/settings') return json({ theme: 'dark' });
      if (path === '/api/lubdub/mute') return json({ muted_until: null });
      return json(summary);
    }),
  );
  vi.stubGlobal('EventSource', TestEventSource);
  return asked;
}

describe('the console\'s start on the overview', () => {
  it('asks for the first window first and once, then settings and mute once each; the counts come with the window', async () => {
    const asked = service();
    // as the console starts: the entry script, then the app's stream, then the overview page's effect
    useConsole.getState().showOverview(true);
    connectForTest();
    useConsole.getState().showOverview(true);
    TestEventSource.last!.send('hello', {});
    await vi.waitFor(() => expect(useConsole.getState().overview.rows).toHaveLength(1));
    await vi.waitFor(() => expect(useConsole.getState().theme).toBe('dark'));
    await vi.waitFor(() => expect(asked).toContain('/api/lubdub/mute'));

    expect(asked[0]).toBe('/api/lubdub/overview?offset=0&limit=100');
    expect([...asked].sort()).toEqual(['/api/lubdub/mute', '/api/lubdub/overview?offset=0&limit=100', '/api/lubdub/settings']);
    expect(useConsole.getState().summary).toEqual(summary);
    expect(useConsole.getState().loadError).toBeNull();
  });
});
