/**
 * Hostile input against the real process (SPEC §9: bad input gets a clear 4xx and changes
 * nothing). Each test plays its own LAN host (127.0.1.x) so the per-address 404 limit of
 * one test never answers for another.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, rawExchange, statusOf, type RequestOptions } from '../helpers/net.js';
import { createCheck, serve, type Served } from '../helpers/serve.js';

let s: Served;
let uuid: string;
let host = 0;
/** A fresh source address for the next test. */
const nextHost = () => `127.0.1.${++host}`;

beforeAll(async () => {
  s = await serve();
  uuid = (await createCheck(s, { name: 'target', slug: 'target' })).uuid as string;
});
afterAll(() => s?.stop());

async function nPings(u = uuid): Promise<number> {
  return ((await (await s.api(`/api/v3/checks/${u}`)).json()) as { n_pings: number }).n_pings;
}
async function checkCount(): Promise<number> {
  return ((await (await s.api('/api/v3/checks/')).json()) as { checks: unknown[] }).checks.length;
}
/** GETs raw paths on the ping port from one source address; returns "status body" per path. */
async function pingPaths(paths: string[], o: Partial<RequestOptions> = {}): Promise<string[]> {
  const from = nextHost();
  const out: string[] = [];
  for (const p of paths) {
    const r = await httpRequest(s.pingUrl, { localAddress: from, ...o, path: p });
    out.push(`${r.status} ${r.body.toString()}`);
  }
  return out;
}

