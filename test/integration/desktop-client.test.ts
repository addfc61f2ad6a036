/** The shell's service client and live connection against real loopback servers. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceClient, ServiceHttpError } from '../../electron/app/client.js';
import { ShellConnection } from '../../electron/app/connection.js';
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

describe('ShellConnection', () => {
  it('reads the checks once per connection; later statuses come from events only', async () => {
    // Next ping long past: a client computing deadlines itself would re-read at once.
    const svc = await startFakeService([checkJson({ uuid: U(1), name: 'a', status: 'up', next_ping: iso(NOW - 60_000) })]);
    cleanups.push(() => svc.close());
    const conn = new ShellConnection(new ServiceClient({ baseUrl: svc.url, apiKey: svc.apiKey }), { minBackoffMs: 20 });
    cleanups.push(() => conn.stop());
    conn.start();
    await waitFor(() => conn.summary?.worst === 'up');
    expect(svc.received.map((r) => r.path).sort()).toEqual(['/api/events', '/api/lubdub/summary', '/api/v3/checks/']);
    svc.push({ type: 'check', data: checkJson({ uuid: U(1), name: 'a', status: 'grace', alert_after: iso(NOW - 1000) }) });
    await waitFor(() => conn.summary?.worst === 'grace');
    // a marker sent after: once it is applied, anything the grace event caused has happened
    svc.push({ type: 'check', data: checkJson({ uuid: U(2), name: 'marker', status: 'new' }) });
    await waitFor(() => conn.checks.length === 2);
    expect(svc.received).toHaveLength(3);
  });

  it('restart() drops a stream that looks fine and opens a new one', async () => {
    const svc = await startFakeService([]);
    cleanups.push(() => svc.close());
    const conn = new ShellConnection(new ServiceClient({ baseUrl: svc.url, apiKey: svc.apiKey }), { minBackoffMs: 20 });
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
    const conn = new ShellConnection(new ServiceClient({ baseUrl: svc.url, apiKey: svc.apiKey }), { minBackoffMs: 20, maxBackoffMs: 80 });
    cleanups.push(() => conn.stop());
    conn.start();
    expect(conn.summary).toBeNull();
    await waitFor(() => conn.isConnected, 5000);
    expect(svc.received.filter((r) => r.path === '/api/events')).toHaveLength(5);
  });
});
