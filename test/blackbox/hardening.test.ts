import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_TOKEN_MAX } from '../../electron/service/receiver/bad-token-limit.js';
import { HARD_BODY_CAP } from '../../electron/service/receiver/receiver.js';
import { httpRequest, rawExchange, statusOf } from '../helpers/net.js';
import { createCheck, serve, waitFor, type Served } from '../helpers/serve.js';
import { openEvents } from '../helpers/sse.js';

let s: Served;
let uuid: string;

beforeAll(async () => {
  s = await serve();
  uuid = (await createCheck(s, { name: 'hardening', slug: 'hardening' })).uuid as string;
});
afterAll(() => s?.stop());

const port = (url: string) => Number(new URL(url).port);

async function lastPing(u = uuid): Promise<Record<string, any>> {
  return ((await (await s.api(`/api/v3/checks/${u}/pings/?limit=1`)).json()) as { pings: Record<string, any>[] }).pings[0];
}
async function nPings(u = uuid): Promise<number> {
  return ((await (await s.api(`/api/v3/checks/${u}`)).json()) as { n_pings: number }).n_pings;
}

/**
 * A slowloris client: opens a connection, sends the request line, then one header byte
 * every `stepMs`, never finishing its headers. Resolves with the ms until the server closed it.
 */
function slowloris(url: string, stepMs = 250, giveUpMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const sock = net.connect(port(url), '127.0.0.1');
    let timer: NodeJS.Timeout | undefined;
    const header = `X-Slow: ${'a'.repeat(10_000)}`;
    let i = 0;
    sock.on('connect', () => {
      sock.write(`GET /ping/${uuid} HTTP/1.1\r\nHost: 127.0.0.1:${port(url)}\r\n`);
      timer = setInterval(() => {
        if (!sock.destroyed) sock.write(header[i++ % header.length]);
      }, stepMs);
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve(Date.now() - started);
    });
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      sock.destroy();
      reject(new Error(`slowloris connection to ${url} still open after ${giveUpMs} ms`));
    }, giveUpMs);
  });
}

/** An idle connection: connects and never sends a byte. Resolves with the ms until it was closed. */
function idle(url: string, giveUpMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const sock = net.connect(port(url), '127.0.0.1');
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(giveUp);
      resolve(Date.now() - started);
    });
    const giveUp = setTimeout(() => {
      sock.destroy();
      reject(new Error(`idle connection to ${url} still open after ${giveUpMs} ms`));
    }, giveUpMs);
  });
}

/** A keep-alive connection that sent one request and then stays silent. Resolves with the ms until closed. */
function keptAlive(url: string, p: string, giveUpMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port(url), '127.0.0.1');
    let answeredAt = 0;
    sock.on('connect', () => sock.write(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1:${port(url)}\r\nConnection: keep-alive\r\n\r\n`));
    sock.on('data', () => (answeredAt ||= Date.now()));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(giveUp);
      resolve(Date.now() - answeredAt);
    });
    const giveUp = setTimeout(() => {
      sock.destroy();
      reject(new Error('keep-alive connection never closed'));
    }, giveUpMs);
  });
}

// Socket timeouts are Node's own timers in the real process, not the service's clock: a timer
// never fires early, so the bounds from below are exact; from above they are only generous.
describe('timeouts (slowloris)', () => {
  it('cuts connections that send headers byte by byte or nothing at all, on both ports, while valid pings keep flowing', async () => {
    const before = await nPings();
    let firstCut = Infinity;
    const cut = (p: Promise<number>) => p.then((ms) => ((firstCut = Math.min(firstCut, Date.now())), ms));
    const attackers = [
      ...Array.from({ length: 20 }, () => cut(slowloris(s.pingUrl))),
      cut(slowloris(s.uiUrl)),
      cut(idle(s.pingUrl)),
      cut(idle(s.uiUrl)),
    ];
    // valid pings during the attack: every one answered while the attackers still hold their sockets
    const answeredAt: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${s.pingUrl}/ping/${uuid}`);
      if (r.status === 200) answeredAt.push(Date.now());
      await new Promise((res) => setTimeout(res, 300));
    }
    const closedAfter = await Promise.all(attackers);
    expect(answeredAt).toHaveLength(10);
    expect(Math.max(...answeredAt)).toBeLessThan(firstCut);
    // headers within 10 s (checked every second); a silent socket is closed after 10 s; none
    // is still open after 30 s (slowloris() and idle() give up then)
    for (const ms of closedAfter) expect(ms).toBeGreaterThan(9_000);
    expect(await nPings()).toBe(before + 10);
  }, 60_000);

  it('closes an idle keep-alive connection after 5 s on both ports, but keeps a silent event stream open', async () => {
    // the event stream is long-lived and silent between events: it must not be cut
    const stream = await openEvents(`${s.uiUrl}/api/events`, { 'x-api-key': s.apiKey });
    expect(stream.status).toBe(200);
    await waitFor(() => stream.events.some((e) => e.type === 'hello'));
    const [ping, ui, silentSocket] = await Promise.all([keptAlive(s.pingUrl, `/ping/${uuid}`), keptAlive(s.uiUrl, '/api/v3/status/'), idle(s.uiUrl)]);
    for (const ms of [ping, ui]) expect(ms).toBeGreaterThan(4_000);
    // a socket opened after the stream has met the 10 s idle-socket timeout: the stream has too
    expect(silentSocket).toBeGreaterThan(9_000);
    expect(stream.ended).toBe(false);
    // and it still carries events
    const c = await createCheck(s, { name: 'after the idle timeout' });
    await waitFor(() => stream.events.some((e) => e.type === 'check' && JSON.stringify(e.data).includes(c.uuid as string)));
    stream.close();
  }, 60_000);
});

