import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snippets } from '../../shared/console/snippets.js';
import { createCheck, serve, tempDir, waitFor, type Served } from '../helpers/serve.js';
import { runOk } from '../helpers/run.js';

/** A raw request with any Host header (fetch does not let a caller set Host). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

async function login(s: Served): Promise<string> {
  const r = await fetch(s.loginUrl, { redirect: 'manual' });
  expect(r.status).toBe(303);
  const cookie = r.headers.get('set-cookie')!;
  return cookie.split(';')[0];
}

/** The JSON body of a response (tests read it loosely). */
async function json(r: Response | Promise<Response>): Promise<any> {
  return (await r).json();
}


describe('the console on the UI port', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('refuses the app page without a session and says how to log in', async () => {
    for (const p of ['/', '/checks/6f1c2f4e-1c1b-4a55-9d0b-2a8e6b9e7c11', '/settings']) {
      const r = await fetch(s.uiUrl + p);
      expect(r.status).toBe(401);
      const body = await r.text();
      expect(body).toContain('login URL');
      expect(body).not.toContain('<script');
    }
  });

  it('refuses a foreign Host (DNS rebinding) with 421, with or without a session', async () => {
    const cookie = await login(s);
    const port = new URL(s.uiUrl).port;
    for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, 'localhost:1']) {
      const r = await rawGet(`${s.uiUrl}/`, { host, cookie });
      expect(r.status).toBe(421);
      expect(r.body).not.toContain('<div id="root">');
    }
    expect((await rawGet(`${s.uiUrl}/`, { host: `localhost:${port}`, cookie })).status).toBe(200);
  });

  it('a login URL works once: a used or altered token is refused', async () => {
    const first = await fetch(s.loginUrl, { redirect: 'manual' });
    // the URL was used by the test above: a second use is refused
    expect(first.status).toBe(403);
    const fresh = await fetch(`${s.uiUrl}/login?token=${new URL(s.loginUrl).searchParams.get('token')}x`, { redirect: 'manual' });
    expect(fresh.status).toBe(403);
  });

  it('serves the app page with a strict CSP, no inline script and no framing', async () => {
    const s2 = await serve();
    try {
      const r = await fetch(s2.loginUrl, { redirect: 'manual' });
      const setCookie = r.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^lubdub_session=[\w-]{20,};/);
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Strict');
      expect(r.headers.get('location')).toBe('/');
      const page = await fetch(`${s2.uiUrl}/checks/6f1c2f4e-1c1b-4a55-9d0b-2a8e6b9e7c11`, { headers: { cookie: setCookie.split(';')[0] } });
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await page.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const m of scripts) {
        expect(m[0]).toMatch(/src="\/assets\/[\w.-]+\.js"/);
        expect(m[1].trim()).toBe('');
      }
      expect(html).not.toMatch(/\son\w+=/);
      // assets are public (no data in them) and cached for good
      const asset = /src="(\/assets\/[\w.-]+\.js)"/.exec(html)![1];
      const a = await fetch(s2.uiUrl + asset);
      expect(a.status).toBe(200);
      expect(a.headers.get('cache-control')).toContain('immutable');
      // the API behind it still needs the session or the key
      expect((await fetch(`${s2.uiUrl}/api/v3/checks/`)).status).toBe(401);
      expect((await fetch(`${s2.uiUrl}/api/lubdub/heartbeats`)).status).toBe(401);
      // unknown API paths stay JSON 404s, not the app page
      const nf = await fetch(`${s2.uiUrl}/api/lubdub/nope`, { headers: { cookie: setCookie.split(';')[0] } });
      expect(nf.status).toBe(404);
      expect(await json(nf)).toEqual({ error: 'not found' });
    } finally {
      await s2.stop();
    }
  });

  it('returns the heartbeat bars of all checks in one request, bodies cut to a first line', async () => {
    const c = await createCheck(s, { name: 'beats', timeout: 3600, grace: 60 });
    await fetch(`${s.pingUrl}/ping/${c.uuid}/start`);
    await fetch(`${s.pingUrl}/ping/${c.uuid}`, { method: 'POST', body: 'line one\nline two' });
    await fetch(`${s.pingUrl}/ping/${c.uuid}/3`, { method: 'POST', body: 'x'.repeat(5000) });
    const r = await s.api(`/api/lubdub/heartbeats?check=${c.uuid}`);
    const bar = (await json(r)).beats[c.uuid];
    expect(bar.map((b: { kind: string }) => b.kind)).toEqual(['start', 'success', 'fail']);
    expect(bar[1].text).toBe('line one');
    expect(bar[1].duration).toBeGreaterThanOrEqual(0);
    expect(bar[2].exitstatus).toBe(3);
    expect(bar[2].text.length).toBeLessThanOrEqual(200);
  });
});

