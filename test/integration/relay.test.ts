/**
 * The relay: every start/success/fail/exit-status ping of a check with an `upstream` reaches
 * that ping URL on a second real Lubdub, in order and once, also after the upstream was down
 * (retried with backoff on the scheduler's fake clock) and after a kill -9 of the relaying
 * Lubdub (a real `npm run serve` process) in between. Plus the "Lubdub itself" heartbeat.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { integrationsFeature } from '../../electron/service/integrations/feature.js';
import { forwardUrl, relayBackoff, type Sender } from '../../electron/service/integrations/relay.js';
import { harness, receiver, type Harness, type Receiver } from '../helpers/in-process.js';
import { serve, tempDir, waitFor, type Served } from '../helpers/serve.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const stops: (() => Promise<unknown>)[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function service(opts: { dataDir?: string; pingPort?: number; send?: Sender; heartbeat?: { url: string; everyMs: number } } = {}): Promise<Harness> {
  const dataDir = opts.dataDir ?? tempDir('lubdub-relay-');
  if (!dirs.includes(dataDir)) dirs.push(dataDir);
  const h = await harness({
    start: T0,
    dataDir,
    core: { aliveEveryMs: 0 },
    config: opts.pingPort ? { pingPort: opts.pingPort } : {},
    features: [integrationsFeature({ send: opts.send, heartbeat: opts.heartbeat })],
  });
  stops.push(() => h.stop());
  return h;
}

/** What the upstream Lubdub stored for a check, oldest first: kind and exit status. */
async function upstreamLog(up: Harness, uuid: string): Promise<string[]> {
  const pings = (await up.api('GET', `/api/v3/checks/${uuid}/pings/`)).json.pings as { type: string; exitstatus?: number; n: number }[];
  return pings.reverse().map((p) => `${p.type}${p.exitstatus !== undefined ? `:${p.exitstatus}` : ''}`);
}

const relayRow = (h: Harness) => h.svc.repos.db.prepare('SELECT last_n, attempts, next_attempt FROM relay_state').get() as { last_n: number; attempts: number; next_attempt: number | null } | undefined;

describe('relay to an upstream ping URL', () => {
  it('forwards start, success, fail and exit statuses to a second real Lubdub in order; log pings are not forwarded; none twice', async () => {
    const up = await service();
    const target = (await up.api('POST', '/api/v3/checks/', { name: 'mirror', timeout: 3600, channels: '' })).json.uuid as string;
    const a = await service();
    const bad = await a.api('POST', '/api/v3/checks/', { name: 'backup', upstream: 'ftp://x', channels: '' });
    expect([bad.status, bad.json.error]).toEqual([400, 'json validation error: upstream must be an http or https URL']);
    const created = await a.api('POST', '/api/v3/checks/', { name: 'backup', timeout: 3600, upstream: `${up.svc.pingListenUrl}/ping/${target}`, channels: '' });
    expect(created.status).toBe(201);
    expect(created.json.upstream).toBe(`${up.svc.pingListenUrl}/ping/${target}`);
    const uuid = created.json.uuid as string;

    for (const suffix of ['/start', '', '/log', '/fail', '/3', '/0']) {
      expect(await a.ping(uuid, suffix, { body: `run ${suffix}` })).toBe(200);
      a.timers.advance(0);
    }
    const want = ['start', 'success', 'fail', 'fail:3', 'success:0'];
    await waitFor(async () => (await upstreamLog(up, target)).length >= want.length);
    await waitFor(() => relayRow(a)?.last_n === 6);
    expect(await upstreamLog(up, target)).toEqual(want);
    // the body travels with the ping
    const pings = (await up.api('GET', `/api/v3/checks/${target}/pings/`)).json.pings as { body_preview: string }[];
    expect(pings.map((p) => p.body_preview).reverse()).toEqual(['run /start', 'run ', 'run /fail', 'run /3', 'run /0']);
    a.timers.advance(60_000);
    expect(await upstreamLog(up, target)).toEqual(want);
  });

  it('an upstream that is down: the same ping is retried with growing backoff, then all go out in order, each once', async () => {
    const rx: Receiver = await receiver();
    stops.push(() => rx.close());
    rx.respond = () => ({ status: 503 });
    const a = await service();
    const uuid = (await a.api('POST', '/api/v3/checks/', { name: 'job', timeout: 3600, upstream: `${rx.url}/ping/up`, channels: '' })).json.uuid as string;
    for (const suffix of ['/start', '', '/fail']) expect(await a.ping(uuid, suffix)).toBe(200);
    a.timers.advance(0);
    await waitFor(() => relayRow(a)?.attempts === 1);
    expect(relayRow(a)!.next_attempt).toBe(a.clock.now() + relayBackoff(1));
    a.timers.advance(relayBackoff(1) - 1);
    expect(rx.requests).toHaveLength(1);
    a.timers.advance(1);
    await waitFor(() => relayRow(a)?.attempts === 2);
    expect(relayRow(a)!.next_attempt).toBe(a.clock.now() + relayBackoff(2));
    expect(relayBackoff(2)).toBe(2 * relayBackoff(1));

    rx.respond = () => ({ status: 200 });
    a.timers.advance(relayBackoff(2));
    await waitFor(() => rx.requests.length === 5 && relayRow(a)?.last_n === 3);
    expect(rx.requests.map((r) => r.url)).toEqual(['/ping/up/start', '/ping/up/start', '/ping/up/start', '/ping/up', '/ping/up/fail']);
    expect(relayRow(a)!.attempts).toBe(0);
  });

  it('a ping the upstream refuses for good (404) is passed over, so the next is not held behind it', async () => {
    const rx: Receiver = await receiver();
    stops.push(() => rx.close());
    let n = 0;
    rx.respond = () => ({ status: n++ === 0 ? 404 : 200 });
    const a = await service();
    const uuid = (await a.api('POST', '/api/v3/checks/', { name: 'job', timeout: 3600, upstream: `${rx.url}/ping/x`, channels: '' })).json.uuid as string;
    for (const suffix of ['/start', '']) expect(await a.ping(uuid, suffix)).toBe(200);
    a.timers.advance(0);
    await waitFor(() => relayRow(a)?.last_n === 2);
    expect(rx.requests.map((r) => r.url)).toEqual(['/ping/x/start', '/ping/x']);
  });

  it('after the upstream was down and the relaying Lubdub was killed with kill -9, the pings arrive in order, each once', async () => {
    const port = await new Promise<number>((r) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => r(p));
      });
    });
    const upDir = tempDir('lubdub-relay-up-');
    dirs.push(upDir);
    let up = await harness({ start: T0, dataDir: upDir, core: { aliveEveryMs: 0 }, config: { pingPort: port } });
    let upStopped = false;
    stops.push(() => (upStopped ? Promise.resolve() : up.stop()));
    const target = (await up.api('POST', '/api/v3/checks/', { name: 'mirror', timeout: 3600, channels: '' })).json.uuid as string;

    const aDir = tempDir('lubdub-relay-a-');
    dirs.push(aDir);
    let a: Served = await serve({ dataDir: aDir });
    stops.push(() => a.stop());
    const c = (await (await a.api('/api/v3/checks/', { method: 'POST', json: { name: 'backup', timeout: 3600, upstream: `http://127.0.0.1:${port}/ping/${target}`, channels: '' } })).json()) as { uuid: string };
    const ping = async (suffix: string) => expect((await fetch(`${a.pingUrl}/ping/${c.uuid}${suffix}`, { method: 'POST' })).status).toBe(200);

    await ping('/start');
    await ping('');
    await waitFor(async () => (await upstreamLog(up, target)).length === 2);
    // and the relay has its confirmation (stopping the upstream before its answer arrives would resend that ping)
    await waitFor(async () => ((await (await a.api(`/api/v3/checks/${c.uuid}`)).json()) as { relay?: { forwarded_n: number | null } }).relay?.forwarded_n === 2);

    // the upstream goes away; pings keep being answered and stored here
    await up.stop();
    upStopped = true;
    await ping('/start');
    await ping('/7');
    await ping('/start');
    await a.kill9();

    up = await harness({ start: T0, dataDir: upDir, core: { aliveEveryMs: 0 }, config: { pingPort: port } });
    upStopped = false;
    a = await serve({ dataDir: aDir });
    await ping('/0');
    const want = ['start', 'success', 'start', 'fail:7', 'start', 'success:0'];
    await waitFor(async () => (await upstreamLog(up, target)).length >= want.length, 20_000);
    // a marker after the last ping: once it has arrived, nothing else is on its way
    await ping('/log');
    await ping('/fail');
    await waitFor(async () => (await upstreamLog(up, target)).length >= want.length + 1, 20_000);
    expect(await upstreamLog(up, target)).toEqual([...want, 'fail']);
  }, 60_000);
});

