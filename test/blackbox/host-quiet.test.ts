/**
 * Host-quiet grouping, from the real service in-process on a fake clock: checks ping over real
 * sockets from two loopback source addresses, a webhook receiver records what is sent.
 */
import fs from 'node:fs';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, receiver, type Harness, type Receiver } from '../helpers/in-process.js';
import { waitFor } from '../helpers/serve.js';

let h: Harness | null = null;
let rx: Receiver | null = null;
afterEach(async () => {
  await h?.stop();
  await rx?.close();
  if (h) fs.rmSync(h.dataDir, { recursive: true, force: true });
  h = rx = null;
});

const T0 = Date.parse('2024-05-01T10:00:00Z');
const NAS = '127.0.0.2';
const PI = '127.0.0.3';

/** A success ping over a real socket from `from` (the client's bound local address). */
function pingFrom(uuid: string, from: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${h!.svc.pingListenUrl}/ping/${uuid}`, { method: 'POST', localAddress: from, agent: false }, (r) => {
      r.resume();
      r.on('end', () => resolve(r.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits until no delivery is being sent or due (held flips may stay unclaimed). */
async function sent(n: number): Promise<Record<string, any>[]> {
  await waitFor(() => rx!.requests.length >= n && h!.alerting.store.listDeliveries({ status: 'sending', limit: 1 }).length === 0, 10_000, 10);
  // the marker: a channel test sent after the action arrives after anything the action sent
  const marker = await h!.api('POST', `/api/lubdub/channels/${hook}/test`);
  expect(marker.status).toBe(200);
  const all = rx!.requests.map((r) => JSON.parse(r.body) as Record<string, any>);
  expect(all.at(-1)!.kind).toBe('test');
  rx!.requests.length = 0;
  return all.slice(0, -1);
}

let hook = '';

describe('one alert when a host goes quiet', () => {
  it('three jobs of one source missing within the window → one alert; the other source is unaffected; recovery grouped; off → one alert each', async () => {
    rx = await receiver();
    h = await harness({ start: T0, core: { aliveEveryMs: 0 }, alerts: { resolveHost: async (a) => (a === NAS ? 'nas.test' : null) } });
    hook = (await h.api('POST', '/api/lubdub/channels', { name: 'hook', kind: 'webhook', config: { url: `${rx.url}/hook` } })).json.id;
    const mk = async (name: string, timeout: number) => (await h!.api('POST', '/api/v3/checks/', { name, timeout, grace: 10, channels: hook })).json.uuid as string;
    const [backup, photos, dump] = [await mk('backup', 60), await mk('photo-sync', 60), await mk('db-dump', 90)];
    const [sensor, cam] = [await mk('sensor', 60), await mk('cam', 60)];
    for (const u of [backup, photos, dump]) expect(await pingFrom(u, NAS)).toBe(200);
    for (const u of [sensor, cam]) expect(await pingFrom(u, PI)).toBe(200);
    // off by default, and Settings shows the hosts it would group (the name once looked up)
    const hosts = (names: (string | null)[]) => [
      { address: NAS, name: names[0], checks: ['backup', 'db-dump', 'photo-sync'] },
      { address: PI, name: names[1], checks: ['cam', 'sensor'] },
    ];
    expect((await h.api('GET', '/api/lubdub/host-grouping')).json).toEqual({ window_seconds: 0, hosts: hosts([null, null]) });
    // turned on with a two-minute window
    expect((await h.api('POST', '/api/lubdub/host-grouping', { window_seconds: 120 })).json).toEqual({ window_seconds: 120, hosts: hosts(['nas.test', null]) });
    const status = async (u: string) => (await h!.api('GET', `/api/v3/checks/${u}`)).json.status as string;

    // the other host keeps pinging
    h.timers.advance(50_000);
    for (const u of [sensor, cam]) expect(await pingFrom(u, PI)).toBe(200);
    // backup and photo-sync go down at +70 s: they wait for the rest of their host
    h.timers.advance(20_000);
    expect(await status(backup)).toBe('down');
    expect(await status(photos)).toBe('down');
    expect(await sent(0)).toEqual([]);
    h.timers.advance(30_000);
    for (const u of [sensor, cam]) expect(await pingFrom(u, PI)).toBe(200);
    // db-dump at +100 s: every job of the host is down, one alert at once
    expect(await status(dump)).toBe('down');
    const quiet = await sent(1);
    expect(quiet).toHaveLength(1);
    expect(quiet[0]).toMatchObject({ kind: 'summary', title: 'nas.test (127.0.0.2) went quiet: 3 jobs missed — backup, photo-sync, db-dump' });
    // each flip is still recorded
    for (const u of [backup, photos, dump]) expect((await h.api('GET', `/api/v3/checks/${u}/flips/`)).json.at(0)).toMatchObject({ new_status: 'down' });
    expect(await status(sensor)).toBe('up');
    expect(await status(cam)).toBe('up');

    // the host comes back: one recovery
    h.timers.advance(20_000);
    for (const u of [backup, photos, dump]) expect(await pingFrom(u, NAS)).toBe(200);
    for (const u of [sensor, cam]) expect(await pingFrom(u, PI)).toBe(200);
    const back = await sent(1);
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ kind: 'summary', title: 'nas.test (127.0.0.2) is back: 3 jobs ping again — backup, photo-sync, db-dump' });

    // switched off: one alert per check again
    expect((await h.api('POST', '/api/lubdub/host-grouping', { window_seconds: -1 })).status).toBe(400);
    expect((await h.api('POST', '/api/lubdub/host-grouping', { window_seconds: 0 })).json).toMatchObject({ window_seconds: 0 });
    h.timers.advance(50_000);
    for (const u of [dump, sensor, cam]) expect(await pingFrom(u, u === dump ? NAS : PI)).toBe(200);
    h.timers.advance(20_000);
    const single = await sent(2);
    expect(single.map((m) => [m.kind, m.name]).sort()).toEqual([
      ['down', 'backup'],
      ['down', 'photo-sync'],
    ]);
  });

  it('a source with a single job, and one whose jobs miss further apart than the window, alert one by one', async () => {
    rx = await receiver();
    h = await harness({ start: T0, core: { aliveEveryMs: 0 }, alerts: { resolveHost: async () => null } });
    hook = (await h.api('POST', '/api/lubdub/channels', { name: 'hook', kind: 'webhook', config: { url: `${rx.url}/hook` } })).json.id;
    expect((await h.api('POST', '/api/lubdub/host-grouping', { window_seconds: 30 })).status).toBe(200);
    const mk = async (name: string, timeout: number) => (await h!.api('POST', '/api/v3/checks/', { name, timeout, grace: 10, channels: hook })).json.uuid as string;
    const [early, late] = [await mk('early', 60), await mk('late', 600)];
    const lone = await mk('lone', 60);
    for (const u of [early, late]) expect(await pingFrom(u, NAS)).toBe(200);
    expect(await pingFrom(lone, PI)).toBe(200);
    h.timers.advance(70_000);
    // the lone job's host has nothing to wait for
    expect((await sent(1)).map((m) => m.name)).toEqual(['lone']);
    // early waits for its window (30 s), then goes out alone
    h.timers.advance(30_000 - 1);
    expect(await sent(0)).toEqual([]);
    h.timers.advance(1);
    expect((await sent(1)).map((m) => [m.kind, m.name])).toEqual([['down', 'early']]);
    // a host with one job is not a group
    expect((await h.api('GET', '/api/lubdub/host-grouping')).json).toEqual({ window_seconds: 30, hosts: [{ address: NAS, name: null, checks: ['early', 'late'] }] });
  });
});