describe('settings and keys', () => {
  it('saves base URL, body limit and catch-up window in the database; they survive a restart', async () => {
    const dataDir = tempDir();
    const env = { LUBDUB_BASE_URL: '' };
    let s = await serve({ dataDir, env });
    try {
      const before = await json(s.api('/api/lubdub/settings'));
      expect(before.locked).toEqual(['api_key']);
      expect(before.base_url).toBe(before.base_url_default);
      // mDNS is off and the receiver listens on loopback: the address that reaches it
      expect(before.base_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(before.detected_urls).toContain(before.base_url_default);
      const r = await s.api('/api/lubdub/settings', { method: 'POST', json: { base_url: 'http://nas.example:8420/', ping_body_limit: 5, catchup_window: 120 } });
      expect(r.status).toBe(200);
      const after = await json(r);
      expect(after).toMatchObject({ base_url: 'http://nas.example:8420', ping_body_limit: 5, catchup_window: 120 });
      const c = await createCheck(s, { name: 'limited', timeout: 60, grace: 60 });
      expect(c.ping_url).toBe(`http://nas.example:8420/ping/${c.uuid}`);
      // the new body limit applies at once
      const ping = await fetch(`${s.pingUrl}/ping/${c.uuid}`, { method: 'POST', body: '0123456789' });
      expect(ping.headers.get('ping-body-limit')).toBe('5');
      const body = await (await s.api(`/api/v3/checks/${c.uuid}/pings/1/body`)).text();
      expect(body).toBe('01234');
    } finally {
      await s.stop();
    }
    s = await serve({ dataDir, env });
    try {
      const again = await json(s.api('/api/lubdub/settings'));
      expect(again).toMatchObject({ base_url: 'http://nas.example:8420', ping_body_limit: 5, catchup_window: 120 });
      // "" goes back to <hostname>.local
      const reset = await json(s.api('/api/lubdub/settings', { method: 'POST', json: { base_url: '' } }));
      expect(reset.base_url).toBe(reset.base_url_default);
    } finally {
      await s.stop();
    }
    // a value given by flag or environment wins and cannot be changed from the console
    s = await serve({ dataDir, env: { ...env, LUBDUB_PING_BODY_LIMIT: '7' }, args: ['--catchup-window', '30'] });
    try {
      const locked = await json(s.api('/api/lubdub/settings'));
      expect(locked).toMatchObject({ ping_body_limit: 7, catchup_window: 30 });
      expect(locked.locked).toEqual(expect.arrayContaining(['ping_body_limit', 'catchup_window']));
      const r = await s.api('/api/lubdub/settings', { method: 'POST', json: { ping_body_limit: 9 } });
      expect(r.status).toBe(409);
      expect((await json(r)).error).toContain('flag or environment');
    } finally {
      await s.stop();
    }
  });

  it('refuses bad settings with a clear 400 and changes nothing', async () => {
    const s = await serve({ env: { LUBDUB_BASE_URL: '' } });
    try {
      const before = await json(s.api('/api/lubdub/settings'));
      for (const bad of [{ base_url: 'javascript:alert(1)' }, { ping_body_limit: -1 }, { catchup_window: 'soon' }, { ui_port: 80 }]) {
        const r = await s.api('/api/lubdub/settings', { method: 'POST', json: bad });
        expect(r.status).toBe(400);
        expect((await json(r)).error).toMatch(/^json validation error: /);
      }
      expect(await json(s.api('/api/lubdub/settings'))).toEqual(before);
      // a console session must send the CSRF header to change settings
      const cookie = await login(s);
      const noHeader = await fetch(`${s.uiUrl}/api/lubdub/settings`, { method: 'POST', headers: { cookie }, body: JSON.stringify({ catchup_window: 5 }) });
      expect(noHeader.status).toBe(403);
    } finally {
      await s.stop();
    }
  });

  it('rotates the API key and the ping key: old ones stop working, new ones are saved 0600', async () => {
    const dataDir = tempDir();
    const s = await serve({ dataDir, env: { LUBDUB_API_KEY: '' } });
    const keyFile = path.join(dataDir, 'keys.json');
    const read = () => JSON.parse(fs.readFileSync(keyFile, 'utf8'));
    const withKey = (key: string, p: string, init: RequestInit = {}) =>
      fetch(s.uiUrl + p, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json' } });
    try {
      const oldKey = read().apiKey;
      const c = (await json(withKey(oldKey, '/api/v3/checks/', { method: 'POST', body: JSON.stringify({ name: 'by slug', timeout: 60 }) }))) as { slug: string };
      const oldPingKey = read().pingKey;
      expect((await fetch(`${s.pingUrl}/ping/${oldPingKey}/${c.slug}`)).status).toBe(200);

      const r = await withKey(oldKey, '/api/lubdub/keys/rotate', { method: 'POST', body: JSON.stringify({ which: 'api_key' }) });
      const { value: newKey } = await json(r);
      expect(newKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await withKey(oldKey, '/api/v3/checks/')).status).toBe(401);
      expect((await withKey(newKey, '/api/v3/checks/')).status).toBe(200);
      expect(read().apiKey).toBe(newKey);
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

      const p = await json(withKey(newKey, '/api/lubdub/keys/rotate', { method: 'POST', body: JSON.stringify({ which: 'ping_key' }) }));
      expect(p.value).toMatch(/^[a-z0-9]{22}$/);
      expect((await fetch(`${s.pingUrl}/ping/${oldPingKey}/${c.slug}`)).status).toBe(404);
      expect((await fetch(`${s.pingUrl}/ping/${p.value}/${c.slug}`)).status).toBe(200);
      const shown = await json(withKey(newKey, '/api/lubdub/settings'));
      expect(shown.ping_key).toBe(p.value);
      expect(read()).toEqual({ apiKey: newKey, pingKey: p.value, badgeKey: expect.stringMatching(/^[a-z0-9]{32}$/) });

      expect((await withKey(newKey, '/api/lubdub/keys/rotate', { method: 'POST', body: JSON.stringify({ which: 'root' }) })).status).toBe(400);
    } finally {
      await s.stop();
    }
  });

  it('does not rotate a key given by environment (the next start would undo it)', async () => {
    const s = await serve();
    try {
      const r = await s.api('/api/lubdub/keys/rotate', { method: 'POST', json: { which: 'api_key' } });
      expect(r.status).toBe(409);
      expect((await s.api('/api/v3/checks/')).status).toBe(200);
    } finally {
      await s.stop();
    }
  });
});

describe('the snippets, run for real', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve({ env: { LUBDUB_BASE_URL: '' } });
    // What a user does: point the base URL at how the job machine reaches Lubdub.
    const r = await s.api('/api/lubdub/settings', { method: 'POST', json: { base_url: s.pingUrl } });
    expect(r.status).toBe(200);
  });
  afterAll(async () => {
    await s?.stop();
  });

  const snippetFor = async (id: string) => {
    const c = await createCheck(s, { name: `snippet ${id}`, schedule: '0 3 * * *', tz: 'Europe/Berlin', grace: 3600 });
    const code = snippets({ name: c.name, pingUrl: c.ping_url, kind: 'cron', schedule: c.schedule, tz: c.tz }).find((x) => x.id === id)!.code;
    return { c, code };
  };
  const pings = async (uuid: string) => (await json(s.api(`/api/v3/checks/${uuid}/pings/`))).pings as { type: string; exitstatus?: number; ua: string }[];
  const cronCommand = (line: string) => line.split(' ').slice(5).join(' ');

  it('crontab + curl: the command part turns the check up', async () => {
    const { c, code } = await snippetFor('crontab');
    await runOk('dash', ['-c', cronCommand(code).replace('/path/to/job.sh', 'true')]);
    await waitFor(async () => (await s.api(`/api/v3/checks/${c.uuid}`).then(json)).status === 'up');
  });

  it('BusyBox wget: works with BusyBox alone', async () => {
    const { c, code } = await snippetFor('wget');
    await runOk('busybox', ['sh', '-c', cronCommand(code).replace('/path/to/job.sh', 'true')]);
    const p = await pings(c.uuid);
    expect(p[0].type).toBe('success');
    expect(p[0].ua).toMatch(/wget/i);
  });

  it('shell with /$?: a job exiting 3 is reported as a failure with exit status 3', async () => {
    const { c, code } = await snippetFor('shell');
    await runOk('dash', ['-c', code.replace('/path/to/job.sh', "sh -c 'exit 3'")]);
    const p = await pings(c.uuid);
    expect(p.map((x) => x.type)).toEqual(['fail', 'start']);
    expect(p[0].exitstatus).toBe(3);
    expect((await json(s.api(`/api/v3/checks/${c.uuid}`))).status).toBe('down');
  });

  it('Python: start, then success', async () => {
    const { c, code } = await snippetFor('python');
    await runOk('python3', ['-c', code.replace('run_job()', 'pass')]);
    expect((await pings(c.uuid)).map((x) => x.type)).toEqual(['success', 'start']);
  });
});
