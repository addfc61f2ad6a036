import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../shared/domain/clock.js';
import { isLoopbackAddress } from '../../shared/security/host.js';
import { Sessions } from './api/auth.js';
import { deadlineSource, fillStatusAt, statusChangeSource } from './core/deadlines.js';
import { FlipWriter } from './core/flips.js';
import { OfflineWatch } from './core/offline.js';
import { Scheduler, systemTimer, type TimerApi } from './core/scheduler.js';
import { buildApi } from './api/api.js';
import type { ServiceConfig } from './config.js';
import { ensureDataDir, openDb } from './db/open.js';
import { makeRepos, type Repos } from './db/repos.js';
import { Bus } from './events.js';
import { loadKeys, type Keys } from './keys.js';
import { createLog, type Log } from './log.js';
import { Monitor } from './monitor.js';
import { packageVersion } from './package-info.js';
import { buildReceiver } from './receiver/receiver.js';

/** A running service. */
export interface RunningService {
  config: ServiceConfig;
  repos: Repos;
  monitor: Monitor;
  /** the scheduler with the core's timed work (deadlines, status changes, offline holds) */
  scheduler: Scheduler;
  offline: OfflineWatch;
  keys: Keys;
  sessions: Sessions;
  receiver: FastifyInstance;
  api: FastifyInstance;
  log: Log;
  /** actual listening URLs (port 0 resolved) */
  pingListenUrl: string;
  uiUrl: string;
  /** a fresh one-time console login URL */
  loginUrl: () => string;
  stop: () => Promise<void>;
}

/** A feature wired into the service at start (scheduler, alerts, console, wrapper…). */
export interface Feature {
  /** before listening: register routes, hooks, extension fields */
  setup?: (svc: FeatureContext) => void | Promise<void>;
  /** after listening */
  start?: (svc: RunningService) => void | Promise<void>;
  /** on stop, before the database closes */
  stop?: () => void | Promise<void>;
}

/** What a feature sees during setup. */
export interface FeatureContext {
  config: ServiceConfig;
  clock: Clock;
  repos: Repos;
  monitor: Monitor;
  bus: Bus;
  log: Log;
  keys: Keys;
  /** the one timer of the service: features add their timed work to it (before start) */
  scheduler: Scheduler;
  /** the only writer of flips and of the reminders they arm */
  flips: FlipWriter;
  /** monitor-offline awareness: gaps, holds, the alive beat, power events */
  offline: OfflineWatch;
  /** console sessions (key rotation ends them) */
  sessions: Sessions;
  receiverRoutes: ((app: FastifyInstance) => void)[];
  apiPlugins: ((app: FastifyInstance) => void)[];
  channelList: (() => { id: string; name: string; kind: string }[]) | null;
  mutedUntil: (() => number | null) | null;
  queryExtensions: Parameters<typeof buildReceiver>[0]['queryExtensions'] | undefined;
}

/** Knobs of the core; tests pass fake timers. */
export interface CoreOptions {
  timer?: TimerApi;
  /** how often "alive" is written (default 30 s); 0 turns the beat off (long fake-clock tests) */
  aliveEveryMs?: number;
}

/** Error with a one-line message for the CLI. */
export class StartError extends Error {}

function hostForUrl(h: string): string {
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
}

async function listen(app: FastifyInstance, host: string, port: number, what: string, flag: string): Promise<number> {
  try {
    await app.listen({ host, port, listenTextResolver: (address) => `${what} port listening at ${address}` });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartError(`${what} port ${port} on ${host} is already in use (set ${flag})`);
    if (code === 'EADDRNOTAVAIL') throw new StartError(`${what} host ${host} is not an address of this machine (set ${flag})`);
    if (code === 'EACCES') throw new StartError(`${what} port ${port} needs privileges (set ${flag})`);
    throw new StartError(`${what} cannot listen on ${host}:${port}: ${(e as Error).message}`);
  }
  const addr = app.server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}

/**
 * Composition root: opens the store, builds the core (flip writer, scheduler, deadlines,
 * status changes, monitor-offline holds), the receiver and API, wires the features and
 * starts listening. Checks turn down on time with or without any feature. Everything runs
 * without Electron.
 */
