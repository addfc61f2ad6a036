import { Type, type Static } from 'typebox';
import { upstreamError } from '../domain/upstream.js';
import { baseUrlError } from '../security/base-url.js';
import { schemaError } from './schema-error.js';

/** The console's colours: the system's light or dark preference, or one of them always. */
export const THEMES = ['system', 'light', 'dark'] as const;
/** A theme choice. */
export type Theme = (typeof THEMES)[number];

/** `GET /api/lubdub/settings`: what the console's Settings page shows. */
export const SettingsJsonSchema = Type.Object({
  /** the base of ping URLs as shown to users, e.g. http://nas.local:8420 */
  base_url: Type.String(),
  /** what base_url is when nothing is saved: http://<hostname>.local:<ping port> */
  base_url_default: Type.String(),
  /** bytes of a ping body kept */
  ping_body_limit: Type.Integer(),
  /** seconds of catch-up after Lubdub was not running */
  catchup_window: Type.Integer(),
  ping_key: Type.String(),
  api_key: Type.String(),
  /** the secret part of status badge URLs (/badge/<badge_key>/<tag>.svg on the ping port) */
  badge_key: Type.String(),
  /** base URLs this machine can be reached at: its LAN addresses and <hostname>.local */
  detected_urls: Type.Array(Type.String()),
  /** the console's colours */
  theme: Type.Enum(THEMES),
  /** settings fixed by a flag or environment variable at start (read-only here) */
  locked: Type.Array(Type.Enum(['base_url', 'ping_body_limit', 'catchup_window', 'ping_key', 'api_key'])),
});
/** What the console's Settings page shows. */
export type SettingsJson = Static<typeof SettingsJsonSchema>;

/**
 * `POST /api/lubdub/settings`: any subset; base_url "" goes back to the default. The
 * schema gives the types; `settingsInputError` the URL rules and `SETTINGS_LIMITS`.
 */
export const SettingsInputSchema = Type.Object({
  base_url: Type.Optional(Type.String()),
  ping_body_limit: Type.Optional(Type.Integer()),
  catchup_window: Type.Optional(Type.Integer()),
  theme: Type.Optional(Type.Enum(THEMES)),
  api_key: Type.Optional(Type.String()),
});
/** A settings change. */
export type SettingsInput = Omit<Static<typeof SettingsInputSchema>, 'api_key'>;

/**
 * The numeric settings' bounds and defaults: the one table the CLI flags (and their
 * environment variables), the settings API and the console all check against.
 */
export const SETTINGS_LIMITS = {
  /** bytes of a ping body kept */
  ping_body_limit: { min: 0, max: 10_000_000, default: 100_000 },
  /** seconds a check whose deadline fell while Lubdub was not watching stays in grace */
  catchup_window: { min: 0, max: 7 * 86400, default: 600 },
  /** minutes between two "Lubdub itself" heartbeats */
  heartbeat_minutes: { min: 1, max: 1440, default: 5 },
} as const;

/** A numeric setting's name. */
export type LimitedSetting = keyof typeof SETTINGS_LIMITS;

/** Why `v` is not a valid value of `key` (the words after the setting's name), or null. */
export function limitError(key: LimitedSetting, v: unknown): string | null {
  const { min, max } = SETTINGS_LIMITS[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) return 'is not an integer';
  if (v < min || v > max) return `must be ${min}-${max}`;
  return null;
}

/** A base URL as stored and shown: without trailing slashes, so ping URLs join cleanly. */
export function normalizeBaseUrl(v: string): string {
  return v.replace(/\/+$/, '');
}

/** Validates a settings change; returns the error text after "json validation error: ", or null. */
export function settingsInputError(body: unknown): string | null {
  const shape = schemaError(SettingsInputSchema, body);
  if (shape) return shape;
  for (const [k, v] of Object.entries(body as object)) {
    if (k === 'base_url') {
      if (v === '') continue;
      const err = baseUrlError(v);
      if (err) return err;
    } else if (k === 'ping_body_limit' || k === 'catchup_window') {
      const err = limitError(k, v);
      if (err) return `${k} ${err}`;
    } else if (k !== 'api_key' && k !== 'theme') {
      return `${k} is not a setting`;
    }
  }
  return null;
}

/** `GET /api/lubdub/heartbeat`: the "Lubdub itself" heartbeat, what Settings shows. */
export const HeartbeatJsonSchema = Type.Object({
  /** the ping URL the service pings while it runs; "" is off */
  url: Type.String(),
  minutes: Type.Integer(),
  /** what the environment (LUBDUB_HEARTBEAT_URL / _MINUTES) gives when nothing is saved */
  default_url: Type.String(),
  default_minutes: Type.Integer(),
  /** the last heartbeat the URL accepted, or null */
  last_sent: Type.Union([Type.String(), Type.Null()]),
  /** why the last heartbeat failed, or null when it went through */
  last_error: Type.Union([Type.String(), Type.Null()]),
});
/** The heartbeat as Settings shows it. */
export type HeartbeatJson = Static<typeof HeartbeatJsonSchema>;

/** `POST /api/lubdub/heartbeat`: either or both; url "" turns the heartbeat off. */
export const HeartbeatInputSchema = Type.Object({
  url: Type.Optional(Type.String()),
  minutes: Type.Optional(Type.Integer()),
  api_key: Type.Optional(Type.String()),
});
/** A heartbeat change. */
export type HeartbeatInput = Omit<Static<typeof HeartbeatInputSchema>, 'api_key'>;

/** Validates a heartbeat change; returns the error text after "json validation error: ", or null. */
export function heartbeatInputError(body: unknown): string | null {
  const shape = schemaError(HeartbeatInputSchema, body);
  if (shape) return shape;
  const b = body as HeartbeatInput;
  if (b.url !== undefined) {
    const err = upstreamError(b.url, 'url');
    if (err) return err;
  }
  if (b.minutes !== undefined) {
    const err = limitError('heartbeat_minutes', b.minutes);
    if (err) return `minutes ${err}`;
  }
  return null;
}
