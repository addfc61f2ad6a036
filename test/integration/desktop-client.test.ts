/** The shell's service client and live connection against real loopback servers. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceClient, ServiceHttpError } from '../../electron/app/client.js';
import { ShellConnection } from '../../electron/app/connection.js';
import { harness, KEY, type Harness } from '../helpers/in-process.js';
import { waitFor } from '../helpers/serve.js';
import { freePort, shellFetch } from '../helpers/shell-fetch.js';

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
  async function started(opts: Parameters<typeof harness>[0] = {}): Promise<Harness> {
    const h = await harness({ start: NOW, core: { aliveEveryMs: 0 }, ...opts });
    cleanups.push(() => fs.rmSync(h.dataDir, { recursive: true, force: true }));
    cleanups.push(() => h.stop());
    return h;
  }
  /** open event streams at the service (each is one listener on its bus) */
  const streams = (h: Harness) => h.svc.bus.listenerCount('public');

  it('reads the checks once per connection; later statuses come from events only', async () => {
    const h = await started();
    const a = (await h.api('POST', '/api/v3/checks/', { name: 'a', timeout: 60, grace: 60, channels: '' })).json.uuid;
    expect(await h.ping(a)).toBe(200);
    const net = shellFetch();
    const conn = new ShellConnection(new ServiceClient({ baseUrl: h.svc.uiUrl, apiKey: KEY }, net.fetch), { minBackoffMs: 20 });
    cleanups.push(() => conn.stop());
    conn.start();
    await waitFor(() => conn.summary?.worst === 'up');
    expect(net.sent.map((r) => r.path).sort()).toEqual(['/api/events', '/api/lubdub/summary', '/api/v3/checks/']);
    // The next ping is due: the service announces the grace; a client computing deadlines
    // itself would re-read here.
    h.timers.advance(61_000);
    await waitFor(() => conn.summary?.worst === 'grace');
    // a marker sent after: once it is applied, anything the grace event caused has happened
    expect((await h.api('POST', '/api/v3/checks/', { name: 'marker', channels: '' })).status).toBe(201);
    await waitFor(() => conn.checks.length === 2);
    expect(net.sent).toHaveLength(3);
  });

  it('restart() drops a stream that looks fine and opens a new one', async () => {
    const h = await started();
    const net = shellFetch();
    const conn = new ShellConnection(new ServiceClient({ baseUrl: h.svc.uiUrl, apiKey: KEY }, net.fetch), { minBackoffMs: 20 });
    cleanups.push(() => conn.stop());
    conn.start();
    await waitFor(() => conn.isConnected);
    const opens = () => net.to('/api/events').length;
    expect(opens()).toBe(1);
    expect(streams(h)).toBe(1);
    conn.restart();
    await waitFor(() => conn.isConnected && opens() === 2);
    await waitFor(() => streams(h) === 1);

  });

  it('backs off while the service is down and gives the "disconnected" summary', async () => {
    const port = await freePort();
    const net = shellFetch();
    const conn = new ShellConnection(new ServiceClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: KEY }, net.fetch), { minBackoffMs: 20, maxBackoffMs: 80 });
    cleanups.push(() => conn.stop());
    conn.start();
    expect(conn.summary).toBeNull();
    // Nothing listens yet: the stream is refused, again and again.
    await waitFor(() => net.to('/api/events').length >= 4, 5000);
    expect(conn.summary).toBeNull();
    await started({ config: { uiPort: port } });
    await waitFor(() => conn.isConnected, 5000);
    const tries = net.to('/api/events');
    expect(tries.length).toBeGreaterThanOrEqual(5);
    expect(tries.slice(0, -1).every((t) => t.status === null)).toBe(true);
    expect(tries.at(-1)!.status).toBe(200);
  });
});
