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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('when Lubdub itself was not running (real service, restarted)', () => {
  it('holds missed deadlines for the catch-up window, applies a spooled ?ts= ping, then one summary for the silent check', async () => {
    rx = await receiver();
    s = await serve();
    const dataDir = s.dataDir;
    const hook = ((await (await s.api('/api/lubdub/channels', { method: 'POST', json: { name: 'hook', kind: 'webhook', config: { url: `${rx.url}/h` } } })).json()) as { id: string }).id;
    const spooled = await createCheck(s, { name: 'spooled job', timeout: 8, grace: 1, channels: hook });
    const silent = await createCheck(s, { name: 'silent job', timeout: 1, grace: 1, channels: hook });
    const p0 = Date.now();
    for (const c of [spooled, silent]) expect((await fetch(`${s.pingUrl}/ping/${c.uuid}`)).status).toBe(200);
    await s.stop();
    s = null;

    // Both deadlines pass while Lubdub is down (silent: +2 s, spooled: +9 s).
    await sleep(Math.max(0, p0 + 9300 - Date.now()));
    s = await serve({ dataDir, env: { LUBDUB_CATCHUP_WINDOW: '3' } });
    const started = Date.now();
    const get = async (u: string) => (await (await s!.api(`/api/v3/checks/${u}`)).json()) as Record<string, any>;
    const flips = async (u: string) => (await (await s!.api(`/api/v3/checks/${u}/flips/`)).json()) as { new_status: string; reason: string }[];

    expect(await get(silent.uuid)).toMatchObject({ status: 'grace', monitor_offline: true });
    expect(await get(spooled.uuid)).toMatchObject({ status: 'grace', monitor_offline: true });
    expect((await flips(silent.uuid)).filter((f) => f.new_status === 'down')).toEqual([]);
    const gaps = ((await (await s.api('/api/lubdub/offline')).json()) as { gaps: Record<string, unknown>[] }).gaps;
    expect(gaps).toEqual([expect.objectContaining({ cause: 'start', held: 2, missed: null })]);

    // The job's spool delivers the ping it made at +9.2 s, while Lubdub was down.
    const ts = ((p0 + 9200) / 1000).toFixed(3);
    expect((await fetch(`${s.pingUrl}/ping/${spooled.uuid}?ts=${ts}`)).status).toBe(200);
    const afterPing = await get(spooled.uuid);
    expect(afterPing).toMatchObject({ status: 'up', monitor_offline: false });
    const pings = ((await (await s.api(`/api/v3/checks/${spooled.uuid}/pings/`)).json()) as { pings: { date: string; received: string }[] }).pings;
    expect(Date.parse(pings[0].date)).toBe(Math.round(Number(ts) * 1000));
    expect(Date.parse(pings[0].received)).toBeGreaterThanOrEqual(started - 2000);

    // No down flip and no alert during the window: a check started after the restart fails,
    // and its alert is the first POST.
    const posts = () => rx!.requests.map((r) => JSON.parse(r.body)).map((b) => (b.kind === 'summary' ? b.title : `${b.kind} ${b.name}`));
    const marker = await createCheck(s, { name: 'marker', timeout: 3600, grace: 3600, channels: hook });
    expect((await fetch(`${s.pingUrl}/ping/${marker.uuid}`)).status).toBe(200); // new → up: no alert
    expect((await fetch(`${s.pingUrl}/ping/${marker.uuid}/fail`)).status).toBe(200);
    await waitFor(() => posts().includes('down marker'), 5000);
    expect(posts()).toEqual(['down marker']);
    expect(await get(silent.uuid)).toMatchObject({ status: 'grace', monitor_offline: true });

    await waitFor(async () => (await get(silent.uuid)).status === 'down', 10_000);
    await waitFor(() => rx!.requests.length >= 2, 5000);
    // one summary and nothing after it: the marker's recovery is the next POST
    expect((await fetch(`${s.pingUrl}/ping/${marker.uuid}`)).status).toBe(200);
    await waitFor(() => posts().includes('up marker'), 5000);
    expect(posts()).toEqual(['down marker', '1 check missed while Lubdub was offline', 'up marker']);
    expect(await get(silent.uuid)).toMatchObject({ down_reason: 'missed while Lubdub was offline', monitor_offline: false });
    expect((await flips(silent.uuid)).filter((f) => f.new_status === 'down')).toEqual([expect.objectContaining({ reason: 'missed while Lubdub was offline' })]);
    // (its next deadline, ts + 9 s, is the normal rule's business: never an offline miss)
    expect((await flips(spooled.uuid)).filter((f) => f.reason === 'missed while Lubdub was offline')).toEqual([]);
    expect(JSON.parse(rx.requests[1].body)).toMatchObject({
      kind: 'summary',
      title: '1 check missed while Lubdub was offline',
      checks: [expect.objectContaining({ uuid: silent.uuid, name: 'silent job' })],
    });
    expect(s.output()).toMatch(/was not watching from .* \(start\); 2 check\(s\) held in grace until/);
  });
});
