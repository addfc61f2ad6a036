// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { toOverviewRow, type OverviewReply } from '../../shared/api/overview.js';
import type { CheckJson, Summary } from '../../shared/api/types.js';
import { useConsole } from '../../renderer/store.js';
import { NO_FILTER } from '../../shared/console/check-list.js';
import { checkJson, connectForTest, TestEventSource } from './fixtures.js';

const uuidOf = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const check = (i: number, over: Partial<CheckJson> = {}) => checkJson({ uuid: uuidOf(i), name: `job ${i}`, ...over });
const summary = (down = 0): Summary => ({ total: 5, counts: { new: 0, up: 5 - down, grace: 0, down, paused: 0, started: 0 }, worst: down ? 'down' : 'up', muted_until: null });

/** A service whose overview answers wait until the test releases them. */
function heldService() {
  const asked: string[] = [];
  const waiting: ((r: OverviewReply) => void)[] = [];
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string) => {
      if (path.startsWith('/api/lubdub/overview')) {
        asked.push(path);
        return new Promise<Response>((resolve) => waiting.push((r) => resolve(json(r))));
      }
      return json(summary());
    }),
  );
  vi.stubGlobal('EventSource', TestEventSource);
  /** answers the oldest request still waiting */
  const answer = async (r: OverviewReply) => {
    await vi.waitFor(() => expect(waiting.length).toBeGreaterThan(0));
    waiting.shift()!(r);
  };
  return { asked, answer, pending: () => waiting.length };
}

const reply = (rows: CheckJson[], over: Partial<OverviewReply> = {}): OverviewReply => ({ total: 5, offset: 0, rows: rows.map(toOverviewRow), summary: summary(), tags: [], ...over });
const names = () => useConsole.getState().overview.rows.map((r) => `${r.name}:${r.status}`);

describe('the overview follows the event stream', () => {
  it('keeps the changes announced while a window is on its way, then reads the window again for their order', async () => {
    const svc = heldService();
    connectForTest();
    useConsole.getState().showOverview(true);
    await svc.answer(reply([0, 1, 2, 3, 4].map((i) => check(i))));
    await vi.waitFor(() => expect(names()).toEqual(['job 0:up', 'job 1:up', 'job 2:up', 'job 3:up', 'job 4:up']));
    expect(svc.asked).toHaveLength(1);

    // job 3 goes down: shown at once in its row, and the window is read again for its place
    TestEventSource.last!.send('check', check(3, { status: 'down', down_reason: 'exit status 1' }));
    expect(names()[3]).toBe('job 3:down');
    await vi.waitFor(() => expect(svc.asked).toHaveLength(2));

    // while that read is out: job 1 is renamed, job 4 is deleted, and job 3 comes back up
    TestEventSource.last!.send('check', check(1, { name: 'job 1 renamed' }));
    TestEventSource.last!.send('check-deleted', { uuid: uuidOf(4) });
    TestEventSource.last!.send('check', check(3));
    // the answer was made before those changes: they are applied on top of it
    await svc.answer(reply([check(3, { status: 'down' }), ...[0, 1, 2, 4].map((i) => check(i))], { summary: summary(1) }));
    await vi.waitFor(() => expect(names()).toEqual(['job 3:up', 'job 0:up', 'job 1 renamed:up', 'job 2:up']));
    expect(useConsole.getState().summary?.counts.down).toBe(1);
    // and, since they came after it was asked, the window is read once more: the service's order and counts win
    await vi.waitFor(() => expect(svc.asked).toHaveLength(3));
    await svc.answer(reply([0, 1, 2, 3].map((i) => check(i, i === 1 ? { name: 'job 1 renamed' } : {})), { total: 4, summary: { ...summary(), total: 4 } }));
    await vi.waitFor(() => expect(useConsole.getState().overview.total).toBe(4));
    expect(names()).toEqual(['job 0:up', 'job 1 renamed:up', 'job 2:up', 'job 3:up']);
    // a reload (the stream reconnected: events may have been missed) reads the held window again, once
    await useConsole.getState().load();
    expect(svc.asked).toHaveLength(4);
    await svc.answer(reply([0, 1, 2, 3].map((i) => check(i)), { total: 4 }));
    await vi.waitFor(() => expect(names()).toEqual(['job 0:up', 'job 1:up', 'job 2:up', 'job 3:up']));
    // one read per reload, no more
    await useConsole.getState().load();
    expect(svc.asked).toHaveLength(5);
    expect(svc.pending()).toBe(1);
    await svc.answer(reply([0, 1, 2, 3].map((i) => check(i)), { total: 4 }));
  });

  it('a new filter drops the rows of the old one, asks the service with it, and ignores a late answer for the old one', async () => {
    const svc = heldService();
    useConsole.getState().setFilter(NO_FILTER); // another test's window is not this one's
    connectForTest();
    useConsole.getState().showOverview(true);
    await svc.answer(reply([0, 1].map((i) => check(i)), { total: 2 }));
    await vi.waitFor(() => expect(useConsole.getState().overview.loaded).toBe(true));

    useConsole.getState().wantRows(0, 2);
    expect(svc.asked).toHaveLength(1); // held already
    useConsole.getState().setFilter({ status: 'down', search: 'job' });
    expect(useConsole.getState().overview).toMatchObject({ rows: [], loaded: false });
    await vi.waitFor(() => expect(svc.asked).toHaveLength(2));
    expect(svc.asked[1]).toBe('/api/lubdub/overview?offset=0&limit=102&status=down&search=job');
    // the filter changes again before the answer: that answer is not shown, the newer filter is read
    useConsole.getState().setFilter({ status: 'all' });
    await svc.answer(reply([check(0, { status: 'down' })], { total: 1 }));
    await vi.waitFor(() => expect(svc.asked).toHaveLength(3));
    expect(useConsole.getState().overview.loaded).toBe(false);
    expect(svc.asked[2]).toBe('/api/lubdub/overview?offset=0&limit=102&search=job');
    await svc.answer(reply([check(0), check(1)], { total: 2 }));
    await vi.waitFor(() => expect(names()).toEqual(['job 0:up', 'job 1:up']));
  });
});
