import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runCommand } from '../helpers/run.js';
import { createCheck, ROOT, serve, tempDir, type Served } from '../helpers/serve.js';

let s: Served;
beforeAll(async () => {
  s = await serve();
});
afterAll(async () => {
  await s?.stop();
});

const post = (p: string, json: unknown, headers: Record<string, string> = {}) => s.api(p, { method: 'POST', json, headers });

describe('authentication', () => {
  it('missing key → 401 missing api key; wrong key → 401 wrong api key', async () => {
    const none = await fetch(`${s.uiUrl}/api/v3/checks/`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: 'missing api key' });
    const wrong = await fetch(`${s.uiUrl}/api/v3/checks/`, { headers: { 'x-api-key': 'x'.repeat(32) } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'wrong api key' });
  });

  it('accepts api_key in the JSON body, as healthchecks does', async () => {
    const r = await fetch(`${s.uiUrl}/api/v3/checks/`, { method: 'POST', body: JSON.stringify({ api_key: s.apiKey, name: 'body key' }) });
    expect(r.status).toBe(201);
  });

  it('status endpoint needs no key', async () => {
    const r = await fetch(`${s.uiUrl}/api/v3/status/`);
    expect([r.status, await r.text()]).toEqual([200, 'OK']);
  });

  it('refuses a foreign Host with 421 (DNS rebinding)', async () => {
    for (const host of ['evil.example', 'localhost.evil.com', `127.0.0.1:1`, 'lubdub.local']) {
      const status = await rawStatus(s.uiUrl, `GET /api/v3/status/ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(status, host).toBe(421);
    }
    const port = new URL(s.uiUrl).port;
    expect(await rawStatus(s.uiUrl, `GET /api/v3/status/ HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`)).toBe(200);
  });
});

async function rawStatus(base: string, request: string): Promise<number> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port), u.hostname, () => sock.write(request));
    let data = '';
    sock.on('data', (d) => (data += d));
    sock.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1])));
    sock.on('error', reject);
  });
}

describe('checks CRUD', () => {
  it('creates a simple check with healthchecks field names (201)', async () => {
    const c = await createCheck(s, { name: 'Backups', tags: 'prod  www', desc: 'nightly', timeout: 3600, grace: 60 });
    // Lubdub's one difference (docs/alerts.md, Alerts and channels): without `channels` a new check gets
    // the channels marked for new checks, the Desktop channel made on first start.
    const { channels } = (await (await s.api('/api/v3/channels/')).json()) as { channels: { id: string; kind: string }[] };
    const desktop = channels.find((ch) => ch.kind === 'desktop')!.id;
    expect(c).toMatchObject({ name: 'Backups', slug: 'backups', tags: 'prod www', desc: 'nightly', timeout: 3600, grace: 60, status: 'new', n_pings: 0, started: false, last_ping: null, next_ping: null, manual_resume: false, methods: '', channels: desktop });
    expect(c.ping_url).toBe(`http://lubdub.test:8420/ping/${c.uuid}`);
    expect(c.update_url).toBe(`${s.uiUrl}/api/v3/checks/${c.uuid}`);
    expect(c.pause_url).toBe(`${c.update_url}/pause`);
    expect(c.schedule).toBeUndefined();
  });

  it('creates a cron check and validates schedule and tz', async () => {
    const c = await createCheck(s, { name: 'cron', schedule: '0 3 * * *', tz: 'Europe/Berlin' });
    expect(c).toMatchObject({ schedule: '0 3 * * *', tz: 'Europe/Berlin', kind: 'cron' });
    expect(c.timeout).toBeUndefined();
    for (const [json, msg] of [
      [{ schedule: '61 * * * *' }, 'json validation error: schedule is not a valid cron expression'],
      [{ schedule: '* * * *' }, 'json validation error: schedule is not a valid cron expression'],
      [{ tz: 'Mars/Olympus' }, 'json validation error: tz is not a valid timezone'],
      [{ timeout: 0 }, 'json validation error: timeout is too small'],
      [{ grace: 31536001 }, 'json validation error: grace is too large'],
      [{ timeout: 'soon' }, 'json validation error: timeout is not a number'],
      [{ name: 5 }, 'json validation error: name is not a string'],
      [{ methods: 'GET' }, 'json validation error: methods has unexpected value'],
      [{ unique: ['uuid'] }, 'json validation error: unique has unexpected value'],
    ] as const) {
      const r = await post('/api/v3/checks/', json);
      expect(r.status, JSON.stringify(json)).toBe(400);
      expect(await r.json()).toEqual({ error: msg });
    }
  });

  it('accepts the minimum timeout and grace of 1 second', async () => {
    const c = await createCheck(s, { name: 'fast', timeout: 1, grace: 1 });
    expect([c.timeout, c.grace]).toEqual([1, 1]);
  });

  it('invalid JSON and __proto__ are refused with 400 and change nothing', async () => {
    const before = ((await (await s.api('/api/v3/checks/')).json()) as any).checks.length;
    const bad = await s.api('/api/v3/checks/', { method: 'POST', body: '{"name": ', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    const proto = await s.api('/api/v3/checks/', { method: 'POST', body: '{"name":"x","__proto__":{"admin":true}}' });
    expect(proto.status).toBe(400);
    expect(((await (await s.api('/api/v3/checks/')).json()) as any).checks.length).toBe(before);
  });

  it('unique returns the existing check (200) instead of a duplicate', async () => {
    const first = await post('/api/v3/checks/', { name: 'only-once', unique: ['name'], timeout: 60 });
    expect(first.status).toBe(201);
    const second = await post('/api/v3/checks/', { name: 'only-once', unique: ['name'], timeout: 120 });
    expect(second.status).toBe(200);
    const a = (await first.json()) as any;
    const b = (await second.json()) as any;
    expect(b.uuid).toBe(a.uuid);
    expect(b.timeout).toBe(120);
  });

  it('filters the list by tag (all must match) and slug', async () => {
    await createCheck(s, { name: 'tagged-a', tags: 'nas backup' });
    await createCheck(s, { name: 'tagged-b', tags: 'nas' });
    const both = ((await (await s.api('/api/v3/checks/?tag=nas&tag=backup')).json()) as any).checks;
    expect(both.map((c: any) => c.name)).toEqual(['tagged-a']);
    const nas = ((await (await s.api('/api/v3/checks/?tag=nas')).json()) as any).checks;
    expect(nas.map((c: any) => c.name).sort()).toEqual(['tagged-a', 'tagged-b']);
    const slug = ((await (await s.api('/api/v3/checks/?slug=tagged-b')).json()) as any).checks;
    expect(slug).toHaveLength(1);
  });

  it('updates, pauses, resumes (409 when not paused) and deletes', async () => {
    const c = await createCheck(s, { name: 'lifecycle', timeout: 60 });
    const upd = await post(`/api/v3/checks/${c.uuid}`, { name: 'renamed', grace: 120 });
    expect(upd.status).toBe(200);
    expect(await upd.json()).toMatchObject({ name: 'renamed', grace: 120, timeout: 60 });

    await fetch(`${s.pingUrl}/ping/${c.uuid}`);
    const notPaused = await post(`/api/v3/checks/${c.uuid}/resume`, {});
    expect(notPaused.status).toBe(409);

    const paused = await post(`/api/v3/checks/${c.uuid}/pause`, {});
    expect(paused.status).toBe(200);
    expect(((await paused.json()) as any).status).toBe('paused');
    const resumed = await post(`/api/v3/checks/${c.uuid}/resume`, {});
    expect(((await resumed.json()) as any).status).toBe('new');

    const flips = (await (await s.api(`/api/v3/checks/${c.uuid}/flips/`)).json()) as any[];
    expect(flips.map((f) => f.new_status)).toEqual(['new', 'paused', 'up']);
    expect(flips[2]).toMatchObject({ up: 1 });

    const del = await s.api(`/api/v3/checks/${c.uuid}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(((await del.json()) as any).uuid).toBe(c.uuid);
    expect((await s.api(`/api/v3/checks/${c.uuid}`)).status).toBe(404);
    expect((await fetch(`${s.pingUrl}/ping/${c.uuid}`)).status).toBe(404);
  });

  it('manual_resume: a paused check ignores every ping until resumed', async () => {
    const c = await createCheck(s, { name: 'manual', manual_resume: true });
    await fetch(`${s.pingUrl}/ping/${c.uuid}`);
    await post(`/api/v3/checks/${c.uuid}/pause`, {});
    await fetch(`${s.pingUrl}/ping/${c.uuid}`);
    const after = (await (await s.api(`/api/v3/checks/${c.uuid}`)).json()) as any;
    expect(after.status).toBe('paused');
    const p = ((await (await s.api(`/api/v3/checks/${c.uuid}/pings/`)).json()) as any).pings[0];
    expect(p.type).toBe('ign');
  });

  it('unknown uuids and ping numbers answer 404', async () => {
    expect((await s.api('/api/v3/checks/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await s.api('/api/v3/checks/not-a-uuid')).status).toBe(404);
    const c = await createCheck(s, { name: 'nobody' });
    expect((await s.api(`/api/v3/checks/${c.uuid}/pings/1/body`)).status).toBe(404);
  });

  it('lists channels in the healthchecks shape', async () => {
    const r = await s.api('/api/v3/channels/');
    expect(r.status).toBe(200);
    expect(Array.isArray(((await r.json()) as any).channels)).toBe(true);
  });
});

describe('restart', () => {
  it('keeps checks, pings, flips and keys across a restart', async () => {
    const dataDir = tempDir();
    const a = await serve({ dataDir, env: { LUBDUB_API_KEY: '' } });
    const keyA = a.apiKey;
    const c = await createCheck({ ...a, api: (p, i) => a.api(p, { ...i, headers: { ...(i?.headers as object), 'x-api-key': keysOf(dataDir).apiKey } }) }, { name: 'survivor', timeout: 600 });
    await fetch(`${a.pingUrl}/ping/${c.uuid}`, { method: 'POST', body: 'hello' });
    expect(await a.stop()).toBe(0);
    const b = await serve({ dataDir, env: { LUBDUB_API_KEY: '' } });
    try {
      const key = keysOf(dataDir).apiKey;
      expect(key).toHaveLength(32);
      expect(keyA).toBeDefined();
      const got = (await (await fetch(`${b.uiUrl}/api/v3/checks/${c.uuid}`, { headers: { 'x-api-key': key } })).json()) as any;
      expect(got).toMatchObject({ name: 'survivor', status: 'up', n_pings: 1 });
      const p = ((await (await fetch(`${b.uiUrl}/api/v3/checks/${c.uuid}/pings/`, { headers: { 'x-api-key': key } })).json()) as any).pings;
      expect(p[0].body_preview).toBe('hello');
      expect(keysOf(dataDir).pingKey).toMatch(/^[a-z0-9]{22}$/);
    } finally {
      await b.stop();
    }
  });
});

function keysOf(dir: string): { apiKey: string; pingKey: string } {
  return JSON.parse(fs.readFileSync(`${dir}/keys.json`, 'utf8'));
}

describe('CLI errors', () => {
  const run = (env: Record<string, string>, args: string[] = []) =>
    runCommand('npm', ['run', '--silent', 'serve', '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, LUBDUB_DATA_DIR: tempDir(), LUBDUB_PING_PORT: '0', LUBDUB_UI_PORT: '0', ...env },
      timeout: 20_000,
    });

  it('a busy port is one clear line and exit code 1', async () => {
    const port = new URL(s.pingUrl).port;
    const r = await run({ LUBDUB_PING_HOST: '127.0.0.1', LUBDUB_PING_PORT: port });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`lubdub: ping port ${port} on 127.0.0.1 is already in use (set --ping-port / LUBDUB_PING_PORT)`);
  });

  it('a bad setting is one clear line and exit code 1', async () => {
    const r = await run({}, ['--ping-port', 'eighty']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('lubdub: --ping-port must be a port number 0-65535, got "eighty"');
  });

  it('an unwritable data dir is one clear line and exit code 1', async () => {
    // A regular file where the data dir should be: fails for root too (permissions would not).
    const file = `${tempDir()}/not-a-dir`;
    fs.writeFileSync(file, 'x');
    const r = await run({ LUBDUB_DATA_DIR: `${file}/lubdub` });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`lubdub: data dir ${file}/lubdub is not writable: ENOTDIR`);
  });
});

describe('authentication cannot be side-stepped by URL encoding', () => {
  it.each(['/%61pi/v3/checks/', '/%2561pi/v3/checks/', '/api/v3/%63hecks/', '/API/v3/checks/', '/api//v3/checks/', '/./api/v3/checks/'])(
    'GET %s without a key is not served',
    async (p) => {
      const r = await fetch(`${s.uiUrl}${p}`);
      expect([401, 404]).toContain(r.status);
      expect(await r.text()).not.toContain('"checks"');
    },
  );
  it('a percent-encoded state change without a key changes nothing', async () => {
    const before = ((await (await s.api('/api/v3/checks/')).json()) as { checks: unknown[] }).checks.length;
    const r = await fetch(`${s.uiUrl}/%61pi/v3/checks/`, { method: 'POST', body: JSON.stringify({ name: 'sneaky' }) });
    expect(r.status).toBe(401);
    expect(((await (await s.api('/api/v3/checks/')).json()) as { checks: unknown[] }).checks.length).toBe(before);
  });
});
