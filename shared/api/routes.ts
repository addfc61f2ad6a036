/**
 * Every route of the management API, declared once: method, path, the schemas of its
 * params, query string and body, and of its JSON answer. The service registers its
 * routes from this table (one validation choke point, see electron/service/api/contract.ts);
 * the console and the desktop shell take their paths and types from it.
 */
import { Type, type Static, type TObject, type TSchema } from 'typebox';
import { ChannelInputSchema } from '../alerts/channel-input.js';
import { UUID_RE } from '../domain/ping-url.js';
import { CheckInputSchema } from './check-input.js';
import { HeartbeatsJsonSchema } from './heartbeats.js';
import { OverviewReplySchema } from './overview.js';
import { LIST_STATUSES } from '../console/check-list.js';
import { NewKeyInputSchema, OfficeInputSchema, OfficeJsonSchema, OfficeKeyJsonSchema } from './office.js';
import { ImportInputSchema, ImportReplySchema } from './integrations.js';
import { HeartbeatInputSchema, HeartbeatJsonSchema, SettingsInputSchema, SettingsJsonSchema } from './settings.js';
import { MetricsReplySchema, PresetsReplySchema } from './silent.js';
import {
  ChannelJsonSchema,
  CheckJsonSchema,
  DeliveryJsonSchema,
  FlipJsonSchema,
  OfflineGapJsonSchema,
  PingJsonSchema,
  SummarySchema,
} from './types.js';

/** One route: what a request may carry and what a 2xx answer holds. */
export interface RouteDef {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** path parameters; a value that breaks them names nothing that exists: 404, as healthchecks */
  params?: TObject;
  /** query string; a value that breaks it: 400 "invalid <field>" */
  querystring?: TObject;
  /** JSON body; a value that breaks it: 400 "json validation error: <field> …" */
  body?: TObject;
  /** the JSON of a 2xx answer; absent for text, redirects and the event stream */
  response?: TSchema;
}

const route = <const R extends RouteDef>(r: R): R => r;

/** Power events the desktop shell reports. */
export const POWER_EVENTS = ['suspend', 'resume', 'lock', 'unlock', 'shutdown'] as const;
/** A power event the desktop shell reports. */
export type PowerEvent = (typeof POWER_EVENTS)[number];
/** Delivery states a listing can be filtered by. */
export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;

const Uuid = Type.String({ pattern: UUID_RE.source });
const CheckCode = Type.Object({ code: Uuid });
const CheckUuid = Type.Object({ uuid: Uuid });
const ChannelId = Type.Object({ id: Uuid });
const OneOrMany = Type.Union([Type.String(), Type.Array(Type.String())]);
const Digits = (max: number) => Type.String({ pattern: `^\\d{1,${max}}$` });
const Muted = Type.Object({ muted_until: Type.Union([Type.String(), Type.Null()]) });
/** `{ until: RFC 3339 | null }` or `{ seconds }`; their rules are `muteUntil`'s (electron/service/alerts/routes.ts) */
const MuteInput = Type.Object({ until: Type.Optional(Type.Union([Type.String(), Type.Null()])), seconds: Type.Optional(Type.Number()) });

/** Host-quiet grouping: the window in seconds within which a host's jobs that go down (or come back) make one alert; 0 is off. */
const HostGrouping = Type.Object({ window_seconds: Type.Integer({ minimum: 0, maximum: 3600 }) });
/** the window, and the hosts it would group: two or more watched checks whose newest ping came from one address */
const HostGroupingState = Type.Object({
  window_seconds: Type.Integer(),
  hosts: Type.Array(Type.Object({ address: Type.String(), name: Type.Union([Type.String(), Type.Null()]), checks: Type.Array(Type.String()) })),
});

