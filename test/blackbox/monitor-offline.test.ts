import { afterEach, describe, expect, it } from 'vitest';
import { receiver, type Receiver } from '../helpers/in-process.js';
import { createCheck, serve, waitFor, type Served } from '../helpers/serve.js';

let s: Served | null = null;
let rx: Receiver | null = null;
afterEach(async () => {
  await s?.stop();
  await rx?.close();
  s = rx = null;
});

// The catch-up window's exact edges, a spooled ?ts= ping applied inside it and what the tray
// shows are proven on a fake clock across in-process restarts in test/integration/offline.test.ts.
// Here the real CLI, restarted on its data dir, finds the gap on its own.
describe('when Lubdub itself was not running (real service, restarted)', () => {
  it('holds a check whose deadline passed while it was down, logs the gap, then sends one summary', async () => {
    rx = await receiver();
    s = await serve();
    const dataDir = s.dataDir;
    const hook = ((await (await s.api('/api/lubdub/channels', { method: 'POST', json: { name: 'hook', kind: 'webhook', config: { url: `${rx.url}/h` } } })).json()) as { id: string }).id;
    const silent = await createCheck(s, { name: 'silent job', timeout: 1, grace: 1, channels: hook });
    expect((await fetch(`${s.pingUrl}/ping/${silent.uuid}`)).status).toBe(200);
    const get = async (u: string) => (await (await s!.api(`/api/v3/checks/${u}`)).json()) as Record<string, any>;
    // last_ping has whole seconds: the deadline is at most 1 s + 2 s after it
    const deadline = Date.parse((await get(silent.uuid)).last_ping) + 3_000;
    await s.stop();
    s = null;

    // A precondition, not a window: the deadline passes while Lubdub is down (later is as good).
    await waitFor(() => Date.now() > deadline + 100, 10_000);
    s = await serve({ dataDir, env: { LUBDUB_CATCHUP_WINDOW: '1' } });
    const gaps = ((await (await s.api('/api/lubdub/offline')).json()) as { gaps: Record<string, unknown>[] }).gaps;
    expect(gaps).toEqual([expect.objectContaining({ cause: 'start', held: 1 })]);
    expect(s.output()).toMatch(/was not watching from .* \(start\); 1 check\(s\) held in grace until/);

    const posts = () => rx!.requests.map((r) => JSON.parse(r.body)).map((b) => (b.kind === 'summary' ? b.title : `${b.kind} ${b.name}`));
    await waitFor(() => rx!.requests.length >= 1, 20_000);
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({
      kind: 'summary',
      title: '1 check missed while Lubdub was offline',
      checks: [expect.objectContaining({ uuid: silent.uuid, name: 'silent job' })],
    });
    expect(await get(silent.uuid)).toMatchObject({ status: 'down', down_reason: 'missed while Lubdub was offline', monitor_offline: false });
    const flips = (await (await s.api(`/api/v3/checks/${silent.uuid}/flips/`)).json()) as { new_status: string; reason: string }[];
    expect(flips.filter((f) => f.new_status === 'down')).toEqual([expect.objectContaining({ reason: 'missed while Lubdub was offline' })]);

    // one summary and nothing after it: a marker check's alert is the next POST
    const marker = await createCheck(s, { name: 'marker', timeout: 3600, grace: 3600, channels: hook });
    expect((await fetch(`${s.pingUrl}/ping/${marker.uuid}`)).status).toBe(200); // new → up: no alert
    expect((await fetch(`${s.pingUrl}/ping/${marker.uuid}/fail`)).status).toBe(200);
    await waitFor(() => posts().includes('down marker'), 20_000);
    expect(posts()).toEqual(['1 check missed while Lubdub was offline', 'down marker']);
  }, 90_000);
});