describe('ping paths', () => {
  it('never lets path traversal reach anything but the ping handler', async () => {
    const before = await nPings();
    const paths = [
      '/ping/../api/v3/checks/',
      '/../api/v3/checks/',
      `/ping/${uuid}/../../api/v3/checks/`,
      `/ping/${uuid}/..`,
      `/ping/${uuid}/%2e%2e`,
      '/ping/%2e%2e/%2e%2e/etc/passwd',
      '/ping/..%2f..%2fetc%2fpasswd',
      '/api/push/../../api/v3/checks/',
      '/api/v3/checks/',
      '/login?token=x',
      '/..;/api/v3/status/',
    ];
    const replies = await pingPaths(paths, { headers: { 'x-api-key': s.apiKey } });
    expect(replies).toEqual(paths.map(() => '404 not found'));
    expect(await nPings()).toBe(before);
  });

  it('refuses NUL bytes, escaped or raw, without storing anything', async () => {
    const before = await nPings();
    expect(await pingPaths([`/ping/${uuid}%00`, `/ping/${uuid}/%00`, `/ping/${uuid}%00/fail`, `/ping/%00${uuid}`])).toEqual(Array(4).fill('404 not found'));
    expect(await pingPaths([`/ping/${uuid}?rid=%00`])).toEqual(['400 invalid uuid format']);
    // a raw NUL in the request line is a protocol error: Node's parser answers 400 and closes
    const raw = await rawExchange(s.pingUrl, `GET /ping/${uuid}\0 HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(statusOf(raw.text)).toBe(400);
    expect(raw.closedByServer).toBe(true);
    const rawHeader = await rawExchange(s.pingUrl, `GET /ping/${uuid} HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n`);
    expect(statusOf(rawHeader.text)).toBe(400);
    expect(await nPings()).toBe(before);
  });

  it('answers 10,000-character tokens, slugs, push tokens and rids with a plain 4xx', async () => {
    const long = 'a'.repeat(10_000);
    const hex = 'f'.repeat(10_000);
    const before = await nPings();
    expect(await pingPaths([`/ping/${long}`, `/${hex}`, `/ping/${s.pingKey}/${long}`, `/ping/${long}/target`, `/api/push/${long}`, `/ping/${uuid}/${long}`])).toEqual(
      Array(6).fill('404 not found'),
    );
    expect(await pingPaths([`/ping/${uuid}?rid=${long}`])).toEqual(['400 invalid uuid format']);
    // the API refuses a 10,000-character key as wrong, not as an error
    const r = await s.api('/api/v3/checks/', { headers: { 'x-api-key': long } });
    expect(r.status).toBe(401);
    expect(await nPings()).toBe(before);
  });

  it('answers malformed rids with 400 invalid uuid format and stores nothing', async () => {
    const before = await nPings();
    const good = crypto.randomUUID();
    const bad = ['x', '123', `${good}0`, good.slice(1), good.replace(/-/g, '_'), `${good}%0a`, `${good}%20`, 'g'.repeat(8) + good.slice(8), `${good.slice(0, 35)}%C3%A9`];
    const replies = await pingPaths(bad.map((rid) => `/ping/${uuid}?rid=${rid}`));
    expect(replies).toEqual(bad.map(() => '400 invalid uuid format'));
    // repeated: the first one counts
    expect(await pingPaths([`/ping/${uuid}?rid=nope&rid=${good}`])).toEqual(['400 invalid uuid format']);
    expect(await nPings()).toBe(before);
    // an uppercase UUID is a valid rid, stored in lowercase (healthchecks parses it as a UUID)
    expect(await pingPaths([`/ping/${uuid}/start?rid=${good.toUpperCase()}`])).toEqual(['200 OK']);
    const last = ((await (await s.api(`/api/v3/checks/${uuid}/pings/?limit=1`)).json()) as { pings: { rid: string }[] }).pings[0];
    expect(last.rid).toBe(good);
  });

  it('refuses exit statuses -1, 256 and 1e3 (and other non-integers), accepting 0-255', async () => {
    const before = await nPings();
    expect(await pingPaths([`/ping/${uuid}/-1`, `/ping/${uuid}/1e3`, `/ping/${uuid}/0x1`, `/ping/${uuid}/1.0`, `/ping/${uuid}/+1`, `/ping/${uuid}/%31`])).toEqual(
      Array(6).fill('404 not found'),
    );
    expect(await pingPaths([`/ping/${uuid}/256`, `/ping/${uuid}/1000`, `/ping/${s.pingKey}/target/256`])).toEqual(Array(3).fill('400 invalid url format'));
    expect(await nPings()).toBe(before);
    expect(await pingPaths([`/ping/${uuid}/255`, `/ping/${uuid}/0`])).toEqual(['200 OK', '200 OK']);
    const pings = ((await (await s.api(`/api/v3/checks/${uuid}/pings/?limit=2`)).json()) as { pings: { type: string; exitstatus: number }[] }).pings;
    expect(pings.map((p) => [p.type, p.exitstatus])).toEqual([
      ['success', 0],
      ['fail', 255],
    ]);
  });
});

describe('ping bodies', () => {
  it('stores invalid UTF-8, NUL bytes and ANSI escapes verbatim and serves them back as an attachment, never as a page', async () => {
    const body = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xf0, 0x28, 0x8c, 0xbc]),
      Buffer.from('a\0b\0\0'),
      Buffer.from('\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \x1b[2J'),
      Buffer.from('<script>alert(1)</script>\r\n'),
      Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate encoded in UTF-8: invalid
    ]);
    for (const contentType of ['text/plain; charset=utf-8', 'application/json', 'multipart/form-data; boundary=x', ';;;', 'garbage', 'application/octet-stream']) {
      const r = await fetch(`${s.pingUrl}/ping/${uuid}`, { method: 'POST', body, headers: { 'content-type': contentType } });
      expect(`${r.status} ${await r.text()}`).toBe('200 OK');
      const n = await nPings();
      const stored = await s.api(`/api/v3/checks/${uuid}/pings/${n}/body`);
      expect(stored.status).toBe(200);
      expect(Buffer.from(await stored.arrayBuffer()).equals(body)).toBe(true);
      expect(stored.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(stored.headers.get('x-content-type-options')).toBe('nosniff');
      expect(stored.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    }
    // the JSON views show it as text with replacement characters, not as raw bytes
    const list = await (await s.api(`/api/v3/checks/${uuid}/pings/?limit=1`)).text();
    expect(() => JSON.parse(list)).not.toThrow();
    expect(JSON.parse(list).pings[0].body_size).toBe(body.length);
  });

  it('stores a body sent without a content type', async () => {
    const raw = await rawExchange(s.pingUrl, `POST /ping/${uuid} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`);
    expect(statusOf(raw.text)).toBe(200);
    const stored = await s.api(`/api/v3/checks/${uuid}/pings/${await nPings()}/body`);
    expect(await stored.text()).toBe('hello');
  });
});

describe('management API input', () => {
  it('refuses JSON with __proto__, constructor or prototype keys, anywhere, and creates nothing', async () => {
    const count = await checkCount();
    const bodies = [
      '{"name":"x","__proto__":{"admin":true}}',
      '{"name":"x","constructor":{"prototype":{"polluted":1}}}',
      '{"name":"x","tags":"a","nested":{"__proto__":{"status":"down"}}}',
      '{"__proto__":{"timeout":1},"name":"y"}',
    ];
    for (const b of bodies) {
      const r = await s.api('/api/v3/checks/', { method: 'POST', body: b, headers: { 'content-type': 'application/json' } });
      expect([r.status, await r.json()]).toEqual([400, { error: 'could not parse request body' }]);
    }
    expect(await checkCount()).toBe(count);
    // an update with a poisoned body changes nothing either
    const upd = await s.api(`/api/v3/checks/${uuid}`, { method: 'POST', body: '{"__proto__":{"grace":60},"grace":120}', headers: { 'content-type': 'application/json' } });
    expect(upd.status).toBe(400);
    expect(((await (await s.api(`/api/v3/checks/${uuid}`)).json()) as { grace: number }).grace).toBe(3600);
    // and no object anywhere in the service was polluted: a fresh check has no stray fields
    const fresh = await createCheck(s, { name: 'after the attempts' });
    expect(Object.keys(fresh)).not.toContain('admin');
    expect(Object.keys(fresh)).not.toContain('polluted');
    await s.api(`/api/v3/checks/${fresh.uuid}`, { method: 'DELETE' });
  });

  it('answers wrong content types and non-object JSON with 400, creating nothing', async () => {
    const count = await checkCount();
    const cases: [string, string][] = [
      ['application/x-www-form-urlencoded', 'name=foo'],
      ['multipart/form-data; boundary=zz', '--zz\r\nContent-Disposition: form-data; name="name"\r\n\r\nfoo\r\n--zz--\r\n'],
      ['application/xml', '<check><name>x</name></check>'],
      ['application/json', '{bad json'],
      ['application/json', 'null'],
      ['application/json', '[]'],
      ['application/json', '"name"'],
      ['application/json', '{"name": 5}'],
      ['application/json', '{"name": "x", "timeout": "1e3"}'],
      ['application/json', '{"name": "x", "timeout": -1}'],
    ];
    for (const [type, body] of cases) {
      const r = await s.api('/api/v3/checks/', { method: 'POST', body, headers: { 'content-type': type } });
      expect([type, body, r.status]).toEqual([type, body, 400]);
      expect(((await r.json()) as { error: string }).error).toMatch(/^(could not parse request body|json validation error: .+)$/);
    }
    expect(await checkCount()).toBe(count);
  });
});

describe('the console port', () => {
  const status = async (hostHeader: string | null, p = '/api/v3/status/') => {
    const headers: Record<string, string> = hostHeader === null ? {} : { host: hostHeader };
    return (await httpRequest(s.uiUrl, { path: p, headers })).status;
  };

  it('answers 421 to a foreign Host (DNS rebinding), on every path', async () => {
    const port = new URL(s.uiUrl).port;
    const foreign = [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1:${Number(port) + 1}`,
      `localhost.evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `[::1]:${Number(port) + 1}`,
      `localhost:${port}@evil.example`,
      '',
    ];
    for (const h of foreign) {
      for (const p of ['/api/v3/status/', '/api/v3/checks/', '/login?token=x', '/']) expect([h, p, await status(h, p)]).toEqual([h, p, 421]);
    }
    const noHost = await rawExchange(s.uiUrl, 'GET /api/v3/status/ HTTP/1.0\r\n\r\n');
    expect(statusOf(noHost.text)).toBe(421);
    for (const h of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST:${port}`]) expect(await status(h)).toBe(200);
  });

  it('grants no cross-origin access: no CORS headers on the API, preflight or not', async () => {
    for (const origin of ['http://evil.example', 'null', s.pingUrl]) {
      const get = await s.api('/api/v3/checks/', { headers: { origin } });
      expect(get.status).toBe(200);
      const pre = await fetch(`${s.uiUrl}/api/v3/checks/`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key' },
      });
      for (const r of [get, pre]) {
        for (const h of r.headers.keys()) expect(h).not.toMatch(/^access-control-/);
      }
      expect(pre.status).toBeGreaterThanOrEqual(400);
    }
  });
});