/** The management API: healthchecks v3 and Lubdub's own routes on the UI port. */
export const API = {
  // ---- healthchecks v3 ----
  /** text "OK", without credentials */
  status: route({ method: 'GET', path: '/api/v3/status/' }),
  listChecks: route({
    method: 'GET',
    path: '/api/v3/checks/',
    querystring: Type.Object({ tag: Type.Optional(OneOrMany), slug: Type.Optional(Type.String()) }),
    response: Type.Object({ checks: Type.Array(CheckJsonSchema) }),
  }),
  /** 201 created, or 200 with an existing check matched by `unique` */
  createCheck: route({ method: 'POST', path: '/api/v3/checks/', body: CheckInputSchema, response: CheckJsonSchema }),
  getCheck: route({ method: 'GET', path: '/api/v3/checks/:code', params: CheckCode, response: CheckJsonSchema }),
  updateCheck: route({ method: 'POST', path: '/api/v3/checks/:code', params: CheckCode, body: CheckInputSchema, response: CheckJsonSchema }),
  deleteCheck: route({ method: 'DELETE', path: '/api/v3/checks/:code', params: CheckCode, response: CheckJsonSchema }),
  pauseCheck: route({ method: 'POST', path: '/api/v3/checks/:code/pause', params: CheckCode, response: CheckJsonSchema }),
  resumeCheck: route({ method: 'POST', path: '/api/v3/checks/:code/resume', params: CheckCode, response: CheckJsonSchema }),
  listPings: route({
    method: 'GET',
    path: '/api/v3/checks/:code/pings/',
    params: CheckCode,
    // a limit that is not a number is ignored, as healthchecks does
    querystring: Type.Object({ limit: Type.Optional(Type.String()) }),
    response: Type.Object({ pings: Type.Array(PingJsonSchema) }),
  }),
  /** the body as an attachment of text */
  pingBody: route({ method: 'GET', path: '/api/v3/checks/:code/pings/:n/body', params: Type.Object({ code: Uuid, n: Digits(12) }) }),
  listFlips: route({
    method: 'GET',
    path: '/api/v3/checks/:code/flips/',
    params: CheckCode,
    querystring: Type.Object({ seconds: Type.Optional(Digits(12)), start: Type.Optional(Digits(12)), end: Type.Optional(Digits(12)) }),
    response: Type.Array(FlipJsonSchema),
  }),
  listIntegrations: route({
    method: 'GET',
    path: '/api/v3/channels/',
    response: Type.Object({ channels: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() })) }),
  }),

  // ---- Lubdub ----
  /** counts by status and the worst state */
  summary: route({ method: 'GET', path: '/api/lubdub/summary', response: SummarySchema }),
  /** Server-Sent Events: see `EVENTS` in shared/api/events.ts */
  events: route({ method: 'GET', path: '/api/events' }),
  /** one-time console login: trades the printed token for a session cookie (303 to /) */
  login: route({ method: 'GET', path: '/login', querystring: Type.Object({ token: Type.Optional(Type.String()) }) }),
  /** API key only: a console session for the desktop shell */
  session: route({ method: 'POST', path: '/api/lubdub/session', response: Type.Object({ cookie: Type.String(), value: Type.String() }) }),
  /** ends this console session, or every one */
  logout: route({
    method: 'POST',
    path: '/api/lubdub/logout',
    body: Type.Object({ everywhere: Type.Optional(Type.Boolean()), api_key: Type.Optional(Type.String()) }),
    response: Type.Object({ logged_out: Type.String() }),
  }),
  settings: route({ method: 'GET', path: '/api/lubdub/settings', response: SettingsJsonSchema }),
  saveSettings: route({ method: 'POST', path: '/api/lubdub/settings', body: SettingsInputSchema, response: SettingsJsonSchema }),
  /** a new API key ends every console session */
  rotateKey: route({
    method: 'POST',
    path: '/api/lubdub/keys/rotate',
    body: Type.Object({
      which: Type.Enum(['api_key', 'ping_key', 'badge_key'], { errorWords: 'must be "api_key", "ping_key" or "badge_key"' }),
      api_key: Type.Optional(Type.String()),
    }),
    response: Type.Object({ which: Type.Enum(['api_key', 'ping_key', 'badge_key']), value: Type.String() }),
  }),
  /** the last 50 events of every check (or of the given ones), for the heartbeat bars */
  heartbeats: route({
    method: 'GET',
    path: '/api/lubdub/heartbeats',
    querystring: Type.Object({ check: Type.Optional(OneOrMany) }),
    response: HeartbeatsJsonSchema,
  }),
  /**
   * The console's overview a window at a time: rows from `offset` (at most `limit`, 500) in
   * the overview's order (problems first, then by name), filtered by status, tag and search;
   * with the number matching, the counts of every check and the tags in use.
   */
  overview: route({
    method: 'GET',
    path: '/api/lubdub/overview',
    querystring: Type.Object({
      offset: Type.Optional(Digits(9)),
      limit: Type.Optional(Digits(3)),
      status: Type.Optional(Type.Enum(LIST_STATUSES)),
      tag: Type.Optional(Type.String({ maxLength: 200 })),
      search: Type.Optional(Type.String({ maxLength: 200 })),
    }),
    response: OverviewReplySchema,
  }),
  channels: route({ method: 'GET', path: '/api/lubdub/channels', response: Type.Object({ channels: Type.Array(ChannelJsonSchema) }) }),
  createChannel: route({ method: 'POST', path: '/api/lubdub/channels', body: ChannelInputSchema, response: ChannelJsonSchema }),
  getChannel: route({ method: 'GET', path: '/api/lubdub/channels/:id', params: ChannelId, response: ChannelJsonSchema }),
  updateChannel: route({ method: 'POST', path: '/api/lubdub/channels/:id', params: ChannelId, body: ChannelInputSchema, response: ChannelJsonSchema }),
  deleteChannel: route({ method: 'DELETE', path: '/api/lubdub/channels/:id', params: ChannelId, response: ChannelJsonSchema }),
  /** sends a test message now; `ok: false` with the error when the channel could not deliver it */
  testChannel: route({
    method: 'POST',
    path: '/api/lubdub/channels/:id/test',
    params: ChannelId,
    response: Type.Object({ ok: Type.Boolean(), error: Type.Union([Type.String(), Type.Null()]) }),
  }),
  /** global snooze */
  muteState: route({ method: 'GET', path: '/api/lubdub/mute', response: Muted }),
  hostGrouping: route({ method: 'GET', path: '/api/lubdub/host-grouping', response: HostGroupingState }),
  saveHostGrouping: route({ method: 'POST', path: '/api/lubdub/host-grouping', body: HostGrouping, response: HostGroupingState }),
  mute: route({ method: 'POST', path: '/api/lubdub/mute', body: MuteInput, response: Muted }),
  /** snooze one check (the check JSON shows `muted_until`) */
  checkMute: route({ method: 'POST', path: '/api/lubdub/checks/:uuid/mute', params: CheckUuid, body: MuteInput, response: CheckJsonSchema }),
  /** from the desktop shell, so the service accounts for the time it was not watching */
  power: route({
    method: 'POST',
    path: '/api/lubdub/power',
    body: Type.Object({
      event: Type.Enum(POWER_EVENTS, { errorWords: `must be one of ${POWER_EVENTS.join(', ')}` }),
      api_key: Type.Optional(Type.String()),
    }),
    response: Type.Object({ ok: Type.Boolean() }),
  }),
  /** alerts sent or being sent, newest first */
  deliveries: route({
    method: 'GET',
    path: '/api/lubdub/deliveries',
    querystring: Type.Object({ check: Type.Optional(Uuid), status: Type.Optional(Type.Enum(DELIVERY_STATUSES)), limit: Type.Optional(Digits(4)) }),
    response: Type.Object({ deliveries: Type.Array(DeliveryJsonSchema) }),
  }),
  /** when Lubdub itself was not watching */
  offline: route({
    method: 'GET',
    path: '/api/lubdub/offline',
    response: Type.Object({ alive_at: Type.Union([Type.String(), Type.Null()]), gaps: Type.Array(OfflineGapJsonSchema) }),
  }),
  /** extraction presets and the editor's assertion presets */
  presets: route({ method: 'GET', path: '/api/lubdub/presets', response: PresetsReplySchema }),
  /** the last runs' metrics (oldest first) and each assertion's baseline state */
  metrics: route({
    method: 'GET',
    path: '/api/lubdub/checks/:uuid/metrics',
    params: CheckUuid,
    querystring: Type.Object({ limit: Type.Optional(Digits(4)) }),
    response: MetricsReplySchema,
  }),

  // ---- integrations: Prometheus, moving to and from healthchecks, relay ----
  /** Prometheus text exposition (text/plain; version=0.0.4): healthchecks' hc_* series and Lubdub's lubdub_* */
  prometheusMetrics: route({ method: 'GET', path: '/metrics' }),
  /** imports checks from healthchecks' API v3 (or another Lubdub) into this service; `dry_run` writes nothing */
  importHealthchecks: route({ method: 'POST', path: '/api/lubdub/import/healthchecks', body: ImportInputSchema, response: ImportReplySchema }),
  /** the "Lubdub itself" heartbeat: URL, interval, last sent, last error */
  heartbeat: route({ method: 'GET', path: '/api/lubdub/heartbeat', response: HeartbeatJsonSchema }),
  saveHeartbeat: route({ method: 'POST', path: '/api/lubdub/heartbeat', body: HeartbeatInputSchema, response: HeartbeatJsonSchema }),

  // ---- office mode: sharing over TLS, pairing, read-only and device keys ----
  /** sharing, its certificate's fingerprint, mDNS and a pairing waiting for its code */
  office: route({ method: 'GET', path: '/api/lubdub/office', response: OfficeJsonSchema }),
  saveOffice: route({ method: 'POST', path: '/api/lubdub/office', body: OfficeInputSchema, response: OfficeJsonSchema }),
  /** read-only keys and paired devices */
  officeKeys: route({ method: 'GET', path: '/api/lubdub/office/keys', response: Type.Object({ keys: Type.Array(OfficeKeyJsonSchema) }) }),
  /** a new read-only key; the key is in this answer only */
  createKey: route({
    method: 'POST',
    path: '/api/lubdub/office/keys',
    body: NewKeyInputSchema,
    response: Type.Intersect([OfficeKeyJsonSchema, Type.Object({ key: Type.String() })]),
  }),
  /** revokes a key at once (its open event streams end) */
  revokeKey: route({ method: 'DELETE', path: '/api/lubdub/office/keys/:id', params: Type.Object({ id: Uuid }), response: OfficeKeyJsonSchema }),
} as const;

