import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { normalizeBaseUrl, settingsInputError, THEMES, type SettingsInput, type SettingsJson, type Theme } from '../../../shared/api/settings.js';
import { API } from '../../../shared/api/routes.js';
import { on } from './contract.js';
import type { ServiceConfig } from '../config.js';
import { loadKeys, newApiKey, newBadgeKey, newPingKey, saveKeys } from '../keys.js';
import { ApiError } from '../core/api-error.js';
import { sessionCookie } from './auth.js';
import type { Feature } from '../service.js';

type NetInterfaces = ReturnType<typeof os.networkInterfaces>;

/**
 * Base URLs a LAN client could use for the ping port: `<hostname>.local` (mDNS) and every
 * non-loopback address, or only the bound address when the receiver listens on one.
 */
function detectedBaseUrls(ifaces: NetInterfaces, hostname: string, pingHost: string, port: number): string[] {
  const out = [`http://${hostname}.local:${port}`];
  const wildcard = pingHost === '0.0.0.0' || pingHost === '::';
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv6' && (a.address.startsWith('fe80') || pingHost === '0.0.0.0')) continue;
      if (!wildcard && a.address !== pingHost) continue;
      out.push(a.family === 'IPv6' ? `http://[${a.address}]:${port}` : `http://${a.address}:${port}`);
    }
  }
  if (!wildcard && !out.some((u) => u.includes(pingHost))) out.push(`http://${pingHost.includes(':') ? `[${pingHost}]` : pingHost}:${port}`);
  return [...new Set(out)];
}

/** Settings-table keys of the tunables the console may change. */
const SAVED = { base_url: 'base_url', ping_body_limit: 'ping_body_limit', catchup_window: 'catchup_window' } as const;
/** Settings-table key of the console's theme (no flag sets it: never locked). */
const THEME_KEY = 'theme';

/**
 * The console's settings: ping base URL, body limit and catch-up window saved
 * in SQLite, and key rotation. A value given by flag or environment at start wins over a
 * saved one and cannot be changed here (the next start would undo it).
 */
export function settingsFeature(): Feature {
  return {
    setup({ config, repos, runtime, bus, sessions, clock }) {
      let pingPort = config.pingPort;
      const given = (k: keyof ServiceConfig) => config.given?.includes(k) ?? false;

      const locked = (): SettingsJson['locked'] => {
        const l: SettingsJson['locked'] = [];
        if (given('baseUrl')) l.push('base_url');
        if (given('pingBodyLimit')) l.push('ping_body_limit');
        if (given('catchupWindow')) l.push('catchup_window');
        if (config.pingKey) l.push('ping_key');
        if (config.apiKey) l.push('api_key');
        return l;
      };

      const theme = (): Theme => {
        const v = repos.settings.get(THEME_KEY);
        return (THEMES as readonly string[]).includes(v ?? '') ? (v as Theme) : 'system';
      };

      const current = (): SettingsJson => ({
        base_url: runtime.urls.ping,
        base_url_default: runtime.defaultPingBase,
        ping_body_limit: runtime.bodyLimit,
        catchup_window: runtime.catchupWindow,
        ping_key: runtime.pingKey,
        api_key: runtime.apiKey,
        badge_key: runtime.badgeKey,
        detected_urls: detectedBaseUrls(os.networkInterfaces(), os.hostname(), config.pingHost, pingPort),
        theme: theme(),
        locked: locked(),
      });

      // Keys never travel on the event stream: it only says that settings changed.
      const publish = () => {
        const { api_key: _a, ping_key: _p, badge_key: _b, ...pub } = current();
        bus.emit('public', { type: 'settings', data: pub });
      };

      const apply = (input: SettingsInput) => {
        if (input.base_url !== undefined) runtime.setBaseUrl(input.base_url === '' ? null : normalizeBaseUrl(input.base_url));
        if (input.ping_body_limit !== undefined) runtime.setBodyLimit(input.ping_body_limit);
        if (input.catchup_window !== undefined) runtime.setCatchupWindow(input.catchup_window);
      };

      const routes = (app: FastifyInstance) => {
        on(app, API.settings, async () => current());

        on(app, API.saveSettings, async (req) => {
          const body = (req.body ?? {}) as SettingsInput & Record<string, unknown>;
          const err = settingsInputError(body);
          if (err) throw new ApiError(400, `json validation error: ${err}`);
          for (const k of Object.keys(SAVED) as (keyof typeof SAVED)[]) {
            if (body[k] !== undefined && locked().includes(k)) {
              throw new ApiError(409, `${k} is set by a flag or environment variable at start`);
            }
          }
          const { settings } = repos;
          if (body.base_url !== undefined) settings.set(SAVED.base_url, normalizeBaseUrl(body.base_url));
          if (body.ping_body_limit !== undefined) settings.set(SAVED.ping_body_limit, String(body.ping_body_limit));
          if (body.catchup_window !== undefined) settings.set(SAVED.catchup_window, String(body.catchup_window));
          if (body.theme !== undefined) settings.set(THEME_KEY, body.theme);
          apply(body);
          publish();
          return current();
        });

        on(app, API.rotateKey, async (req, reply) => {
          const { which } = req.body;
          if (which !== 'badge_key' && locked().includes(which)) throw new ApiError(409, `${which} is set by a flag or environment variable at start`);
          // Only the rotated key is written: a key given by environment never lands in keys.json.
          const stored = loadKeys(config.dataDir);
          const value = which === 'api_key' ? newApiKey() : which === 'badge_key' ? newBadgeKey() : newPingKey();
          if (which === 'badge_key') {
            stored.badgeKey = value;
            saveKeys(config.dataDir, stored);
            runtime.setBadgeKey(value);
          } else if (which === 'api_key') {
            stored.apiKey = value;
            saveKeys(config.dataDir, stored);
            runtime.setApiKey(value);
            // Every console session was opened under the old key, whoever holds it: all end.
            // The console that asked keeps working with a fresh session of its own.
            sessions.endAll();
            if (req.authBy === 'session') reply.header('set-cookie', sessionCookie(sessions.create(clock.now())));
          } else {
            stored.pingKey = value;
            saveKeys(config.dataDir, stored);
            runtime.setPingKey(value);
          }
          publish();
          return { which, value };
        });
      };

      const s = repos.settings;
      const saved: SettingsInput = {};
      const base = s.get(SAVED.base_url);
      if (base !== null && !given('baseUrl')) saved.base_url = base;
      const limit = s.get(SAVED.ping_body_limit);
      if (limit !== null && !given('pingBodyLimit')) saved.ping_body_limit = Number(limit);
      const window = s.get(SAVED.catchup_window);
      if (window !== null && !given('catchupWindow')) saved.catchup_window = Number(window);
      // A saved value that no longer validates (hand-edited database) is ignored, not fatal.
      if (settingsInputError(saved) === null) apply(saved);

      return {
        apiRoutes: [routes],
        start(svc) {
          pingPort = Number(new URL(svc.pingListenUrl).port) || config.pingPort;
        },
      };
    },
  };
}
