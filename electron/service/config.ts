import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SHARE_PORT } from '../../shared/api/office.js';
import { limitError, normalizeBaseUrl, SETTINGS_LIMITS, type LimitedSetting } from '../../shared/api/settings.js';
import { upstreamError } from '../../shared/domain/upstream.js';
import { baseUrlError } from '../../shared/security/base-url.js';
import { LOG_LEVELS, type LogLevel } from './log.js';

/** Settings of one service instance (SPEC §3). */
export interface ServiceConfig {
  dataDir: string;
  pingHost: string;
  pingPort: number;
  uiHost: string;
  uiPort: number;
  apiKey: string | null;
  pingKey: string | null;
  pingBodyLimit: number;
  baseUrl: string | null;
  /** addresses of reverse proxies whose X-Forwarded-For is believed */
  trustedProxies: string[];
  /** seconds a check whose deadline fell while Lubdub was not watching stays in grace */
  catchupWindow: number;
  /** send desktop notifications from the service (node-notifier); the Electron shell turns it off */
  desktopNotifier: boolean;
  /** the least severe log level written */
  logLevel: LogLevel;
  /** office mode: the HTTPS share listener for paired desks (also a Settings switch) */
  share: boolean;
  shareHost: string;
  sharePort: number;
  /** announce the ping receiver (and the share port) on the LAN with mDNS/DNS-SD */
  mdns: boolean;
  /** "Lubdub itself": the default ping URL the service pings while it runs (Settings may save another) */
  heartbeatUrl: string | null;
  /** the default minutes between two heartbeats */
  heartbeatMinutes: number;
  /** better-sqlite3's addon file; the desktop app sets its Electron-ABI build, `serve` leaves it unset */
  nativeBinding?: string;
  /** settings given by flag or environment at start: they win over values saved from the console */
  given?: (keyof ServiceConfig)[];
}

/** A bad setting: the CLI prints the message and exits 1. */
export class ConfigError extends Error {}

/** The OS app-data dir (SPEC §3). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Lubdub');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Lubdub');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'lubdub');
}

interface Option {
  key: keyof ServiceConfig;
  flag: string;
  env: string;
  parse: (v: string, name: string) => unknown;
}

function port(v: string, name: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new ConfigError(`${name} must be a port number 0-65535, got "${v}"`);
  return Number(v);
}
function host(v: string, name: string): string {
  if (!/^[A-Za-z0-9.:_%-]{1,253}$/.test(v)) throw new ConfigError(`${name} must be a host name or IP address, got "${v}"`);
  return v;
}
/** A numeric setting from a flag or variable, checked against the one table the API uses too. */
function limited(key: LimitedSetting) {
  return (v: string, name: string): number => {
    const { min, max } = SETTINGS_LIMITS[key];
    const n = /^\d{1,10}$/.test(v) ? Number(v) : NaN;
    if (limitError(key, n) !== null) throw new ConfigError(`${name} must be an integer ${min}-${max}, got "${v}"`);
    return n;
  };
}
function str(v: string): string {
  return v;
}
function logLevel(v: string, name: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === v.toLowerCase());
  if (!level) throw new ConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}, got "${v}"`);
  return level;
}
function bool(v: string, name: string): boolean {
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${v}"`);
}

