import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../shared/domain/clock.js';
import { isLoopbackAddress } from '../../shared/security/host.js';
import { Sessions } from './api/auth.js';
import { KeyStore } from './api/key-store.js';
import { deadlineSource, fillStatusAt, statusChangeSource } from './core/deadlines.js';
import { FlipWriter } from './core/flips.js';
import { OfflineWatch } from './core/offline.js';
import { Scheduler, systemTimer, type TimerApi } from './core/scheduler.js';
import { Overview } from './api/overview.js';
import { buildApi } from './api/api.js';
import type { ServiceConfig } from './config.js';
import { ensureDataDir, openDb } from './db/open.js';
import { makeRepos, type Repos } from './db/repos.js';
import { Bus } from './events.js';
import { loadKeys } from './keys.js';
import { createLog, type Log } from './log.js';
import { CheckService, NO_CHANNELS, type ChannelResolver, type CheckFields, type FieldRule } from './core/checks.js';
import { IngestQueue, type PingLogHold, type PrepareStep } from './core/ingest-queue.js';
import { PingPipeline, type PingStep } from './core/pipeline.js';
import { readContextOf, Runtime } from './core/runtime.js';
import { packageVersion } from './package-info.js';
import { buildReceiver, type ReceiverDeps } from './receiver/receiver.js';
import type { DerivedCheckFields, ReadContext } from './serialize.js';


