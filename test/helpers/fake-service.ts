/**
 * A stand-in Lubdub service on a real loopback socket (127.0.0.1:0), speaking the contract
 * the desktop shell codes against (shared/api/types.ts): the v3 check list, the summary,
 * the SSE event stream, session, mute and power. Tests push events and read what the shell
 * sent. Used where the real routes belong to other issues (mute, power, notifications).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { summarize } from '../../shared/api/summary.js';
import type { CheckJson, ServiceEvent } from '../../shared/api/types.js';
import { checkJson as baseCheckJson } from './check-json.js';

export const FAKE_API_KEY = 'fake-api-key-0123456789abcdef';

/** A request the fake received. */
export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakeService {
  url: string;
  apiKey: string;
  checks: Map<string, CheckJson>;
  mutedUntil: string | null;
  received: Received[];
  /** open event-stream connections */
  streams: () => number;
  /** sends an event to every open stream (and updates the fake's own state for check events) */
  push: (e: ServiceEvent) => void;
  /** drops every open stream (as a restart or sleep would) */
  dropStreams: () => void;
  /** makes the next requests to `path` fail with `status` `times` times */
  failNext: (path: string, status: number, times?: number) => void;
  close: () => Promise<void>;
}

/** A check as the API returns it, with defaults for a fake service (no deadlines yet). */
export function checkJson(over: Partial<CheckJson> & { uuid: string; name: string }): CheckJson {
  return baseCheckJson({
    slug: over.name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    tags: '',
    last_ping: null,
    next_ping: null,
    ping_url: `http://lubdub.test:8420/ping/${over.uuid}`,
    alert_after: null,
    created: '2025-01-01T00:00:00+00:00',
    ...over,
  });
}

/** Starts the fake on 127.0.0.1:0. */
export async function startFakeService(initial: CheckJson[] = []): Promise<FakeService> {
  const checks = new Map(initial.map((c) => [c.uuid, c]));
  const received: Received[] = [];
  const streams = new Set<http.ServerResponse>();
  const failures = new Map<string, { status: number; times: number }>();
  const state = { mutedUntil: null as string | null };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      let body: unknown = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = raw;
      }
      received.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.headers['x-api-key'] !== FAKE_API_KEY) return json(401, { error: 'wrong api key' });
      const f = failures.get(path);
      if (f && f.times > 0) {
        f.times--;
        return json(f.status, { error: 'injected failure' });
      }
      if (req.method === 'GET' && path === '/api/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
        res.write(`event: hello\ndata: ${JSON.stringify({ server_time: new Date().toISOString(), version: 'fake' })}\n\n`);
        streams.add(res);
        // res 'close' = the connection ended (req 'close' fires as soon as the request body is read).
        res.on('close', () => streams.delete(res));
        return;
      }
      if (req.method === 'GET' && path === '/api/v3/checks/') return json(200, { checks: [...checks.values()] });
      if (req.method === 'GET' && path === '/api/lubdub/summary') return json(200, summarize([...checks.values()], state.mutedUntil));
      if (req.method === 'POST' && path === '/api/lubdub/session') return json(200, { cookie: 'lubdub_session', value: `sid-${received.length}` });
      if (req.method === 'POST' && path === '/api/lubdub/mute') {
        const until = (body as { until?: unknown })?.until;
        state.mutedUntil = typeof until === 'string' ? until.replace(/\.\d{3}Z$/, '+00:00') : null;
        return json(200, { muted_until: state.mutedUntil });
      }
      if (req.method === 'POST' && path === '/api/lubdub/power') return json(200, { ok: true });
      return json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: FAKE_API_KEY,
    checks,
    get mutedUntil() {
      return state.mutedUntil;
    },
    set mutedUntil(v) {
      state.mutedUntil = v;
    },
    received,
    streams: () => streams.size,
    push(e) {
      if (e.type === 'check') checks.set(e.data.uuid, e.data);
      if (e.type === 'check-deleted') checks.delete(e.data.uuid);
      for (const s of streams) s.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
    },
    dropStreams() {
      for (const s of streams) s.destroy();
      streams.clear();
    },
    failNext(path, status, times = 1) {
      failures.set(path, { status, times });
    },
    async close() {
      for (const s of streams) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
