/**
 * The service announces every status change that happens by the clock alone: the real
 * service in-process on a fake clock, its event stream read over a real socket, and no
 * client request between the boundaries.
 */
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { newCheckRow } from '../../electron/service/db/repos.js';
import { harness, KEY, recordEvents, type Harness } from '../helpers/in-process.js';
import { tempDir, waitFor } from '../helpers/serve.js';
import { openEvents, type EventStream } from '../helpers/sse.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const SEC = 1000;

let h: Harness | null = null;
let stream: EventStream | null = null;
const dirs = new Set<string>();
afterEach(async () => {
  stream?.close();
  await h?.stop();
  stream = null;
  h = null;
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs.clear();
});

interface Watch {
  h: Harness;
  s: EventStream;
  /** HTTP requests the service received after `start` (both listeners) */
  requests: string[];
}

/** A service on the fake clock, its event stream open, and every later request counted. */
async function watch(config: Parameters<typeof harness>[0] = {}): Promise<Watch> {
  h = await harness({ start: T0, ...config, core: { aliveEveryMs: 0 } });
  dirs.add(h.dataDir);
  stream = await openEvents(`${h.svc.uiUrl}/api/events`, { 'x-api-key': KEY });
  expect(stream.status).toBe(200);
  await waitFor(() => stream!.events.some((e) => e.type === 'hello'));
  const requests: string[] = [];
  const count = (req: IncomingMessage) => requests.push(`${req.method} ${req.url}`);
  h.svc.api.server.on('request', count);
  h.svc.receiver.server.on('request', count);
  return { h, s: stream, requests };
}

let markers = 0;
/** Sends a marker through the stream and waits for it: every event sent before it has arrived. */
async function flush(w: Watch): Promise<void> {
  const id = ++markers;
  w.h.svc.bus.emit('public', { type: 'settings', data: { marker: id } });
  await waitFor(() => w.s.events.some((e) => e.type === 'settings' && e.data.marker === id), 10_000, 5);
}

/** The `check` events of one check received so far. */
function checkEvents(w: Watch, uuid: string): Record<string, any>[] {
  return w.s.events.filter((e) => e.type === 'check' && e.data.uuid === uuid).map((e) => e.data);
}

async function create(w: Watch, body: Record<string, unknown>): Promise<string> {
  const r = await w.h.api('POST', '/api/v3/checks/', { channels: '', ...body });
  expect(r.status).toBe(201);
  return r.json.uuid;
}

/**
 * Advances the fake clock to 1 ms before `at` and checks that no new `check` event came,
 * then to `at` and waits for exactly one event of this check, which it returns.
 */
async function boundary(w: Watch, uuid: string, at: number): Promise<Record<string, any>> {
  const before = checkEvents(w, uuid).length;
  w.h.timers.advanceTo(at - 1);
  await flush(w);
  expect(checkEvents(w, uuid)).toHaveLength(before);
  w.h.timers.advanceTo(at);
  await waitFor(() => checkEvents(w, uuid).length > before, 10_000, 5);
  await flush(w);
  const got = checkEvents(w, uuid).slice(before);
  expect(got).toHaveLength(1);
  return got[0];
}