/** A route's name in `API`. */
export type RouteName = keyof typeof API;
type Part<K extends RouteName, P extends keyof RouteDef> = (typeof API)[K] extends { [k in P]: infer S extends TSchema } ? Static<S> : never;
/** The JSON answer of route `K`. */
export type Reply<K extends RouteName> = Part<K, 'response'>;
/** The JSON body route `K` takes. */
export type Body<K extends RouteName> = Part<K, 'body'>;
/** The path parameters of route `K`. */
export type Params<K extends RouteName> = Part<K, 'params'>;
/** The query string route `K` takes. */
export type Query<K extends RouteName> = Part<K, 'querystring'>;

/** The path of a route with its `:name` parameters filled in (URL-encoded). */
export function pathOf(r: RouteDef, params: Record<string, string | number> = {}): string {
  return r.path.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`${r.path}: missing parameter ${name}`);
    return encodeURIComponent(String(v));
  });
}

/** The declared route answering `method` on `path` (a concrete path, e.g. "/api/v3/checks/<uuid>"), or null. */
export function routeFor(method: string, path: string): RouteDef | null {
  for (const r of Object.values(API) as RouteDef[]) {
    if (r.method !== method.toUpperCase()) continue;
    const re = new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}$`);
    if (re.test(path)) return r;
  }
  return null;
}