/** A running service. */
export interface RunningService {
  config: ServiceConfig;
  repos: Repos;
  bus: Bus;
  /** URL bases, keys and limits that change while the service runs */
  runtime: Runtime;
  checks: CheckService;
  ingest: IngestQueue;
  readContext: () => ReadContext;
  /** the one timer of the service, with the core's timed work (deadlines, status changes, offline holds) */
  scheduler: Scheduler;
  offline: OfflineWatch;
  sessions: Sessions;
  /** read-only and device keys */
  keys: KeyStore;
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

/** What a feature is given to build its parts. */
export interface FeatureDeps {
  config: Readonly<ServiceConfig>;
  clock: Clock;
  repos: Repos;
  bus: Bus;
  log: Log;
  runtime: Runtime;
  readContext: () => ReadContext;
  /** the one timer of the service: features add their timed work to it (before start) */
  scheduler: Scheduler;
  /** the only writer of flips and of the reminders they arm */
  flips: FlipWriter;
  /** monitor-offline awareness: gaps, holds, the alive beat, power events */
  offline: OfflineWatch;
  /** console sessions (key rotation ends them) */
  sessions: Sessions;
  /** read-only and device keys (the full API key is the runtime's) */
  keys: KeyStore;
}

/** The core parts, given to a feature's routes when the HTTP surfaces are built. */
export interface Core {
  checks: CheckService;
  /** the console's overview: the listing of every check, its order, filters and counts */
  overview: Overview;
  readContext: () => ReadContext;
  /** where pings go, and slug pings with ?create=1 create their check (durably, in a batch) */
  ingest: Pick<IngestQueue, 'submit'>;
}

/** The channels the alerts part knows: listing, and reading a check's `channels` field. */
export interface ChannelDirectory extends ChannelResolver {
  list(): { id: string; name: string; kind: string }[];
}

/** What a feature adds to the service; `startService` collects these and builds the core with them. */
export interface Contributions {
  /** Lubdub extension fields on checks, with their validators */
  checkFields?: Partial<CheckFields>;
  /** fields derived for a check's JSON when it is read (e.g. a learned schedule), never stored */
  derivedCheckFields?: DerivedCheckFields[];
  /** per check, the last ping a feature is done with: later ones outlive the ping log limit (up to its hard cap) */
  pingLogHolds?: PingLogHold[];
  /** pipeline steps, run after classification in feature order */
  pingSteps?: PingStep[];
  /** async work before a ping is queued */
  prepare?: PrepareStep[];
  /** Lubdub query parameters of ping URLs → ping extra data, or an error text */
  queryExtension?: QueryExtension;
  /** routes on the ping port */
  receiverRoutes?: ((app: FastifyInstance, core: Core) => void)[];
  /** routes on the UI port */
  apiRoutes?: ((app: FastifyInstance, core: Core) => void)[];
  /** at most one feature: the channels checks may alert */
  channels?: ChannelDirectory;
  /** at most one feature: until when all alerts are muted */
  mutedUntil?: () => number | null;
  /** after listening */
  start?: (svc: RunningService) => void | Promise<void>;
  /** on stop, before the database closes */
  stop?: () => void | Promise<void>;
}

/** A feature of the service (settings, silent failures, alerts, console, wrapper…). */
export interface Feature {
  /** before listening: builds the feature's parts and says what it adds */
  setup(deps: FeatureDeps): Contributions | Promise<Contributions>;
}

type QueryExtension = NonNullable<ReceiverDeps['queryExtensions']>;

/** The features' query extensions in order: the first error wins, the data merge. */
function queryExtensions(list: QueryExtension[]): QueryExtension | undefined {
  if (list.length === 0) return undefined;
  return (q) => {
    let out: Record<string, unknown> | null = null;
    for (const x of list) {
      const r = x(q);
      if (r && 'error' in r) return r;
      if (r) out = { ...(out ?? {}), ...r };
    }
    return out;
  };
}

/** The features' check fields; a field two features define is a wiring mistake. */
function checkFields(parts: Contributions[]): CheckFields {
  const rules: Record<string, FieldRule> = {};
  const asyncRules: CheckFields['asyncRules'] = {};
  for (const c of parts) {
    for (const [name, rule] of Object.entries(c.checkFields?.rules ?? {})) {
      if (name in rules) throw new Error(`two features define the check field ${name}`);
      rules[name] = rule;
    }
    Object.assign(asyncRules, c.checkFields?.asyncRules);
  }
  return { rules, asyncRules };
}

/** The one contribution of a kind that only one feature may make. */
function single<K extends 'channels' | 'mutedUntil'>(all: Contributions[], key: K): Contributions[K] {
  const given = all.filter((c) => c[key] !== undefined);
  if (given.length > 1) throw new Error(`two features provide ${key}`);
  return given[0]?.[key];
}

/** Knobs of the core; tests pass fake timers. */
export interface CoreOptions {
  timer?: TimerApi;
  /** the machine's name and addresses the default ping host is chosen from (default: `node:os`) */
  network?: { hostname?: () => string; interfaces?: () => ReturnType<typeof os.networkInterfaces> };
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
 * Composition root: opens the store, builds the core's timed parts (flip writer, scheduler,
 * deadlines, status changes, monitor-offline holds), lets each feature build its parts, builds
 * the rest of the core (pipeline, ingest queue, check service) with what the features
 * contributed, then the receiver and API, and starts listening. Checks turn down on time with
 * or without any feature. Everything runs without Electron.
 */
export async function startService(config: ServiceConfig, clock: Clock, features: Feature[] = [], opts: CoreOptions = {}): Promise<RunningService> {
  const log = createLog(config.logLevel);
  ensureDataDir(config.dataDir);
  const keys = loadKeys(config.dataDir);
  const db = openDb(config.dataDir, { nativeBinding: config.nativeBinding });
  const repos = makeRepos(db);
  const bus = new Bus();
  const runtime = new Runtime({
    baseUrl: config.baseUrl,
    defaultPingBase: '',
    network: { hostname: opts.network?.hostname ?? os.hostname, interfaces: opts.network?.interfaces ?? os.networkInterfaces, pingHost: config.pingHost, port: config.pingPort },
    apiKey: config.apiKey || keys.apiKey,
    pingKey: config.pingKey || keys.pingKey,
    badgeKey: keys.badgeKey,
    bodyLimit: config.pingBodyLimit,
    catchupWindow: config.catchupWindow,
  });
  const sessions = new Sessions();
  const apiKeys = new KeyStore(db, clock);
  // Filled once the features are set up; every check JSON is read with it.
  const derived: DerivedCheckFields[] = [];
  const readContext = readContextOf(clock, runtime, derived);

  // 1. Time: the core's scheduler and what it runs. Order matters within one turn: holds end
  // before deadlines are read; a status change at a deadline is announced by its flip, so
  // other status changes come after.
  const flips = new FlipWriter(db, repos.checks);
  // A timer firing far too late means Lubdub was not watching: hold what passed unseen.
  const scheduler = new Scheduler(clock, opts.timer ?? systemTimer, log, (from, to, cause) => offline.gap(from, to, cause));
  const poke = (name: string) => scheduler.poke(name);
  const offline = new OfflineWatch({ repos, flips, bus, clock, log, catchupWindow: () => runtime.catchupWindow, readContext, poke });
  const [holds, alive] = offline.sources(opts.aliveEveryMs);
  scheduler.add(holds);
  scheduler.add(deadlineSource({ repos, flips, bus, readContext }));
  scheduler.add(statusChangeSource({ repos, bus, readContext }));
  bus.on('deadlines', (set) => {
    if (set) {
      scheduler.lower('deadlines', set.alertAfter);
      scheduler.lower('status-changes', set.statusAt);
      return;
    }
    poke('deadlines');
    poke('status-changes');
  });

  // 2. The features, in order: each builds its parts and says what it adds.
  const deps: FeatureDeps = { config, clock, repos, bus, log, runtime, readContext, scheduler, flips, offline, sessions, keys: apiKeys };
  const parts: Contributions[] = [];
  for (const f of features) parts.push(await f.setup(deps));
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
  const all = <T>(pick: (c: Contributions) => T[] | undefined): T[] => parts.flatMap((c) => pick(c) ?? []);
  derived.push(...all((c) => c.derivedCheckFields));
  const channels = single(parts, 'channels');
  const mutedUntil = single(parts, 'mutedUntil');

  // 3. The rest of the core, built with those contributions.
  const checks = new CheckService({
    repos,
    clock,
    bus,
    fields: checkFields(parts),
    channels: channels ?? NO_CHANNELS,
    flips,
    readContext,
  });
  const pipeline = new PingPipeline({ steps: all((c) => c.pingSteps), runStarts: repos.pings });
  const ingest = new IngestQueue({ repos, clock, bus, log, runtime, pipeline, checks, flips, readContext, prepare: all((c) => c.prepare), pingLogHolds: all((c) => c.pingLogHolds) });
  const overview = new Overview(repos.db, () => repos.checks.listingWrites(), () => checks.listingPages(), (uuid) => checks.get(uuid));
  const core: Core = { checks, readContext, ingest, overview };

  // 4. The HTTP surfaces.
  let uiPort = config.uiPort;
  const guard = isLoopbackAddress(config.uiHost);
  const receiver = buildReceiver({
    ingest,
    clock,
    log,
    pingKey: () => runtime.pingKey,
    bodyLimit: () => runtime.bodyLimit,
    trustedProxies: config.trustedProxies,
    extraRoutes: (app) => all((c) => c.receiverRoutes).forEach((r) => r(app, core)),
    queryExtensions: queryExtensions(parts.flatMap((c) => c.queryExtension ?? [])),
  });
  const api = buildApi({
    checks,
    overview,
    repos,
    bus,
    runtime,
    readContext,
    clock,
    log,
    sessions,
    apiKey: () => runtime.apiKey,
    keys: apiKeys,
    guardPort: () => (guard ? uiPort : null),
    channels: channels ? () => channels.list() : undefined,
    mutedUntil,
    plugins: all((c) => c.apiRoutes).map((r) => (app: FastifyInstance) => r(app, core)),
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
  runtime.setPingPort(pingPort);
  const uiHost = config.uiHost === '0.0.0.0' || config.uiHost === '::' ? '127.0.0.1' : config.uiHost;
  const uiUrl = `http://${hostForUrl(uiHost)}:${uiPort}`;
  runtime.setUiBase(uiUrl);

  let stopped = false;
  const svc: RunningService = {
    config,
    repos,
    bus,
    runtime,
    checks,
    ingest,
    readContext,
    scheduler,
    offline,
    sessions,
    keys: apiKeys,
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
      for (const c of [...parts].reverse()) await c.stop?.();
      offline.markAlive();
      db.close();
    },
  };
  for (const c of parts) await c.start?.(svc);
  scheduler.start();
  return svc;
}