describe('status changes on the event stream', () => {
  it('up → grace → down: one check event at each boundary, with no client request', async () => {
    const w = await watch();
    const uuid = await create(w, { name: 'backup', timeout: 60, grace: 30 });
    expect(await w.h.ping(uuid)).toBe(200);
    await flush(w);
    expect(checkEvents(w, uuid).at(-1)).toMatchObject({ status: 'up' });
    w.requests.length = 0;

    expect(await boundary(w, uuid, T0 + 60 * SEC)).toMatchObject({ status: 'grace', monitor_offline: false });
    expect(await boundary(w, uuid, T0 + 90 * SEC)).toMatchObject({ status: 'down' });
    // The flip is on the stream beside it; nothing else changes by the clock afterwards.
    expect(w.s.events.filter((e) => e.type === 'flip' && e.data.check === uuid).map((e) => e.data.flip.new_status)).toEqual(['up', 'down']);
    w.h.timers.advance(3600 * SEC);
    await flush(w);
    expect(checkEvents(w, uuid).map((c) => c.status)).toEqual(['new', 'up', 'grace', 'down']);
    expect(w.requests).toEqual([]);
  });

  it('a cron check: grace at the missed run, down after its grace', async () => {
    const w = await watch();
    const uuid = await create(w, { name: 'nightly', schedule: '0 11 * * *', tz: 'UTC', grace: 600 });
    await w.h.ping(uuid);
    await flush(w);
    w.requests.length = 0;
    expect(await boundary(w, uuid, Date.parse('2024-05-01T11:00:00Z'))).toMatchObject({ status: 'grace' });
    expect(await boundary(w, uuid, Date.parse('2024-05-01T11:10:00Z'))).toMatchObject({ status: 'down' });
    expect(w.requests).toEqual([]);
  });

  it('a running job that exceeds its grace is announced as down, also on a check already down', async () => {
    const w = await watch();
    const job = await create(w, { name: 'long run', timeout: 86400, grace: 300 });
    await w.h.ping(job);
    w.h.timers.advance(60 * SEC);
    await w.h.ping(job, '/start');
    await flush(w);
    expect(checkEvents(w, job).at(-1)).toMatchObject({ status: 'started' });

    // A check that failed, then started a new run: the row is down already, so no flip marks
    // the moment the run exceeds its grace; the status change is announced anyway.
    const retried = await create(w, { name: 'retried', timeout: 86400, grace: 600 });
    await w.h.ping(retried, '/fail');
    await w.h.ping(retried, '/start');
    await flush(w);
    expect(checkEvents(w, retried).at(-1)).toMatchObject({ status: 'started' });
    w.requests.length = 0;

    expect(await boundary(w, job, T0 + 360 * SEC)).toMatchObject({ status: 'down' });
    expect(await boundary(w, retried, T0 + 660 * SEC)).toMatchObject({ status: 'down' });
    expect(w.requests).toEqual([]);
  });

  it('a database from before status announcements: its checks are announced after a restart', async () => {
    const dataDir = tempDir('lubdub-status-');
    dirs.add(dataDir);
    h = await harness({ start: T0, dataDir, core: { aliveEveryMs: 0 } });
    const uuid = (await h.api('POST', '/api/v3/checks/', { name: 'old', timeout: 3600, grace: 60, channels: '' })).json.uuid as string;
    await h.ping(uuid);
    h.svc.repos.db.prepare('UPDATE checks SET status_at = NULL').run();
    const clock = h.clock;
    await h.stop();
    h = null;

    const w = await watch({ clock, dataDir });
    expect(await boundary(w, uuid, T0 + 3600 * SEC)).toMatchObject({ status: 'grace' });
    expect(w.requests).toEqual([]);
  });

  it('a check whose deadline passed while Lubdub was not watching is announced held, then down when the hold ends', async () => {
    const w = await watch({ config: { catchupWindow: 600 } });
    const uuid = await create(w, { name: 'silent', timeout: 60, grace: 60 });
    await w.h.ping(uuid);
    await flush(w);
    w.requests.length = 0;
    const before = checkEvents(w, uuid).length;

    // The machine sleeps for an hour: no timer fires; on wake-up the timer is late.
    w.h.timers.sleep(3600 * SEC);
    w.h.timers.advance(60 * SEC);
    const wake = w.h.clock.now();
    await waitFor(() => checkEvents(w, uuid).length > before, 10_000, 5);
    await flush(w);
    expect(checkEvents(w, uuid).slice(before)).toEqual([expect.objectContaining({ status: 'grace', monitor_offline: true })]);

    const end = await boundary(w, uuid, wake + 600 * SEC);
    expect(end).toMatchObject({ status: 'down', monitor_offline: false });
    expect(w.requests).toEqual([]);
  });

  it('10,000 checks turning late at the same instant: each announced once at that instant, by one timer', async () => {
    h = await harness({ start: T0, core: { aliveEveryMs: 0 } });
    dirs.add(h.dataDir);
    const { repos } = h.svc;
    const N = 10_000;
    repos.db.transaction(() => {
      for (let i = 0; i < N; i++) {
        const row = newCheckRow(crypto.randomUUID(), T0, { name: `job ${i}`, status: 'up', timeout: 60, grace: 600, lastPing: T0, nPings: 1 });
        repos.checks.insert({ ...row, alertAfter: T0 + 660 * SEC, statusAt: T0 + 60 * SEC });
      }
    })();
    h.svc.bus.emit('deadlines');
    const events = recordEvents(h);
    expect(h.timers.nextAt()).toBe(T0 + 60 * SEC);

    h.timers.advanceTo(T0 + 60 * SEC - 1);
    expect(events).toHaveLength(0);
    h.timers.advanceTo(T0 + 60 * SEC);
    const checks = events.filter((e) => e.type === 'check').map((e) => e.data as { uuid: string; status: string });
    expect(checks).toHaveLength(N);
    expect(new Set(checks.map((c) => c.uuid)).size).toBe(N);
    expect(checks.every((c) => c.status === 'grace')).toBe(true);
    // Every row now waits for its deadline; the one timer is armed on it.
    expect(repos.db.prepare('SELECT COUNT(*) AS n FROM checks WHERE status_at = ?').get(T0 + 660 * SEC)).toEqual({ n: N });
    expect(h.timers.nextAt()).toBe(T0 + 660 * SEC);
    expect(h.timers.maxPending).toBe(1);
  });
});