const OPTIONS: Option[] = [
  { key: 'dataDir', flag: '--data-dir', env: 'LUBDUB_DATA_DIR', parse: (v) => path.resolve(v) },
  { key: 'pingHost', flag: '--ping-host', env: 'LUBDUB_PING_HOST', parse: host },
  { key: 'pingPort', flag: '--ping-port', env: 'LUBDUB_PING_PORT', parse: port },
  { key: 'uiHost', flag: '--ui-host', env: 'LUBDUB_UI_HOST', parse: host },
  { key: 'uiPort', flag: '--ui-port', env: 'LUBDUB_UI_PORT', parse: port },
  {
    key: 'apiKey',
    flag: '--api-key',
    env: 'LUBDUB_API_KEY',
    parse: (v, n) => {
      if (!/^[A-Za-z0-9_-]{16,128}$/.test(v)) throw new ConfigError(`${n} must be 16-128 characters [A-Za-z0-9_-]`);
      return v;
    },
  },
  {
    key: 'pingKey',
    flag: '--ping-key',
    env: 'LUBDUB_PING_KEY',
    parse: (v, n) => {
      if (!/^[A-Za-z0-9_-]{8,64}$/.test(v)) throw new ConfigError(`${n} must be 8-64 characters [A-Za-z0-9_-]`);
      return v;
    },
  },
  { key: 'pingBodyLimit', flag: '--ping-body-limit', env: 'LUBDUB_PING_BODY_LIMIT', parse: limited('ping_body_limit') },
  {
    key: 'baseUrl',
    flag: '--base-url',
    env: 'LUBDUB_BASE_URL',
    parse: (v, n) => {
      const err = baseUrlError(v);
      if (err) throw new ConfigError(`${n}: ${err.replace(/^base_url /, '')}, got ${JSON.stringify(v)}`);
      return normalizeBaseUrl(v);
    },
  },
  { key: 'trustedProxies', flag: '--trusted-proxy', env: 'LUBDUB_TRUSTED_PROXY', parse: (v) => v.split(',').map((s) => s.trim()).filter(Boolean) },
  { key: 'catchupWindow', flag: '--catchup-window', env: 'LUBDUB_CATCHUP_WINDOW', parse: limited('catchup_window') },
  { key: 'desktopNotifier', flag: '--desktop-notifier', env: 'LUBDUB_DESKTOP_NOTIFIER', parse: bool },
  { key: 'logLevel', flag: '--log-level', env: 'LUBDUB_LOG_LEVEL', parse: logLevel },
  { key: 'share', flag: '--share', env: 'LUBDUB_SHARE', parse: bool },
  { key: 'shareHost', flag: '--share-host', env: 'LUBDUB_SHARE_HOST', parse: host },
  { key: 'sharePort', flag: '--share-port', env: 'LUBDUB_SHARE_PORT', parse: port },
  { key: 'mdns', flag: '--mdns', env: 'LUBDUB_MDNS', parse: bool },
  {
    key: 'heartbeatUrl',
    flag: '--heartbeat-url',
    env: 'LUBDUB_HEARTBEAT_URL',
    parse: (v, n) => {
      const err = upstreamError(v, n);
      if (err) throw new ConfigError(`${err}, got ${JSON.stringify(v)}`);
      return v;
    },
  },
  { key: 'heartbeatMinutes', flag: '--heartbeat-minutes', env: 'LUBDUB_HEARTBEAT_MINUTES', parse: limited('heartbeat_minutes') },
];

/** Defaults of SPEC §3. */
export function defaults(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  return {
    dataDir: defaultDataDir(env),
    pingHost: '0.0.0.0',
    pingPort: 8420,
    uiHost: '127.0.0.1',
    uiPort: 8421,
    apiKey: null,
    pingKey: null,
    pingBodyLimit: SETTINGS_LIMITS.ping_body_limit.default,
    baseUrl: null,
    trustedProxies: [],
    catchupWindow: SETTINGS_LIMITS.catchup_window.default,
    desktopNotifier: true,
    logLevel: 'info',
    share: false,
    shareHost: '0.0.0.0',
    sharePort: DEFAULT_SHARE_PORT,
    mdns: true,
    heartbeatUrl: null,
    heartbeatMinutes: SETTINGS_LIMITS.heartbeat_minutes.default,
  };
}

/** The flags the CLI understands, for --help. */
export function usage(): string {
  return [
    'Usage: lubdub serve [options]   (npm run serve -- [options]; each option also as an environment variable)',
    ...OPTIONS.map((o) => `  ${o.flag.padEnd(20)} ${o.env}`),
  ].join('\n');
}

/** Reads settings: flags win over environment variables, both over defaults. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const cfg = defaults(env) as unknown as Record<string, unknown>;
  const given = new Set<keyof ServiceConfig>();
  for (const o of OPTIONS) {
    const v = env[o.env];
    if (v !== undefined && v !== '') {
      cfg[o.key] = o.parse(v, o.env);
      given.add(o.key);
    }
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const o = OPTIONS.find((x) => x.flag === flag);
    if (!o) throw new ConfigError(`unknown option "${a}" (see --help)`);
    const v = inline ?? argv[++i];
    if (v === undefined) throw new ConfigError(`${flag} needs a value`);
    cfg[o.key] = o.parse(v, flag);
    given.add(o.key);
  }
  cfg.given = [...given];
  return cfg as unknown as ServiceConfig;
}
