// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { BeatJson } from '../../shared/api/heartbeats.js';
import { useConsole } from '../../renderer/store.js';
import { connectForTest, NOW, TestEventSource } from './fixtures.js';

const A = '6f1c2f4e-1c1b-4a55-9d0b-2a8e6b9e7c11';
const B = '0b7e3f52-8d7a-4c1e-9a55-3e2f1d0c9b88';
const iso = (ms: number) => new Date(ms).toISOString();

const ping = (check: string, n: number) => ({ check, ping: { type: 'success', date: iso(NOW + n * 1000), n, scheme: 'http', remote_addr: '127.0.0.1', method: 'GET', ua: '' } });

describe('heartbeat bars are read for the rows on screen', () => {
  it('asks once per check, keeps the events that arrive while asking, and ignores events of checks not shown', async () => {
    const beatRequests: string[] = [];
    let answer: (beats: Record<string, BeatJson[]>) => void = () => {};
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (path: string) => {
        if (path.startsWith('/api/lubdub/heartbeats')) {
          beatRequests.push(path);
          return new Promise<Response>((r) => (answer = (beats) => r(json({ beats }))));
        }
        return json({ muted_until: null, counts: {}, worst: 'up', total: 2 });
      }),
    );
    vi.stubGlobal('EventSource', TestEventSource);
    connectForTest();
    await vi.waitFor(() => expect(useConsole.getState().loaded).toBe(true));
    expect(beatRequests).toEqual([]); // no bar is read before a row asks

    useConsole.getState().wantBeats([A]);
    useConsole.getState().wantBeats([A]);
    await vi.waitFor(() => expect(beatRequests).toEqual([`/api/lubdub/heartbeats?check=${A}`]));

    // a ping of A while its bar is on its way, and one of B, whose row is not on screen
    TestEventSource.last!.send('ping', ping(A, 2));
    TestEventSource.last!.send('ping', ping(B, 1));
    answer({ [A]: [{ t: iso(NOW + 1000), kind: 'success', n: 1 }] });
    await vi.waitFor(() => expect(useConsole.getState().beats[A]?.map((b) => b.n)).toEqual([1, 2]));
    expect(useConsole.getState().beats[B]).toBeUndefined();

    // loaded bars follow the stream; asking again reads nothing
    TestEventSource.last!.send('ping', ping(A, 3));
    expect(useConsole.getState().beats[A].map((b) => b.n)).toEqual([1, 2, 3]);
    useConsole.getState().wantBeats([A]);
    await Promise.resolve();
    expect(beatRequests).toHaveLength(1);
  });
});
