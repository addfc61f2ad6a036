import type { PingAction } from './types.js';

/** Lowercase canonical UUID, as healthchecks' URL converter accepts. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Any-case UUID, for `?rid=` (healthchecks accepts any valid UUID there). */
const RID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Project ping keys: 22 chars [a-z0-9] generated, but any [A-Za-z0-9_-] user-set key is allowed. */
const PING_KEY_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Slugs as healthchecks makes them: lowercase letters, digits, dashes and underscores. */
export const SLUG_RE = /^[a-z0-9_-]{1,100}$/;
const LOOSE_SLUG_RE = /^[A-Za-z0-9_-]{1,100}$/;
const PUSH_TOKEN_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Who a ping URL addresses. */
export type PingTarget =
  | { by: 'uuid'; uuid: string }
  | { by: 'slug'; pingKey: string; slug: string }
  | { by: 'push'; token: string };

/** A ping URL understood: its target and what it says happened. */
export interface ParsedPing {
  target: PingTarget;
  action: PingAction;
  /** true when the URL names the action (/start, /fail, /log, /<n>) */
  explicit: boolean;
  exitStatus: number | null;
}

/** A ping URL that is refused, with the healthchecks reply. */
export interface PingUrlError {
  status: 400 | 404;
  message: 'not found' | 'invalid url format';
}

function suffixToAction(s: string): { action: PingAction; exitStatus: number | null } | PingUrlError | null {
  if (s === 'start' || s === 'fail' || s === 'log') return { action: s, exitStatus: null };
  if (/^[0-9]{1,9}$/.test(s)) {
    const n = Number(s);
    // healthchecks: the route matches any integer, the view refuses > 255.
    if (n > 255) return { status: 400, message: 'invalid url format' };
    return { action: n === 0 ? 'success' : 'fail', exitStatus: n };
  }
  return null;
}

/**
 * Parses the path of a ping request (no query string). Forms (SPEC §4):
 * `/ping/<uuid>[/<suffix>]`, `/<uuid>[/<suffix>]`, `/ping/<ping-key>/<slug>[/<suffix>]`,
 * `/api/push/<token>`; one trailing slash allowed; suffix start|fail|log|0-255.
 */
export function parsePingPath(path: string): ParsedPing | PingUrlError {
  const notFound: PingUrlError = { status: 404, message: 'not found' };
  if (path.length > 512 || !path.startsWith('/')) return notFound;
  let p = path.slice(1);
  if (p.endsWith('/')) p = p.slice(0, -1);
  const parts = p.split('/');
  if (parts.some((s) => s.length === 0)) return notFound;

  if (parts[0] === 'api') {
    if (parts.length === 3 && parts[1] === 'push' && PUSH_TOKEN_RE.test(parts[2])) {
      return { target: { by: 'push', token: parts[2] }, action: 'success', explicit: false, exitStatus: null };
    }
    return notFound;
  }
  const rest = parts[0] === 'ping' ? parts.slice(1) : parts;
  if (rest.length === 0) return notFound;

  if (UUID_RE.test(rest[0])) {
    if (rest.length === 1) return { target: { by: 'uuid', uuid: rest[0] }, action: 'success', explicit: false, exitStatus: null };
    if (rest.length === 2) {
      const a = suffixToAction(rest[1]);
      if (a === null) return notFound;
      if ('status' in a) return a;
      return { target: { by: 'uuid', uuid: rest[0] }, action: a.action, explicit: true, exitStatus: a.exitStatus };
    }
    return notFound;
  }
  // Slug URLs only exist under /ping/.
  if (parts[0] !== 'ping' || rest.length < 2 || rest.length > 3) return notFound;
  const [key, slug, suffix] = rest;
  if (!PING_KEY_RE.test(key)) return notFound;
  if (!SLUG_RE.test(slug)) {
    // healthchecks refuses slugs it could never have made (e.g. uppercase) with 400
    return LOOSE_SLUG_RE.test(slug) ? { status: 400, message: 'invalid url format' } : notFound;
  }
  if (suffix === undefined) return { target: { by: 'slug', pingKey: key, slug }, action: 'success', explicit: false, exitStatus: null };
  const a = suffixToAction(suffix);
  if (a === null) return notFound;
  if ('status' in a) return a;
  return { target: { by: 'slug', pingKey: key, slug }, action: a.action, explicit: true, exitStatus: a.exitStatus };
}

