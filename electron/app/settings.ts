import fs from 'node:fs';
import path from 'node:path';
import { consoleOrigin } from './guards.js';
import type { Pin } from './office.js';

/** Which service the desktop app watches (stored by the shell, not the service). */
export type ShellSettings =
  | { mode: 'local'; remote?: RemoteTarget }
  | ({ mode: 'remote' } & RemoteTarget);

/** A Lubdub service on another machine (small-office mode). */
export interface RemoteTarget {
  /** base URL of its UI/API port, e.g. https://lubdub.office.lan or http://10.0.0.5:8421 */
  url: string;
  apiKey: string;
  /** set by pairing: the share port's certificate, the only one this desk accepts there */
  pin?: Pin;
}

/** The settings file inside Electron's userData directory. */
export const SETTINGS_FILE = 'shell-settings.json';

const API_KEY_RE = /^[A-Za-z0-9_-]{16,128}$/;
const FINGERPRINT_RE = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/** The result of reading settings: what to use and, if the file was bad, why. */
export interface LoadedSettings {
  settings: ShellSettings;
  error: string | null;
}

/** Validates a remote target: an http(s) origin without userinfo, a plausible API key. */
export function parseRemote(v: unknown): RemoteTarget | string {
  if (!v || typeof v !== 'object') return 'remote settings must be an object';
  const { url, apiKey, pin } = v as Record<string, unknown>;
  if (typeof url !== 'string') return '"url" must be a string';
  const origin = consoleOrigin(url);
  if (!origin) return `"url" must be an http(s) URL without user name or password, got "${url.slice(0, 100)}"`;
  if (typeof apiKey !== 'string' || !API_KEY_RE.test(apiKey)) return '"apiKey" must be the service\'s API key (16-128 characters [A-Za-z0-9_-])';
  // The console lives at the origin's root; a path in the URL would be ignored anyway.
  if (pin === undefined) return { url: origin, apiKey };
  const p = pin as Partial<Pin> | null;
  if (!p || typeof p.fingerprint !== 'string' || !FINGERPRINT_RE.test(p.fingerprint) || typeof p.cert !== 'string' || !p.cert.startsWith('-----BEGIN CERTIFICATE-----')) {
    return '"pin" must hold the paired certificate (fingerprint and cert): pair again';
  }
  if (!origin.startsWith('https://')) return 'a paired remote is reached over https';
  return { url: origin, apiKey, pin: { fingerprint: p.fingerprint, cert: p.cert } };
}

/**
 * Reads the shell's settings from JSON text. `{ "mode": "local" }` (the default) or
 * `{ "mode": "remote", "url": …, "apiKey": … }`; a local file may keep a remembered
 * remote under the same keys. Anything invalid falls back to local mode with an error
 * the tray shows, never a crash at start.
 */
export function parseSettings(text: string | null): LoadedSettings {
  if (text === null) return { settings: { mode: 'local' }, error: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { settings: { mode: 'local' }, error: `${SETTINGS_FILE} is not valid JSON` };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { settings: { mode: 'local' }, error: `${SETTINGS_FILE} must hold an object` };
  const o = json as Record<string, unknown>;
  const hasRemote = o.url !== undefined || o.apiKey !== undefined;
  const remote = hasRemote ? parseRemote(o) : null;
  if (o.mode === 'remote') {
    if (typeof remote === 'string' || remote === null) return { settings: { mode: 'local' }, error: `remote mode: ${remote ?? '"url" and "apiKey" are required'}` };
    return { settings: { mode: 'remote', ...remote }, error: null };
  }
  if (o.mode !== undefined && o.mode !== 'local') return { settings: { mode: 'local' }, error: '"mode" must be "local" or "remote"' };
  return { settings: remote && typeof remote !== 'string' ? { mode: 'local', remote } : { mode: 'local' }, error: null };
}

/**
 * Environment override for scripted desktops: LUBDUB_REMOTE_URL + LUBDUB_REMOTE_API_KEY
 * select remote mode without touching the file.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv): LoadedSettings | null {
  if (!env.LUBDUB_REMOTE_URL) return null;
  const remote = parseRemote({ url: env.LUBDUB_REMOTE_URL, apiKey: env.LUBDUB_REMOTE_API_KEY });
  if (typeof remote === 'string') return { settings: { mode: 'local' }, error: `LUBDUB_REMOTE_URL: ${remote}` };
  return { settings: { mode: 'remote', ...remote }, error: null };
}

/** The remote target the settings remember, active or not. */
export function rememberedRemote(s: ShellSettings): RemoteTarget | null {
  if (s.mode === 'remote') return { url: s.url, apiKey: s.apiKey, ...(s.pin ? { pin: s.pin } : {}) };
  return s.remote ?? null;
}

/** Reads and writes the settings file in `dir` (userData). */
export class SettingsStore {
  readonly file: string;
  constructor(dir: string) {
    this.file = path.join(dir, SETTINGS_FILE);
  }

  /** The current settings (a missing file means local mode). */
  load(): LoadedSettings {
    let text: string | null = null;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { settings: { mode: 'local' }, error: `cannot read ${this.file}: ${(e as Error).message}` };
    }
    return parseSettings(text);
  }

  /** Writes settings atomically, readable by the user only (the file holds an API key). */
  save(s: ShellSettings): void {
    const remote = s.mode === 'remote' ? s : s.remote;
    const json: Record<string, unknown> = remote ? { mode: s.mode, url: remote.url, apiKey: remote.apiKey, ...(remote.pin ? { pin: remote.pin } : {}) } : { mode: 'local' };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(json, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  /** Makes sure the file exists, as a template showing the remote fields, so the user can edit it. */
  ensure(): void {
    if (fs.existsSync(this.file)) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file, JSON.stringify({ mode: 'local', url: '', apiKey: '' }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  }
}
