/** The shell's service client and live connection against real loopback servers. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/domain/clock.js';
import { ServiceClient, ServiceHttpError } from '../../electron/app/client.js';
import { nextRefreshDelay, ShellConnection } from '../../electron/app/connection.js';
import { checkJson, startFakeService } from '../helpers/fake-service.js';
import { waitFor } from '../helpers/serve.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const NOW = Date.parse('2025-03-10T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');
const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('ServiceClient', () => {
  it('never follows a redirect: the API key is not forwarded to another host', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const evil = await server((req, res) => {
      seen.push(req.headers);
      res.end('{}');
    });
    const redirecting = await server((_req, res) => {
      res.writeHead(302, { location: `${evil}/api/lubdub/summary` });
      res.end();
    });
    const client = new ServiceClient({ baseUrl: redirecting, apiKey: 'secret-key-0123456789' });
    await expect(client.summary()).rejects.toThrow();
    const stream = client.events(() => {});
    await stream.closed;
    expect(seen).toEqual([]);
  });

  it('a non-2xx answer is an error with its status', async () => {
    const base = await server((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"wrong api key"}');
    });
    const err = await new ServiceClient({ baseUrl: base, apiKey: 'k' }).checks().catch((e) => e);
    expect(err).toBeInstanceOf(ServiceHttpError);
    expect(err.status).toBe(401);
  });

  it('a stream that goes silent (no keep-alive) is dropped', async () => {
    const base = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: hello\ndata: {}\n\n'); // then nothing, socket left open
    });
    const got: string[] = [];
    let opened = false;
    const t0 = Date.now();
    const stream = new ServiceClient({ baseUrl: base, apiKey: 'k' }).events(
      (e) => got.push(e.type),
      () => (opened = true),
      200,
    );
    await stream.closed;
    expect(opened).toBe(true);
    expect(got).toEqual(['hello']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it('unknown event types and malformed data are ignored', async () => {
    const base = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('event: shell-exec\ndata: {"cmd":"x"}\n\nevent: check\ndata: not json\n\nevent: check\ndata: 42\n\nevent: check-deleted\ndata: {"uuid":"a"}\n\n');
    });
    const got: unknown[] = [];
    await new ServiceClient({ baseUrl: base, apiKey: 'k' }).events((e) => got.push(e)).closed;
    expect(got).toEqual([{ type: 'check-deleted', data: { uuid: 'a' } }]);
  });
});

describe('nextRefreshDelay', () => {
  it.each<[string, Parameters<typeof checkJson>[0][], number]>([
    ['no checks: the longest wait', [], 600_000],
    ['an up check turns late at next_ping (+1 s)', [{ uuid: U(1), name: 'a', status: 'up', next_ping: iso(NOW + 60_000) }], 61_000],
    ['a late check turns down at alert_after', [{ uuid: U(1), name: 'a', status: 'grace', alert_after: iso(NOW + 5_000) }], 6_000],
    ['the soonest wins', [{ uuid: U(1), name: 'a', status: 'up', next_ping: iso(NOW + 90_000) }, { uuid: U(2), name: 'b', status: 'up', next_ping: iso(NOW + 30_000) }], 31_000],
    ['already past: one second', [{ uuid: U(1), name: 'a', status: 'up', next_ping: iso(NOW - 60_000) }], 1_000],
    ['down and paused checks do not wake it', [{ uuid: U(1), name: 'a', status: 'down', next_ping: iso(NOW + 1_000) }, { uuid: U(2), name: 'b', status: 'paused', next_ping: iso(NOW + 1_000) }], 600_000],
    ['far future: capped', [{ uuid: U(1), name: 'a', status: 'up', next_ping: iso(NOW + 86_400_000) }], 600_000],
  ])('%s', (_n, checks, want) => {
    expect(nextRefreshDelay(checks.map(checkJson), NOW)).toBe(want);
  });
});

describe('ShellConnection', () => {
  it('re-reads the checks when a check is due to turn late, without any event', async () => {
    const clock = new ManualClock(Date.now());
    const svc = await startFakeService([checkJson({ uuid: U(1), name: 'a', status: 'up', next_ping: iso(clock.now() - 59_500) })]);
    cleanups.push(() => svc.close());
    const conn = new ShellConnection(new ServiceClient({ baseUrl: svc.url, apiKey: svc.apiKey }), clock, { minBackoffMs: 20 });
    cleanups.push(() => conn.stop());
    conn.start();
    await waitFor(() => conn.summary?.worst === 'up');
    // The service's status becomes late by the clock alone; it pushes nothing.
    svc.checks.set(U(1), checkJson({ uuid: U(1), name: 'a', status: 'grace' }));
    await waitFor(() => conn.summary?.worst === 'grace', 3000);
  });

  it('restart() drops a stream that looks fine and opens a new one', async () => {
    const svc = await startFakeService([]);
    cleanups.push(() => svc.close());
    const conn = new ShellConnection(new ServiceClient({ baseUrl: svc.url, apiKey: svc.apiKey }), new ManualClock(NOW), { minBackoffMs: 20 });
    cleanups.push(() => conn.stop());
    conn.start();
    await waitFor(() => conn.isConnected);
    const opens = () => svc.received.filter((r) => r.path === '/api/events').length;
    expect(opens()).toBe(1);
    conn.restart();
    await waitFor(() => conn.isConnected && opens() === 2);
    await waitFor(() => svc.streams() === 1);
  });

  it('backs off while the service is down and gives the "disconnected" summary', async () => {
    const svc = await startFakeService([]);
    cleanups.push(() => svc.close());
    svc.failNext('/api/events', 503, 4);
    const conn = new ShellConnection(new ServiceClient({ baseUrl: svc.url, apiKey: svc.apiKey }), new ManualClock(NOW), { minBackoffMs: 20, maxBackoffMs: 80 });
    cleanups.push(() => conn.stop());
    conn.start();
    expect(conn.summary).toBeNull();
    await waitFor(() => conn.isConnected, 5000);
    expect(svc.received.filter((r) => r.path === '/api/events')).toHaveLength(5);
  });
});