describe('the "Lubdub itself" heartbeat', () => {
  it('pings the configured URL every N minutes while running and sends /fail when the store cannot be written', async () => {
    const sent: { url: string; body: string | null }[] = [];
    const send: Sender = async (url, body) => {
      sent.push({ url, body: body ? body.toString() : null });
      return { ok: true };
    };
    const a = await service({ send, heartbeat: { url: 'https://hc-ping.com/lubdub-itself', everyMs: 5 * 60_000 } });
    expect(sent).toEqual([{ url: 'https://hc-ping.com/lubdub-itself', body: null }]);
    a.timers.advance(5 * 60_000 - 1);
    expect(sent).toHaveLength(1);
    a.timers.advance(1);
    expect(sent).toHaveLength(2);

    // the store turns read-only: the next beat says so
    a.svc.repos.db.exec("CREATE TRIGGER no_settings BEFORE INSERT ON settings BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;");
    a.svc.repos.db.exec("CREATE TRIGGER no_settings_u BEFORE UPDATE ON settings BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;");
    a.timers.advance(5 * 60_000);
    expect(sent).toHaveLength(3);
    expect(sent[2].url).toBe('https://hc-ping.com/lubdub-itself/fail');
    expect(sent[2].body).toMatch(/^Lubdub cannot write its database: .*disk I\/O error/);
  });
});

describe('forwardUrl', () => {
  it('maps each stored ping to the upstream URL that gives the same signal', () => {
    const u = 'https://hc-ping.com/abc';
    expect(forwardUrl(u, { kind: 'start', exitStatus: null, rid: null })).toBe(`${u}/start`);
    expect(forwardUrl(u, { kind: 'success', exitStatus: null, rid: null })).toBe(u);
    expect(forwardUrl(u, { kind: 'fail', exitStatus: null, rid: null })).toBe(`${u}/fail`);
    expect(forwardUrl(u, { kind: 'fail', exitStatus: 3, rid: null })).toBe(`${u}/3`);
    expect(forwardUrl(u, { kind: 'success', exitStatus: 0, rid: 'a b' })).toBe(`${u}/0?rid=a%20b`);
    expect(forwardUrl(u, { kind: 'log', exitStatus: null, rid: null })).toBeNull();
    expect(forwardUrl(u, { kind: 'ign', exitStatus: null, rid: null })).toBeNull();
  });
});