/**
 * Validates `?rid=` and returns it canonical (lowercase, hyphenated), null when absent.
 * healthchecks parses it with Python's `uuid.UUID`, so the same forms are accepted:
 * hyphenated or plain 32 hex digits, in braces, or with a `urn:uuid:` prefix, any case.
 */
export function parseRid(rid: string | undefined): string | null | { error: 'invalid uuid format' } {
  if (rid === undefined || rid === '') return null;
  const err = { error: 'invalid uuid format' as const };
  if (rid.length > 50) return err;
  let hex = rid.replace(/^urn:uuid:/i, '');
  if (hex.startsWith('{') && hex.endsWith('}')) hex = hex.slice(1, -1);
  if (!RID_RE.test(hex) && !/^[0-9a-fA-F]{32}$/.test(hex)) return err;
  hex = hex.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Maximum age and future skew accepted for `?ts=` (SPEC §4). */
export const TS_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
export const TS_MAX_FUTURE_MS = 60 * 1000;

/**
 * Parses `?ts=` (unix seconds, fractional allowed, or RFC 3339) against `now`.
 * Returns epoch ms, null when absent, or an error message.
 */
export function parseTs(ts: string | undefined, now: number): number | null | { error: string } {
  if (ts === undefined || ts === '') return null;
  let ms: number;
  if (/^[0-9]{1,12}(\.[0-9]{1,6})?$/.test(ts)) ms = Math.round(Number(ts) * 1000);
  else if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/.test(ts)) ms = Date.parse(ts.replace(' ', 'T'));
  else return { error: 'invalid ts format' };
  if (!Number.isFinite(ms)) return { error: 'invalid ts format' };
  if (ms > now + TS_MAX_FUTURE_MS) return { error: 'ts is in the future' };
  if (ms < now - TS_MAX_AGE_MS) return { error: 'ts is older than 7 days' };
  return ms;
}

/** One address of a network interface, as `os.networkInterfaces()` lists it. */
export interface NetAddress {
  address: string;
  family: string | number;
  internal: boolean;
}

/** What the default ping host is decided from. */
export interface PingHostFacts {
  /** the `<name>.local` mDNS announces now, or null while nothing announces it */
  announced: string | null;
  /** the address the ping receiver listens on (0.0.0.0 / :: for all) */
  pingHost: string;
  hostname: string;
  interfaces: Record<string, NetAddress[] | undefined>;
}

const isV6 = (a: NetAddress) => a.family === 'IPv6' || a.family === 6;

/**
 * The host shown in ping URLs when no base URL is set: one that resolves from the LAN.
 * `<name>.local` only while mDNS announces it; a receiver bound to one address is reached
 * there; else the first LAN IPv4, else a global IPv6 (link-local ones need a zone the URL
 * cannot carry), else the bare hostname.
 */
export function reachableHost(f: PingHostFacts): string {
  if (f.announced) return f.announced;
  if (f.pingHost !== '0.0.0.0' && f.pingHost !== '::') return f.pingHost;
  const all = Object.values(f.interfaces).flatMap((l) => l ?? []).filter((a) => !a.internal);
  const v4 = all.find((a) => !isV6(a));
  if (v4) return v4.address;
  const v6 = all.find((a) => isV6(a) && !/^fe[89ab]/i.test(a.address));
  return v6 ? v6.address : f.hostname;
}

/** A host as it goes into a URL: IPv6 addresses in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
