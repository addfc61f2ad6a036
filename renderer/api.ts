import { API, pathOf, type Body, type Reply, type RouteDef } from '../shared/api/routes.js';

/** A failed API call: HTTP status, the server's message, and the field it names (validation errors). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** Called when the session is gone (401), so the app can say how to log in again. */
let onUnauthorized: () => void = () => {};
/** Sets what happens on a 401. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/**
 * The field a healthchecks-style "json validation error: <field> …" message is about;
 * a list entry keeps its index ("assertions[0]: cannot read …" → "assertions[0]").
 */
export function errorField(message: string): string | null {
  const m = /^json validation error: ([a-z_]+(?:\[\d+\])?)[ :]/.exec(message);
  return m ? m[1] : null;
}

/**
 * One call to the service. Cookie session; state changes carry the CSRF header the
 * service requires (a cross-site form cannot set it).
 */
export async function call<T>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-lubdub-csrf'] = '1';
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  if (res.status === 401) onUnauthorized();
  if (!res.ok) {
    let message = res.statusText || `HTTP ${res.status}`;
    try {
      const j = (await res.json()) as { error?: string };
      if (j.error) message = j.error;
    } catch {
      /* not JSON */
    }
    throw new ApiFailure(res.status, message, errorField(message));
  }
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

/** A declared route's path with its parameters and query string filled in. */
function at(r: RouteDef, params: Record<string, string | number> = {}, query?: Record<string, string | number>): string {
  const path = pathOf(r, params);
  return query ? `${path}?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}` : path;
}

/** One call to a declared route: its method and path, the body its schema describes, the answer its schema describes. */
function send<K extends keyof typeof API>(name: K, params: Record<string, string | number> = {}, json?: Body<K>, query?: Record<string, string | number>): Promise<Reply<K>> {
  const r: RouteDef = API[name];
  return call<Reply<K>>(at(r, params, query), { method: r.method, json });
}

/** The service API as the console uses it. */
export const api = {
  /** a window of the overview: rows from `offset` in the service's order, under a filter */
  overview: (q: { offset: number; limit: number; status: string; tag: string; search: string }) =>
    send('overview', {}, undefined, {
      offset: q.offset,
      limit: q.limit,
      ...(q.status !== 'all' ? { status: q.status } : {}),
      ...(q.tag ? { tag: q.tag } : {}),
      ...(q.search ? { search: q.search } : {}),
    }),
  check: (uuid: string) => send('getCheck', { code: uuid }),
  create: (input: Body<'createCheck'>) => send('createCheck', {}, input),
  update: (uuid: string, input: Body<'updateCheck'>) => send('updateCheck', { code: uuid }, input),
  remove: (uuid: string) => send('deleteCheck', { code: uuid }),
  pause: (uuid: string) => send('pauseCheck', { code: uuid }),
  resume: (uuid: string) => send('resumeCheck', { code: uuid }),
  pings: (uuid: string, limit = 1000) => send('listPings', { code: uuid }, undefined, { limit }).then((r) => r.pings),
  /** the body as text: shown in a <pre>, never as markup */
  pingBody: (uuid: string, n: number) => call<string>(pingBodyPath(uuid, n)),
  flips: (uuid: string) => send('listFlips', { code: uuid }),
  summary: () => send('summary'),
  /** the bars of the given checks (repeated `check` parameters) */
  heartbeats: (uuids: readonly string[]) =>
    call<Reply<'heartbeats'>>(`${API.heartbeats.path}?${new URLSearchParams(uuids.map((u) => ['check', u]))}`).then((r) => r.beats),
  muteState: () => send('muteState'),
  mute: (until: string | null) => send('mute', {}, { until }),
  settings: () => send('settings'),
  saveSettings: (input: Body<'saveSettings'>) => send('saveSettings', {}, input),
  /** ends this console session, or every one (`everywhere`) */
  logout: (everywhere: boolean) => send('logout', {}, { everywhere }),
  rotateKey: (which: Body<'rotateKey'>['which']) => send('rotateKey', {}, { which }),
  /** imports checks from healthchecks' API v3 through the service; `dry_run` only plans */
  importHealthchecks: (input: Body<'importHealthchecks'>) => send('importHealthchecks', {}, input),
  /** the "Lubdub itself" heartbeat */
  heartbeat: () => send('heartbeat'),
  saveHeartbeat: (input: Body<'saveHeartbeat'>) => send('saveHeartbeat', {}, input),
  /** Lubdub's channels (with config and `new_checks`): Settings, and what a check can notify */
  channels: () => send('channels').then((r) => r.channels),
  createChannel: (c: Body<'createChannel'>) => send('createChannel', {}, c),
  updateChannel: (id: string, c: Body<'updateChannel'>) => send('updateChannel', { id }, c),
  deleteChannel: (id: string) => send('deleteChannel', { id }),
  /** sends a test message now; `ok: false` with the error when the channel could not deliver it */
  testChannel: (id: string) => send('testChannel', { id }),
  /** snooze one check: until an ISO time, or null to end it */
  muteCheck: (uuid: string, until: string | null) => send('checkMute', { uuid }, { until }),
  /** extraction presets and the editor's assertion presets */
  presets: () => send('presets'),
  /** the last runs' metrics (oldest first) and each assertion's baseline state */
  metrics: (uuid: string, limit = 100) => send('metrics', { uuid }, undefined, { limit }),
};

/** Same-origin path of a ping body download (the API's body_url names the loopback host). */
export function pingBodyPath(uuid: string, n: number): string {
  return pathOf(API.pingBody, { code: uuid, n });
}
