import type { Clock } from '../../../shared/domain/clock.js';
import { reachableHost, urlHost, type NetAddress } from '../../../shared/domain/ping-url.js';
import type { CheckRow } from '../db/repos.js';
import type { DerivedCheckFields, ReadContext, Urls } from '../serialize.js';

/** Ping log size per check (healthchecks' ping_log_limit); older pings are pruned as new ones arrive. */
const DEFAULT_PING_LOG_LIMIT = 1000;

/**
 * Most pings kept per check while a feature still needs older ones (a relay whose upstream
 * is down): past it the oldest go even if unsent, so a dead upstream cannot grow the
 * database forever.
 */
export const PING_LOG_HARD_CAP = 10_000;

/** What the service starts with; the settings routes change some of it while it runs. */
export interface RuntimeInit {
  /** the ping URL base given by flag, environment or saved settings; null: derived from the listening port */
  baseUrl: string | null;
  /** the ping URL base used until the receiver listens (and while no base URL is set); with `network` it is derived instead */
  defaultPingBase: string;
  /** the facts the default ping host is decided from (`reachableHost`) */
  network?: PingNetwork;
  apiKey: string;
  pingKey: string;
  badgeKey: string;
  bodyLimit: number;
  catchupWindow: number;
  pingLogLimit?: number;
}

/** Where the default ping base comes from: the machine's names and addresses, and the receiver. */
export interface PingNetwork {
  hostname: () => string;
  interfaces: () => Record<string, NetAddress[] | undefined>;
  /** the address the receiver listens on */
  pingHost: string;
  /** the ping port (the configured one until the receiver listens) */
  port: number;
}

/**
 * The values that change while the service runs: URL bases, keys, body limit, catch-up
 * window. One owner, changed only through its setters; every reader gets this object at
 * construction and reads it when it needs a value, so a change applies everywhere at once.
 */
export class Runtime {
  private base: string | null;
  private defaultBase: string;
  private readonly u: Urls;
  private api: string;
  private badge: string;
  private limit: number;
  private window: number;
  private readonly network: PingNetwork | null;
  private announced: string | null = null;
  /** ping log size per check */
  readonly pingLogLimit: number;

  constructor(init: RuntimeInit) {
    this.base = init.baseUrl;
    this.network = init.network ? { ...init.network } : null;
    this.defaultBase = this.network ? this.derivedBase() : init.defaultPingBase;
    this.u = { ping: init.baseUrl ?? this.defaultBase, ui: '', pingKey: init.pingKey };
    this.api = init.apiKey;
    this.badge = init.badgeKey;
    this.limit = init.bodyLimit;
    this.window = init.catchupWindow;
    this.pingLogLimit = init.pingLogLimit ?? DEFAULT_PING_LOG_LIMIT;
  }

  /** The URL bases and ping key for URLs in replies (a live view: it follows the setters). */
  get urls(): Readonly<Urls> {
    return this.u;
  }
  get pingKey(): string {
    return this.u.pingKey;
  }
  get apiKey(): string {
    return this.api;
  }
  /** the secret part of status badge URLs */
  get badgeKey(): string {
    return this.badge;
  }
  /** ping bodies are cut at this many bytes */
  get bodyLimit(): number {
    return this.limit;
  }
  /** seconds a check whose deadline fell while Lubdub was not watching stays in grace */
  get catchupWindow(): number {
    return this.window;
  }
  /** the ping URL base when no base URL is set */
  get defaultPingBase(): string {
    return this.defaultBase;
  }

  /** Sets the ping URL base; null goes back to the default. */
  setBaseUrl(url: string | null): void {
    this.base = url;
    this.u.ping = url ?? this.defaultBase;
  }
  /** The default ping URL base, known once the receiver listens. */
  setDefaultPingBase(url: string): void {
    this.defaultBase = url;
    if (this.base === null) this.u.ping = url;
  }
  /** The receiver listens on `port`: the default base follows. */
  setPingPort(port: number): void {
    if (!this.network) return;
    this.network.port = port;
    this.setDefaultPingBase(this.derivedBase());
  }
  /**
   * mDNS announces `host` now (null: it stopped); the default base follows. Returns
   * whether the shown ping base changed.
   */
  setAnnouncedHost(host: string | null): boolean {
    const before = this.u.ping;
    this.announced = host;
    if (this.network) this.setDefaultPingBase(this.derivedBase());
    return this.u.ping !== before;
  }
  private derivedBase(): string {
    const n = this.network!;
    const host = reachableHost({ announced: this.announced, pingHost: n.pingHost, hostname: n.hostname(), interfaces: n.interfaces() });
    return `http://${urlHost(host)}:${n.port}`;
  }
  setUiBase(url: string): void {
    this.u.ui = url;
  }
  setPingKey(key: string): void {
    this.u.pingKey = key;
  }
  setApiKey(key: string): void {
    this.api = key;
  }
  setBadgeKey(key: string): void {
    this.badge = key;
  }
  setBodyLimit(bytes: number): void {
    this.limit = bytes;
  }
  setCatchupWindow(seconds: number): void {
    this.window = seconds;
  }
}

/** The facts a check's JSON is read with, taken fresh at each call; `derived` is read at each call too. */
export function readContextOf(clock: Clock, runtime: Runtime, derived: readonly DerivedCheckFields[] = []): () => ReadContext {
  return () => ({ now: clock.now(), urls: runtime.urls, derived });
}
