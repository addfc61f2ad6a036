/**
 * What the console (and the CLI) reach of the integrations through the running service:
 * `POST /api/lubdub/import/healthchecks` (the CLI's import, run by the service so it stays
 * the one writer of checks), `lubdub import healthchecks` through a running `npm run serve`
 * and without one, the "Lubdub itself" heartbeat set at run time, the relay state in a
 * check's JSON, and the ping log keeping pings the relay has not sent yet.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { API } from '../../shared/api/routes.js';
import { PING_LOG_HARD_CAP } from '../../electron/service/core/runtime.js';
import { pruneThrough } from '../../electron/service/core/ingest-queue.js';
import { integrationsFeature } from '../../electron/service/integrations/feature.js';
import type { Sender } from '../../electron/service/integrations/relay.js';
import { harness, KEY, type Harness } from '../helpers/in-process.js';
import { ROOT, serve, tempDir } from '../helpers/serve.js';
import { freePort } from '../helpers/shell-fetch.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const stops: (() => Promise<unknown>)[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function service(opts: { dataDir?: string; send?: Sender; heartbeat?: { url: string; everyMs: number } | null } = {}): Promise<Harness> {
  const dataDir = opts.dataDir ?? tempDir('lubdub-intc-');
  if (!dirs.includes(dataDir)) dirs.push(dataDir);
  const h = await harness({ start: T0, dataDir, core: { aliveEveryMs: 0 }, features: [integrationsFeature({ send: opts.send ?? (async () => ({ ok: true })), heartbeat: opts.heartbeat })] });
  stops.push(() => h.stop());
  return h;
}

function dir(): string {
  const d = tempDir('lubdub-intc-');
  dirs.push(d);
  return d;
}

/** A raw call through the UI port's inject with the given headers (no key: none). */
async function call(h: Harness, method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: unknown) {
  const r = await h.svc.api.inject({
    method,
    url,
    headers: { host: new URL(h.svc.uiUrl).host, 'content-type': 'application/json', ...headers },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.statusCode, json: r.body ? JSON.parse(r.body) : null };
}

/** The other side: a second real Lubdub speaking API v3, with two checks. */
async function otherSide(): Promise<{ h: Harness; checks: Record<string, any>[] }> {
  const h = await service();
  for (const c of [
    { name: 'db backup', slug: 'db-backup', tags: 'prod db', timeout: 3600, grace: 600, channels: '' },
    { name: 'report', slug: 'report', schedule: '15 5 * * 1-5', tz: 'Europe/Riga', grace: 1200, channels: '' },
  ]) {
    expect((await h.api('POST', '/api/v3/checks/', c)).status).toBe(201);
  }
  return { h, checks: (await h.api('GET', '/api/v3/checks/')).json.checks };
}

const IMPORT = API.importHealthchecks.path;

describe('POST /api/lubdub/import/healthchecks', () => {
  it('previews without writing, imports through the check service (events, same uuids), and a second run changes nothing', async () => {
    const hc = await otherSide();
    const me = await service();
    const events: string[] = [];
    me.svc.bus.on('public', (e) => events.push(e.type));

    const dry = await me.api('POST', IMPORT, { url: hc.h.svc.uiUrl, remote_key: KEY, dry_run: true });
    expect(dry.status).toBe(200);
    expect(dry.json.dry_run).toBe(true);
    expect(dry.json.lines.map((l: { action: string; name: string }) => `${l.action} ${l.name}`)).toEqual(['create db backup', 'create report']);
    // the other side's channels are listed, not carried over
    const theirs = (await hc.h.api('GET', '/api/v3/channels/')).json.channels as { name: string; kind: string }[];
    expect(dry.json.channels).toEqual(theirs.map((c) => ({ name: c.name, kind: c.kind })));
    expect((await me.api('GET', '/api/v3/checks/')).json.checks).toEqual([]);
    expect(events).toEqual([]);

    const done = await me.api('POST', IMPORT, { url: hc.h.svc.uiUrl, remote_key: KEY });
    expect(done.json.lines.map((l: { action: string }) => l.action)).toEqual(['create', 'create']);
    const mine = (await me.api('GET', '/api/v3/checks/')).json.checks as Record<string, any>[];
    expect(mine.map((c) => [c.uuid, c.name, c.tags, c.schedule ?? c.timeout])).toEqual(hc.checks.map((c) => [c.uuid, c.name, c.tags, c.schedule ?? c.timeout]));
    // the console hears of each new check on the event stream
    expect(events.filter((t) => t === 'check')).toHaveLength(2);

    const again = await me.api('POST', IMPORT, { url: hc.h.svc.uiUrl, remote_key: KEY });
    expect(again.json.lines.map((l: { action: string }) => l.action)).toEqual(['same', 'same']);
    expect((await me.api('GET', '/api/v3/checks/')).json.checks).toEqual(mine);
  });

  it('needs the full API key or a console session: none is 401, a read-only or device key 403; nothing is read from the other side', async () => {
    const hc = await otherSide();
    const me = await service();
    const body = { url: hc.h.svc.uiUrl, remote_key: KEY };
    expect((await call(me, 'POST', IMPORT, {}, body)).status).toBe(401);
    expect((await call(me, 'POST', IMPORT, { 'x-api-key': 'wrong-key-0123456789abcdef' }, body)).status).toBe(401);
    const read = me.svc.keys.create('wall', 'read').key;
    const device = me.svc.keys.create('phone', 'device').key;
    expect(await call(me, 'POST', IMPORT, { 'x-api-key': read }, body)).toEqual({ status: 403, json: { error: 'this key is read-only' } });
    expect((await call(me, 'POST', IMPORT, { 'x-api-key': device }, body)).status).toBe(403);
    // 401 before 400
    expect((await call(me, 'POST', IMPORT, {}, { url: 5 })).status).toBe(401);
    expect((await me.api('GET', '/api/v3/checks/')).json.checks).toEqual([]);
  });

  it.each([
    [{ url: 'http://x' }, 'json validation error: remote_key is required'],
    [{ url: 'ftp://x', remote_key: 'k' }, 'json validation error: url must be http or https'],
    [{ url: 'not a url', remote_key: 'k' }, 'json validation error: url is not a URL'],
    [{ url: 'http://x', remote_key: 'k', dry_run: 'yes' }, 'json validation error: dry_run is not a boolean'],
  ])('bad input %j is a 400 and writes nothing', async (body, error) => {
    const me = await service();
    const r = await me.api('POST', IMPORT, body);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(new RegExp(`^${error.split(':')[0]}`));
    expect(r.json.error).toBe(error);
    expect((await me.api('GET', '/api/v3/checks/')).json.checks).toEqual([]);
  });

  it('a wrong key or an unreachable host: one clear line (502) and nothing written', async () => {
    const hc = await otherSide();
    const me = await service();
    const wrong = await me.api('POST', IMPORT, { url: hc.h.svc.uiUrl, remote_key: 'not-the-key' });
    expect(wrong).toEqual({ status: 502, json: { error: `${hc.h.svc.uiUrl} refused the API key (HTTP 401)` } });
    const port = await freePort();
    const gone = await me.api('POST', IMPORT, { url: `http://127.0.0.1:${port}`, remote_key: KEY });
    expect(gone).toEqual({ status: 502, json: { error: `cannot reach http://127.0.0.1:${port}: ECONNREFUSED` } });
    expect((await me.api('GET', '/api/v3/checks/')).json.checks).toEqual([]);
  });
});

/** Runs the real `lubdub` command (not spawnSync: the other side answers from this process). */
function lubdubCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: { lubdub: string } };
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LUBDUB_'))) as Record<string, string>;
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, pkg.bin.lubdub), ...args], { encoding: 'utf8', env: { ...clean, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe('lubdub import healthchecks', () => {
  it('goes through the running service when one answers on the UI port (key from keys.json), else writes the data dir; the same lines both ways', async () => {
    const hc = await otherSide();
    const uiPort = await freePort();
    const servedDir = dir();
    // no LUBDUB_API_KEY: the service makes its key in keys.json, where the CLI finds it
    const served = await serve({ dataDir: servedDir, env: { LUBDUB_API_KEY: '', LUBDUB_UI_PORT: String(uiPort) } });
    stops.push(() => served.stop());
    const key = JSON.parse(fs.readFileSync(path.join(servedDir, 'keys.json'), 'utf8')).apiKey as string;
    const listServed = async () =>
      ((await (await fetch(`http://127.0.0.1:${uiPort}/api/v3/checks/`, { headers: { 'x-api-key': key } })).json()) as { checks: { uuid: string }[] }).checks.map((c) => c.uuid);
    const args = (d: string, ...more: string[]) => ['import', 'healthchecks', '--url', hc.h.svc.uiUrl, '--api-key', KEY, '--data-dir', d, ...more];
    const env = { LUBDUB_UI_PORT: String(uiPort) };

    const dry = await lubdubCli(args(servedDir, '--dry-run'), env);
    expect([dry.code, dry.stderr]).toEqual([0, '']);
    expect(await listServed()).toEqual([]);
    const viaService = await lubdubCli(args(servedDir), env);
    expect([viaService.code, viaService.stderr]).toEqual([0, '']);
    // the running service wrote them: its API lists them at once, with the other side's uuids
    expect(await listServed()).toEqual(hc.checks.map((c) => c.uuid));

    // the key of another data dir is refused: one line, nothing written there or here
    const other = dir();
    fs.writeFileSync(path.join(other, 'keys.json'), JSON.stringify({ apiKey: 'some-other-key-0123456789', pingKey: 'pingkey123', badgeKey: 'badge' }));
    const refused = await lubdubCli(args(other), env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`lubdub: the Lubdub service at http://127.0.0.1:${uiPort}${IMPORT} refused the API key of ${other} (HTTP 401); set LUBDUB_API_KEY or --data-dir\n`);
    expect(fs.readdirSync(other)).toEqual(['keys.json']);

    // no service on the port: the command writes a fresh data dir itself, with the same lines
    await served.stop();
    const fresh = dir();
    const dryLocal = await lubdubCli(args(fresh, '--dry-run'), env);
    expect(dryLocal).toEqual(dry);
    expect(fs.readdirSync(fresh)).toEqual([]);
    const local = await lubdubCli(args(fresh), env);
    expect(local).toEqual(viaService);
    expect(local.stdout.split('\n')).toEqual([
      `created      "db backup"  (same uuid ${hc.checks[0].uuid})`,
      `created      "report"  (same uuid ${hc.checks[1].uuid})`,
      'create 2, update 0, unchanged 0, not moved 0',
      'channels not carried over (set them up in Lubdub): Desktop (desktop)',
      '',
    ]);
    // and the stopped service's own data dir: everything is already there
    const again = await lubdubCli(args(servedDir), env);
    expect(again.stdout).toContain('create 0, update 0, unchanged 2, not moved 0');
  }, 180_000);
});

describe('the "Lubdub itself" heartbeat in Settings', () => {
  it('starts from the configured default, is changed and turned off at run time, and shows last sent and last error', async () => {
    const sent: string[] = [];
    let up = true;
    const send: Sender = async (url) => {
      sent.push(url);
      return up ? { ok: true } : { ok: false, permanent: false, error: 'ECONNREFUSED' };
    };
    const me = await service({ send, heartbeat: { url: 'https://hc.example/ping/default', everyMs: 5 * 60_000 } });
    await Promise.resolve();
    expect(sent).toEqual(['https://hc.example/ping/default']);
    const first = await me.api('GET', API.heartbeat.path);
    expect(first.json).toEqual({
      url: 'https://hc.example/ping/default',
      minutes: 5,
      default_url: 'https://hc.example/ping/default',
      default_minutes: 5,
      last_sent: '2024-05-01T10:00:00+00:00',
      last_error: null,
    });

    expect((await me.api('POST', API.saveHeartbeat.path, { url: 'ftp://x' })).json.error).toBe('json validation error: url must be an http or https URL');
    expect((await me.api('POST', API.saveHeartbeat.path, { minutes: 0 })).json.error).toBe('json validation error: minutes must be 1-1440');
    expect((await me.api('GET', API.heartbeat.path)).json).toEqual(first.json);

    me.clock.advance(60_000);
    up = false;
    const saved = await me.api('POST', API.saveHeartbeat.path, { url: 'https://hc.example/ping/mine/', minutes: 2 });
    expect(saved.json).toMatchObject({ url: 'https://hc.example/ping/mine', minutes: 2 });
    me.timers.advance(0);
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual(['https://hc.example/ping/default', 'https://hc.example/ping/mine']);
    expect((await me.api('GET', API.heartbeat.path)).json).toMatchObject({ last_sent: '2024-05-01T10:00:00+00:00', last_error: 'ECONNREFUSED' });
    up = true;
    me.timers.advance(2 * 60_000);
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(3);
    expect((await me.api('GET', API.heartbeat.path)).json).toMatchObject({ last_sent: '2024-05-01T10:03:00+00:00', last_error: null });

    // a read-only key may not read it (a ping URL is a secret of sorts)
    const read = me.svc.keys.create('wall', 'read').key;
    expect((await call(me, 'GET', API.heartbeat.path, { 'x-api-key': read })).status).toBe(403);

    expect((await me.api('POST', API.saveHeartbeat.path, { url: '' })).json.url).toBe('');
    me.timers.advance(60 * 60_000);
    expect(sent).toHaveLength(3);
  });

  it('a saved heartbeat outlives a restart', async () => {
    const sent: string[] = [];
    const send: Sender = async (url) => (sent.push(url), { ok: true });
    const a = await service({ send, heartbeat: null });
    expect(sent).toEqual([]);
    await a.api('POST', API.saveHeartbeat.path, { url: 'https://hc.example/ping/saved', minutes: 10 });
    a.timers.advance(0);
    expect(sent).toEqual(['https://hc.example/ping/saved']);
    await a.stop();
    stops.splice(stops.length - 1, 1);
    const b = await service({ dataDir: a.dataDir, send, heartbeat: null });
    expect((await b.api('GET', API.heartbeat.path)).json).toMatchObject({ url: 'https://hc.example/ping/saved', minutes: 10, default_url: '' });
    expect(sent).toEqual(['https://hc.example/ping/saved', 'https://hc.example/ping/saved']);
  });
});

describe('relay retention of the ping log', () => {
  it('keeps pings the upstream has not confirmed past the 1,000-ping log, then prunes once they are sent; the check JSON shows the relay state', async () => {
    let up = false;
    const sent: string[] = [];
    const send: Sender = async (url) => {
      if (!up) return { ok: false, permanent: false, error: 'ECONNREFUSED' };
      sent.push(url);
      return { ok: true };
    };
    const me = await service({ send });
    const relayed = (await me.api('POST', '/api/v3/checks/', { name: 'relayed', upstream: 'https://hc.example/ping/abc', channels: '' })).json.uuid as string;
    const plain = (await me.api('POST', '/api/v3/checks/', { name: 'plain', channels: '' })).json.uuid as string;
    const count = (uuid: string) =>
      (me.svc.repos.db.prepare('SELECT COUNT(*) AS n FROM pings p JOIN checks c ON c.id = p.check_id WHERE c.uuid = ?').get(uuid) as { n: number }).n;

    const N = 1_100;
    for (let i = 0; i < N; i += 100) {
      await Promise.all(Array.from({ length: 100 }, () => me.ping(relayed)));
      await Promise.all(Array.from({ length: 100 }, () => me.ping(plain)));
      me.timers.advance(0);
      await new Promise((r) => setImmediate(r));
    }
    expect(count(plain)).toBe(1_000);
    expect(count(relayed)).toBe(N);
    const down = (await me.api('GET', `/api/v3/checks/${relayed}`)).json;
    expect(down.relay).toMatchObject({ forwarded_n: 0, pending: N, last_error: 'ECONNREFUSED' });
    expect(down.relay.retry_at).not.toBeNull();
    expect((await me.api('GET', `/api/v3/checks/${plain}`)).json.relay).toBeUndefined();

    // the upstream is back: every kept ping goes, in order, and the log shrinks to its limit on the next ping
    up = true;
    me.timers.advance(15 * 60_000);
    for (let i = 0; i < 100 && sent.length < N; i++) await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(N);
    expect((await me.api('GET', `/api/v3/checks/${relayed}`)).json.relay).toEqual({ forwarded_n: N, pending: 0, retry_at: null, last_error: null });
    expect(await me.ping(relayed)).toBe(200);
    expect(count(relayed)).toBe(1_000);
  }, 60_000);

  it('the rule: the log limit, unsent pings kept, never more than the hard cap', () => {
    expect(pruneThrough(1_500, 1_000, null)).toBe(500);
    expect(pruneThrough(900, 1_000, null)).toBe(0);
    // nothing sent since ping 200: 201… are kept
    expect(pruneThrough(1_500, 1_000, 200)).toBe(200);
    // all sent: the plain limit
    expect(pruneThrough(1_500, 1_000, 1_500)).toBe(500);
    // an upstream dead for good: never more than the cap
    expect(PING_LOG_HARD_CAP).toBe(10_000);
    expect(pruneThrough(25_000, 1_000, 0)).toBe(15_000);
    expect(pruneThrough(25_000, 1_000, 0, 2_000)).toBe(23_000);
  });
});