describe('a flood of bad tokens', () => {
  it('keeps answering valid pings from other hosts promptly while one host sends thousands of unknown tokens', async () => {
    const before = await nPings();
    const flooder = nextHost();
    const counts: Record<number, number> = {};
    let stop = false;
    const flood = async () => {
      while (!stop) {
        const r = await httpRequest(s.pingUrl, { path: `/ping/${crypto.randomUUID()}`, localAddress: flooder }).catch(() => ({ status: 0 }));
        counts[r.status] = (counts[r.status] ?? 0) + 1;
      }
    };
    const flooders = Array.from({ length: 20 }, flood);
    const legit = nextHost();
    // Promptly means an order, not a duration: the valid pings are answered one after another
    // while the flood runs, with flood replies between them (nothing waits for the flood to end).
    const floodDoneBefore: number[] = [];
    const total = () => Object.values(counts).reduce((a, b) => a + b, 0);
    for (let i = 0; i < 50; i++) {
      const r = await httpRequest(s.pingUrl, { path: `/ping/${uuid}`, localAddress: legit });
      expect(r.status).toBe(200);
      floodDoneBefore.push(total());
    }
    stop = true;
    await Promise.all(flooders);
    expect(total()).toBeGreaterThan(200);
    expect(floodDoneBefore.at(-1)).toBeLessThan(total());
    expect(floodDoneBefore.at(-1)! - floodDoneBefore[0]).toBeGreaterThan(50);
    // and none waits behind a pile of them: 20 flooders get a few replies each per valid ping
    const gaps = floodDoneBefore.slice(1).map((n, i) => n - floodDoneBefore[i]);
    console.log(`flood replies between valid pings: max ${Math.max(...gaps)}`);
    expect(Math.max(...gaps)).toBeLessThan(400);
    // only "not found" until the limit, then "too many requests"; never an error or a crash
    expect(Object.keys(counts).sort()).toEqual(['404', '429']);
    expect(await nPings()).toBe(before + 50);
    expect(s.proc.exitCode).toBeNull();
  });
});
