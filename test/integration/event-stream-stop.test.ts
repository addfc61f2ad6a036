/**
 * The service stops promptly whatever its clients hold open: event streams (a console, the
 * desktop shell), a stream its client abandoned, a socket that never sent a request (a
 * browser's preconnect), a request stalled half-way, idle keep-alive sockets.
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, KEY, type Harness } from '../helpers/in-process.js';
import { openEvents } from '../helpers/sse.js';
import { waitFor } from '../helpers/serve.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function started(): Promise<Harness> {
  const h = await harness({ core: { aliveEveryMs: 0 } });
  cleanups.push(() => fs.rmSync(h.dataDir, { recursive: true, force: true }));
  cleanups.push(() => h.stop());
  return h;
}

/** A raw client socket; `closed` resolves when the server ends it. */
async function socket(url: string, bytes: string): Promise<{ sock: net.Socket; received: () => string; closed: Promise<void> }> {
  const u = new URL(url);
  const sock = net.connect(Number(u.port), u.hostname);
  let text = '';
  sock.on('data', (d) => (text += d));
  sock.on('error', () => {});
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  cleanups.push(() => void sock.destroy());
  await new Promise<void>((r) => sock.once('connect', () => r()));
  if (bytes) sock.write(bytes);
  return { sock, received: () => text, closed };
}

/**
 * Races `p` against a guard timer: an order, not a duration. Before the fix the stop waited
 * for the sockets' own 10 s timeouts (or for ever); the guard makes that fail, not hang.
 */
async function before<T>(p: Promise<T>, guardMs = 2_000): Promise<'done' | 'guard fired first'> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'guard fired first'>((r) => (timer = setTimeout(() => r('guard fired first'), guardMs)));
  try {
    return await Promise.race([p.then(() => 'done' as const), guard]);
  } finally {
    clearTimeout(timer);
  }
}

const host = (url: string) => new URL(url).host;

describe('stop with open connections', () => {
  it('ends open event streams, live or abandoned, and resolves before a 2 s guard', async () => {
    const h = await started();
    const headers = { 'x-api-key': KEY };
    const live = await Promise.all([1, 2].map(() => openEvents(`${h.svc.uiUrl}/api/events`, headers)));
    expect(live.map((s) => s.status)).toEqual([200, 200]);
    // one whose client forgot it: never closed, nothing but the server ends it
    const abandoned = await socket(h.svc.uiUrl, `GET /api/events HTTP/1.1\r\nHost: ${host(h.svc.uiUrl)}\r\nx-api-key: ${KEY}\r\n\r\n`);
    // one whose client went away (the server sees the close)
    const dropped = await socket(h.svc.uiUrl, `GET /api/events HTTP/1.1\r\nHost: ${host(h.svc.uiUrl)}\r\nx-api-key: ${KEY}\r\n\r\n`);
    await waitFor(() => live.every((s) => s.events.some((e) => e.type === 'hello')) && dropped.received().includes('event: hello'));
    dropped.sock.destroy();

    const ended = live.map(async (s) => {
      await waitFor(() => s.ended, 60_000, 10);
    });
    expect(await before(h.svc.stop())).toBe('done');
    expect(await before(Promise.all([...ended, abandoned.closed]))).toBe('done');
  });

  it('cuts a socket that never sent a request, a request stalled half-way and idle keep-alive sockets, on both ports', async () => {
    const h = await started();
    const uuid = (await h.api('POST', '/api/v3/checks/', { name: 'kept' })).json.uuid as string;
    const sockets = [];
    for (const url of [h.svc.pingListenUrl, h.svc.uiUrl]) {
      sockets.push(await socket(url, '')); // a preconnect
      sockets.push(await socket(url, `GET /ping/${uuid} HTTP/1.1\r\nHost: ${host(url)}\r\nX-Slow: a`)); // stalled
    }
    const kept = [
      await socket(h.svc.pingListenUrl, `GET /ping/${uuid} HTTP/1.1\r\nHost: ${host(h.svc.pingListenUrl)}\r\nConnection: keep-alive\r\n\r\n`),
      await socket(h.svc.uiUrl, `GET /api/v3/status/ HTTP/1.1\r\nHost: ${host(h.svc.uiUrl)}\r\nConnection: keep-alive\r\n\r\n`),
    ];
    await waitFor(() => kept.every((k) => k.received().startsWith('HTTP/1.1 200')));
    // the servers have accepted every connection
    const connections = (app: typeof h.svc.api) => new Promise<number>((r) => app.server.getConnections((_e, n) => r(n)));
    await waitFor(async () => (await connections(h.svc.receiver)) === 3 && (await connections(h.svc.api)) === 3);
    expect(await before(h.svc.stop())).toBe('done');
    expect(await before(Promise.all([...sockets, ...kept].map((s) => s.closed)))).toBe('done');
  });
});