describe('size limits', () => {
  it('answers 431 to headers over 16 KB on both ports, and to a 20 KB URL', async () => {
    const big = { 'x-big': 'b'.repeat(20 * 1024) };
    expect((await httpRequest(s.pingUrl, { path: `/ping/${uuid}`, headers: big })).status).toBe(431);
    expect((await httpRequest(s.uiUrl, { path: '/api/v3/status/', headers: big })).status).toBe(431);
    expect((await httpRequest(s.pingUrl, { path: `/ping/${uuid}?x=${'u'.repeat(20 * 1024)}` })).status).toBe(431);
  });

  it('cuts a 1 MB body at the body limit and stores the first bytes verbatim with the real size', async () => {
    const body = crypto.randomBytes(1_000_000);
    const r = await fetch(`${s.pingUrl}/ping/${uuid}`, { method: 'POST', body });
    expect(r.status).toBe(200);
    expect(r.headers.get('ping-body-limit')).toBe('100000');
    const p = await lastPing();
    expect(p.body_size).toBe(1_000_000);
    const stored = Buffer.from(await (await s.api(`/api/v3/checks/${uuid}/pings/${p.n}/body`)).arrayBuffer());
    expect(stored.equals(body.subarray(0, 100_000))).toBe(true);
  });

  it('accepts a body of exactly 10 MB (cut) and refuses 10 MB + 1 with 413, declared or chunked, storing nothing', async () => {
    const ok = await fetch(`${s.pingUrl}/ping/${uuid}`, { method: 'POST', body: Buffer.alloc(HARD_BODY_CAP, 0x61) });
    expect(ok.status).toBe(200);
    const before = await nPings();
    // declared: refused from the Content-Length alone, before any byte of the body is read
    const declared = await rawExchange(
      s.pingUrl,
      `POST /ping/${uuid} HTTP/1.1\r\nHost: x\r\nContent-Length: ${HARD_BODY_CAP + 1}\r\n\r\n`,
    );
    expect(statusOf(declared.text)).toBe(413);
    expect(declared.text).toMatch(/request body too large$/);
    // chunked: no Content-Length, the cap is found while streaming
    const chunked = await new Promise<number>((resolve, reject) => {
      const u = new URL(s.pingUrl);
      const req = http.request({ host: u.hostname, port: u.port, method: 'POST', path: `/ping/${uuid}`, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x62);
      let sent = 0;
      const write = () => {
        while (sent < 11) {
          sent++;
          if (!req.write(chunk)) return req.once('drain', write);
        }
        req.end();
      };
      write();
    });
    expect(chunked).toBe(413);
    expect(await nPings()).toBe(before);
  }, 30_000);

  it('refuses a management API body over 1 MB with 413', async () => {
    const r = await s.api('/api/v3/checks/', { method: 'POST', json: { name: 'x', desc: 'd'.repeat(1_100_000) } });
    expect(r.status).toBe(413);
  });
});

describe('per-address limit of unknown-token 404s on the ping port', () => {
  it('answers 429 to an address after its 404 flood, while valid pings from other addresses keep flowing', async () => {
    const attacker = '127.0.0.2';
    for (let i = 0; i < BAD_TOKEN_MAX; i++) {
      const r = await httpRequest(s.pingUrl, { path: `/ping/${crypto.randomUUID()}`, localAddress: attacker });
      expect(r.status).toBe(404);
    }
    const limited = await httpRequest(s.pingUrl, { path: `/ping/${crypto.randomUUID()}`, localAddress: attacker });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // the limited address is refused even for a valid URL until its window ends
    expect((await httpRequest(s.pingUrl, { path: `/ping/${uuid}`, localAddress: attacker })).status).toBe(429);
    // other hosts are not affected
    const before = await nPings();
    for (let i = 0; i < 10; i++) {
      expect((await httpRequest(s.pingUrl, { path: `/ping/${uuid}`, localAddress: '127.0.0.1' })).status).toBe(200);
    }
    expect((await httpRequest(s.pingUrl, { path: `/ping/${uuid}`, localAddress: '127.0.0.4' })).status).toBe(200);
    expect(await nPings()).toBe(before + 11);
  });

  it('counts by socket address: a forged X-Forwarded-For does not escape the limit', async () => {
    const attacker = '127.0.0.3';
    for (let i = 0; i < BAD_TOKEN_MAX; i++) {
      await httpRequest(s.pingUrl, { path: `/ping/nokey${i}/slug`, localAddress: attacker, headers: { 'x-forwarded-for': `10.0.${i}.1` } });
    }
    const r = await httpRequest(s.pingUrl, { path: `/${crypto.randomUUID()}`, localAddress: attacker, headers: { 'x-forwarded-for': '10.9.9.9' } });
    expect(r.status).toBe(429);
  });

  it('never limits an address whose pings are valid', async () => {
    const busy = '127.0.0.5';
    for (let i = 0; i < BAD_TOKEN_MAX + 20; i++) {
      expect((await httpRequest(s.pingUrl, { path: `/ping/${uuid}`, localAddress: busy })).status).toBe(200);
    }
  });
});

describe('X-Forwarded-For', () => {
  it('is ignored unless LUBDUB_TRUSTED_PROXY names the proxy', async () => {
    const r = await httpRequest(s.pingUrl, { path: `/ping/${uuid}`, headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(r.status).toBe(200);
    expect((await lastPing()).remote_addr).toBe('127.0.0.1');
  });

  it('is believed from the trusted proxy only', async () => {
    const proxied = await serve({ env: { LUBDUB_TRUSTED_PROXY: '127.0.0.1' } });
    try {
      const c = await createCheck(proxied, { name: 'behind a proxy' });
      const last = async () =>
        ((await (await proxied.api(`/api/v3/checks/${c.uuid}/pings/?limit=1`)).json()) as { pings: { remote_addr: string }[] }).pings[0].remote_addr;
      await httpRequest(proxied.pingUrl, { path: `/ping/${c.uuid}`, localAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(await last()).toBe('203.0.113.7');
      await httpRequest(proxied.pingUrl, { path: `/ping/${c.uuid}`, localAddress: '127.0.0.6', headers: { 'x-forwarded-for': '203.0.113.8' } });
      expect(await last()).toBe('127.0.0.6');
    } finally {
      await proxied.stop();
    }
  });
});

describe('ping replies carry no management data', () => {
  const allowed = new Set(['content-type', 'content-length', 'access-control-allow-origin', 'cache-control', 'ping-body-limit', 'date', 'connection', 'keep-alive', 'retry-after']);

  it('answers every ping form with its short text and a fixed set of headers only', async () => {
    const cases: [string, string, number, string][] = [
      ['GET', `/ping/${uuid}`, 200, 'OK'],
      ['POST', `/ping/${uuid}/fail`, 200, 'OK'],
      ['GET', `/ping/${s.pingKey}/hardening/start`, 200, 'OK'],
      ['GET', `/ping/${s.pingKey}/brand-new-${Date.now()}?create=1`, 201, 'Created'],
      ['GET', `/ping/${crypto.randomUUID()}`, 404, 'not found'],
      ['GET', `/ping/${uuid}/256`, 400, 'invalid url format'],
      ['GET', `/ping/${uuid}?rid=nope`, 400, 'invalid uuid format'],
      ['GET', '/api/v3/checks/', 404, 'not found'],
      ['GET', '/', 404, 'not found'],
    ];
    for (const [method, p, status, text] of cases) {
      const r = await httpRequest(s.pingUrl, { method, path: p, headers: { 'x-api-key': s.apiKey, cookie: 'lubdub_session=x' } });
      expect([method, p, r.status, r.body.toString()]).toEqual([method, p, status, text]);
      for (const h of Object.keys(r.headers)) expect(allowed, `${p}: header ${h}`).toContain(h);
      const raw = JSON.stringify(r.headers) + r.body.toString();
      expect(raw).not.toContain(s.apiKey);
      expect(raw).not.toContain(s.pingKey);
      expect(raw).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
  });
});
