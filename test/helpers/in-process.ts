import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { alertsFeature, type Alerting, type AlertsOptions } from '../../electron/service/alerts/feature.js';
import { defaults } from '../../electron/service/config.js';
import { startService, type CoreOptions, type Feature, type RunningService } from '../../electron/service/service.js';
import { ManualClock } from '../../shared/domain/clock.js';
import type { ServiceEvent } from '../../shared/api/types.js';
import { assertReply } from './contract.js';
import { FakeTimers } from './fake-timers.js';
import { tempDir, waitFor } from './serve.js';

/** The API key of in-process services. */
export const KEY = 'test-api-key-0123456789abcdef';

/** A real service in this process on a fake clock and fake timers. */
export interface Harness {
  svc: RunningService;
  clock: ManualClock;
  timers: FakeTimers;
  alerting: Alerting;
  dataDir: string;
  events: ServiceEvent[];
  /** a ping through the real receiver (inject) */
  ping: (uuid: string, suffix?: string, opts?: { body?: string; query?: string }) => Promise<number>;
  /** a management API call through inject, with the key */
  api: (method: string, url: string, body?: unknown) => Promise<{ status: number; json: any }>;
  stop: () => Promise<void>;
}

/** Starts the service with the alerts feature on a ManualClock at `start`. */
export async function harness(
  opts: {
    start?: string | number;
    dataDir?: string;
    config?: Partial<ReturnType<typeof defaults>>;
    alerts?: AlertsOptions;
    /** knobs of the core (the fake timers are always the harness's own) */
    core?: Omit<CoreOptions, 'timer'>;
    clock?: ManualClock;
    /** more features, set up before the alerts (e.g. silent failures) */
    features?: Feature[];
  } = {},
): Promise<Harness> {
  const clock = opts.clock ?? new ManualClock(typeof opts.start === 'number' ? opts.start : Date.parse(opts.start ?? '2024-01-01T00:00:00Z'));
  const timers = new FakeTimers(clock);
  const dataDir = opts.dataDir ?? tempDir('lubdub-alerts-');
  const feature = alertsFeature({ hasSession: () => false, ...opts.alerts });
  const svc = await startService(
    {
      ...defaults(),
      dataDir,
      pingHost: '127.0.0.1',
      pingPort: 0,
      uiPort: 0,
      apiKey: KEY,
      baseUrl: 'http://lubdub.test:8420',
      desktopNotifier: false,
      // the test output keeps warnings and errors, not where each service listens
      logLevel: 'warn',
      mdns: false,
      ...opts.config,
    },
    clock,
    [...(opts.features ?? []), feature],
    { ...opts.core, timer: timers },
  );
  const events: ServiceEvent[] = [];
  const h: Harness = {
    svc,
    clock,
    timers,
    alerting: feature.alerting!,
    dataDir,
    events,
    ping: async (uuid, suffix = '', o = {}) => {
      const r = await svc.receiver.inject({ method: 'POST', url: `/ping/${uuid}${suffix}${o.query ? '?' + o.query : ''}`, payload: o.body ?? '' });
      return r.statusCode;
    },
    api: async (method, url, body) => {
      const r = await svc.api.inject({
        method: method as 'GET',
        url,
        headers: { 'x-api-key': KEY, host: new URL(svc.uiUrl).host, 'content-type': 'application/json' },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = r.body ? JSON.parse(r.body) : null;
      // every answer of a declared route is checked against its response schema
      if (String(r.headers['content-type'] ?? '').includes('json')) assertReply(method, url, r.statusCode, json);
      return { status: r.statusCode, json };
    },
    stop: () => svc.stop(),
  };
  return h;
}

/** Records every event on the bus (it also counts as a connected client for the desktop channel). */
export function recordEvents(h: Harness): ServiceEvent[] {
  h.svc.bus.on('public', (e) => h.events.push(e));
  return h.events;
}

/** A local HTTP receiver (webhook or ntfy stand-in) on 127.0.0.1:0. */
export interface Receiver {
  url: string;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string; at: number }[];
  /** answer for the next requests: status (and optional headers) */
  respond: (req: http.IncomingMessage) => { status: number; headers?: Record<string, string>; hang?: boolean };
  close: () => Promise<void>;
}

/** Starts a local HTTP receiver that records every request. */
export async function receiver(): Promise<Receiver> {
  const r: Receiver = {
    url: '',
    requests: [],
    respond: () => ({ status: 200 }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      r.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const a = r.respond(req);
      if (a.hang) return;
      res.writeHead(a.status, a.headers ?? {});
      res.end('ok');
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}

/** Waits until the outbox has no send in flight and nothing due now. */
export async function settle(h: Harness): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await waitFor(() => {
    const busy = h.alerting.store.listDeliveries({ status: 'sending', limit: 1 }).length > 0;
    const due = h.alerting.store.dueDeliveries(h.clock.now(), 1).length > 0;
    const unclaimed = h.alerting.store.unprocessedFlips(1).length > 0;
    return !busy && !due && !unclaimed;
  }, 10_000, 10);
}
