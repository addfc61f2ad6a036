import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../shared/domain/clock.js';
import { isLoopbackAddress } from '../../shared/security/host.js';
import { Sessions } from './api/auth.js';
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
  /** console sessions (key rotation ends them) */
  sessions: Sessions;
  receiverRoutes: ((app: FastifyInstance) => void)[];
  apiPlugins: ((app: FastifyInstance) => void)[];
  channelList: (() => { id: string; name: string; kind: string }[]) | null;
  mutedUntil: (() => number | null) | null;
  queryExtensions: Parameters<typeof buildReceiver>[0]['queryExtensions'] | undefined;
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
 * Composition root: opens the store, builds the receiver and API, wires the features
 * and starts listening. Everything runs without Electron.
 */
export async function startService(config: ServiceConfig, clock: Clock, features: Feature[] = []): Promise<RunningService> {
  const log = createLog(config.logLevel);
  ensureDataDir(config.dataDir);
  const keys = loadKeys(config.dataDir);
  if (config.apiKey) keys.apiKey = config.apiKey;
  if (config.pingKey) keys.pingKey = config.pingKey;
  const db = openDb(config.dataDir, { nativeBinding: config.nativeBinding });
  const repos = makeRepos(db);
  const bus = new Bus();
  const urls = { ping: config.baseUrl ?? `http://${os.hostname()}.local:${config.pingPort}`, ui: '', pingKey: keys.pingKey };
  const monitor = new Monitor(repos, clock, bus, urls, log);
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
    receiverRoutes: [],
    apiPlugins: [],
    channelList: null,
    mutedUntil: null,
    queryExtensions: undefined,
  };
  for (const f of features) await f.setup?.(ctx);

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
      for (const f of [...features].reverse()) await f.stop?.();
      db.close();
    },
  };
  for (const f of features) await f.start?.(svc);
  return svc;
}
