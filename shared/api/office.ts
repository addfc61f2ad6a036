/**
 * Office mode's contract: key scopes and what each may do, the JSON the Settings page
 * shows, and the pairing routes of the share port (a table of their own: the UI port never
 * serves them).
 */
import { Type, type Static } from 'typebox';
import type { RouteDef, RouteName } from './routes.js';

/** The share port's default (LUBDUB_SHARE_PORT); a desk's "Enter an address…" assumes it when none is typed. */
export const DEFAULT_SHARE_PORT = 8422;

/** Who a key speaks for: the full API key (keys.json), a read-only key, a paired device. */
export const KEY_SCOPES = ['full', 'read', 'device'] as const;
/** A key's scope. */
export type KeyScope = (typeof KEY_SCOPES)[number];
/** The scopes of keys kept in the key store (the full key lives in keys.json). */
export const STORED_SCOPES = ['read', 'device'] as const;

/**
 * What a paired device may do ("watch + snooze"): read checks, flips, pings and the event
 * stream; snooze, mute, pause and resume. Never settings, keys, channels or deletes.
 */
export const DEVICE_ROUTES: ReadonlySet<RouteName> = new Set<RouteName>([
  'status',
  'listChecks',
  'getCheck',
  'listPings',
  'pingBody',
  'listFlips',
  'summary',
  'events',
  'heartbeats',
  'metrics',
  'offline',
  'muteState',
  'mute',
  'checkMute',
  'pauseCheck',
  'resumeCheck',
]);

/** GET routes a read-only key may still not read: they show keys, a pairing code or a ping URL. */
const SECRET_READS: ReadonlySet<RouteName> = new Set<RouteName>(['settings', 'office', 'officeKeys', 'heartbeat']);

/** Where a request arrived: the loopback UI port or the LAN share port (TLS). */
export type Surface = 'ui' | 'share';

/**
 * May a key of `scope` call route `name` (null: not a declared route) with `method` on
 * `surface`? The share port serves only the device scope, to read-only and device keys.
 */
export function scopeAllows(scope: KeyScope, name: RouteName | null, method: string, surface: Surface): boolean {
  const read = method === 'GET' || method === 'HEAD';
  if (surface === 'share') {
    if (name === null || !DEVICE_ROUTES.has(name)) return false;
    if (scope === 'device') return true;
    return scope === 'read' && read;
  }
  if (scope === 'full') return true;
  if (name === null) return false;
  if (scope === 'device') return DEVICE_ROUTES.has(name);
  return read && !SECRET_READS.has(name);
}

/** A stored key as Settings lists it (never the key itself). */
export const OfficeKeyJsonSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scope: Type.Enum(STORED_SCOPES),
  created: Type.String(),
  last_seen: Type.Union([Type.String(), Type.Null()]),
  /** the address it was last used from */
  last_from: Type.String(),
});
/** A stored key as listed. */
export type OfficeKeyJson = Static<typeof OfficeKeyJsonSchema>;

/** `POST /api/lubdub/office/keys`: a new read-only key, shown once. */
export const NewKeyInputSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  scope: Type.Enum(['read'], { errorWords: 'must be "read" (device keys come from pairing)' }),
  api_key: Type.Optional(Type.String()),
});

/**
 * The server's notification when a desk asks to pair: the desk's name and the code (the
 * code never travels on the event stream; the server's own shell reads it from the API).
 */
export function pairingNotice(p: { desk: string; code: string }, until: string): { title: string; body: string } {
  return { title: `${p.desk} wants to watch this Lubdub — code ${p.code}`, body: `Type this code on that computer before ${until}.` };
}

/** What Settings shows about sharing, pairing and mDNS. */
export const OfficeJsonSchema = Type.Object({
  share: Type.Object({
    on: Type.Boolean(),
    /** the listening port, or null while off */
    port: Type.Union([Type.Integer(), Type.Null()]),
    /** SHA-256 of the share certificate, AB:CD:… (made on first start) */
    fingerprint: Type.String(),
    /** set by LUBDUB_SHARE at start: Settings cannot change it */
    locked: Type.Boolean(),
  }),
  mdns: Type.Object({
    on: Type.Boolean(),
    /** the announced `<name>.local`, or null while not announcing */
    host: Type.Union([Type.String(), Type.Null()]),
    locked: Type.Boolean(),
  }),
  /** a desk waiting for its code; the code is shown here and on the server's log only */
  pairing: Type.Union([Type.Object({ desk: Type.String(), code: Type.String(), expires_at: Type.String() }), Type.Null()]),
  /** pairing refused until then after too many wrong codes */
  locked_until: Type.Union([Type.String(), Type.Null()]),
});
/** What Settings shows about office mode. */
export type OfficeJson = Static<typeof OfficeJsonSchema>;

/** `POST /api/lubdub/office`: the two switches. */
export const OfficeInputSchema = Type.Object({
  share: Type.Optional(Type.Boolean()),
  mdns: Type.Optional(Type.Boolean()),
  api_key: Type.Optional(Type.String()),
});

const route = <const R extends RouteDef>(r: R): R => r;
const B64 = (max: number) => Type.String({ pattern: '^[A-Za-z0-9_-]+$', maxLength: max });

/**
 * The sizes of pairing's OPAQUE messages (P-256 suite, electron/service/office/opaque.ts;
 * a test checks them against the library).
 */
export const PAIR_MESSAGE_BYTES = { ke1: 98, ke2: 259, ke3: 32 } as const;
/** A serialized OPAQUE message of `bytes` bytes, base64url without padding. */
const Message = (bytes: number) => {
  const chars = Math.ceil((bytes * 4) / 3);
  return Type.String({ pattern: '^[A-Za-z0-9_-]+$', minLength: chars, maxLength: chars });
};

/** The pairing exchange on the share port (docs/office-mode.md, "Pairing"). */
export const PAIR_API = {
  /** a desk asks to pair: the server shows a six-digit code with the desk's name */
  start: route({
    method: 'POST',
    path: '/api/lubdub/pair/start',
    body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }),
    response: Type.Object({ session: Type.String(), expires_at: Type.String() }),
  }),
  /** OPAQUE login: the desk's KE1 for the typed code, the server's KE2 */
  exchange: route({
    method: 'POST',
    path: '/api/lubdub/pair/exchange',
    body: Type.Object({ session: B64(64), ke1: Message(PAIR_MESSAGE_BYTES.ke1) }),
    response: Type.Object({ ke2: Message(PAIR_MESSAGE_BYTES.ke2) }),
  }),
  /** the desk's KE3 proves it knew the code; the server answers the device key sealed under the session key */
  confirm: route({
    method: 'POST',
    path: '/api/lubdub/pair/confirm',
    body: Type.Object({ session: B64(64), ke3: Message(PAIR_MESSAGE_BYTES.ke3) }),
    response: Type.Object({ nonce: Type.String(), sealed: Type.String() }),
  }),
} as const;