export async function startService(config: ServiceConfig, clock: Clock, features: Feature[] = [], core: CoreOptions = {}): Promise<RunningService> {
  const log = createLog(config.logLevel);
  ensureDataDir(config.dataDir);
  const keys = loadKeys(config.dataDir);
  if (config.apiKey) keys.apiKey = config.apiKey;
  if (config.pingKey) keys.pingKey = config.pingKey;
  const db = openDb(config.dataDir, { nativeBinding: config.nativeBinding });
  const repos = makeRepos(db);
  const bus = new Bus();
  const urls = { ping: config.baseUrl ?? `http://${os.hostname()}.local:${config.pingPort}`, ui: '', pingKey: keys.pingKey };
  const flips = new FlipWriter(db);
  const monitor = new Monitor(repos, clock, bus, urls, log, flips);
  const readContext = () => monitor.readContext();
  // A timer firing far too late means Lubdub was not watching: hold what passed unseen.
  const scheduler = new Scheduler(clock, core.timer ?? systemTimer, log, (from, to, cause) => offline.gap(from, to, cause));
  const poke = (name: string) => scheduler.poke(name);
  const offline = new OfflineWatch({ repos, flips, bus, clock, log, catchupWindow: () => config.catchupWindow, readContext, poke });
  // Order matters within one turn: holds end before deadlines are read; a status change at a
  // deadline is announced by its flip, so other status changes come after.
  const [holds, alive] = offline.sources(core.aliveEveryMs);
  scheduler.add(holds);
  scheduler.add(deadlineSource({ repos, flips, bus, readContext }));
  scheduler.add(statusChangeSource({ repos, bus, readContext }));
  bus.on('deadlines', () => {
    poke('deadlines');
    poke('status-changes');
  });
  const sessions = new Sessions();
  const ctx: FeatureContext = {
    config,
    clock,
    repos,
    monitor,
    bus,
    log,
    keys,
    sessions,
    scheduler,
    flips,
    offline,
    receiverRoutes: [],
    apiPlugins: [],
    channelList: null,
    mutedUntil: null,
    queryExtensions: undefined,
  };
  for (const f of features) await f.setup?.(ctx);
  scheduler.add(alive);

  // Before the listeners open (and after the settings feature loaded the catch-up window):
  // deadlines that passed while Lubdub was stopped are held.
  offline.onStart();
  try {
    fillStatusAt(repos, clock.now());
  } catch (e) {
    // A read-only or full database: those checks are announced after their next write.
    log.error(`cannot schedule status announcements (${(e as Error).message})`);
  }

  let uiPort = config.uiPort;
  const guard = isLoopbackAddress(config.uiHost);
  const receiver = buildReceiver({
    monitor,
    clock,
    log,
    bodyLimit: () => config.pingBodyLimit,
    trustedProxies: config.trustedProxies,
    extraRoutes: (app) => ctx.receiverRoutes.forEach((r) => r(app)),
    queryExtensions: ctx.queryExtensions,
  });
  const api = buildApi({
    monitor,
    clock,
    log,
    sessions,
    apiKey: () => keys.apiKey,
    guardPort: () => (guard ? uiPort : null),
    channels: ctx.channelList ?? undefined,
    mutedUntil: ctx.mutedUntil ?? undefined,
    plugins: ctx.apiPlugins,
    version: packageVersion(),
  });

  let pingPort: number;
  try {
    pingPort = await listen(receiver, config.pingHost, config.pingPort, 'ping', '--ping-port / LUBDUB_PING_PORT');
    uiPort = await listen(api, config.uiHost, config.uiPort, 'console', '--ui-port / LUBDUB_UI_PORT');
  } catch (e) {
    await receiver.close().catch(() => {});
    db.close();
    throw e;
  }
  if (!config.baseUrl) urls.ping = `http://${os.hostname()}.local:${pingPort}`;
  const uiHost = config.uiHost === '0.0.0.0' || config.uiHost === '::' ? '127.0.0.1' : config.uiHost;
  const uiUrl = `http://${hostForUrl(uiHost)}:${uiPort}`;
  urls.ui = uiUrl;

  let stopped = false;
  const svc: RunningService = {
    config,
    repos,
    monitor,
    scheduler,
    offline,
    keys,
    sessions,
    receiver,
    api,
    log,
    pingListenUrl: `http://${hostForUrl(config.pingHost)}:${pingPort}`,
    uiUrl,
    loginUrl: () => `${uiUrl}/login?token=${sessions.newLoginToken()}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await Promise.allSettled([receiver.close(), api.close()]);
      scheduler.stop();
      for (const f of [...features].reverse()) await f.stop?.();
      offline.markAlive();
      db.close();
    },
  };
  for (const f of features) await f.start?.(svc);
  scheduler.start();
  return svc;
}
