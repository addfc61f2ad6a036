import type { ChannelJson, CheckJson, FlipJson, PingJson, Summary } from '../shared/api/types.js';
import { LUBDUB_ROUTES } from '../shared/api/types.js';
import { SILENT_ROUTES, type MetricsReply, type PresetsReply } from '../shared/api/silent.js';
import type { ChannelInput } from '../shared/alerts/channel-input.js';
import type { HeartbeatsJson } from '../shared/api/heartbeats.js';
import type { SettingsJson, SettingsInput } from '../shared/api/settings.js';
import type { CheckInput } from '../shared/api/check-input.js';

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

const checkPath = (uuid: string) => `/api/v3/checks/${encodeURIComponent(uuid)}`;

/** The service API as the console uses it. */
export const api = {
  checks: () => call<{ checks: CheckJson[] }>('/api/v3/checks/').then((r) => r.checks),
  check: (uuid: string) => call<CheckJson>(checkPath(uuid)),
  create: (input: CheckInput) => call<CheckJson>('/api/v3/checks/', { method: 'POST', json: input }),
  update: (uuid: string, input: CheckInput) => call<CheckJson>(checkPath(uuid), { method: 'POST', json: input }),
  remove: (uuid: string) => call<CheckJson>(checkPath(uuid), { method: 'DELETE' }),
  pause: (uuid: string) => call<CheckJson>(`${checkPath(uuid)}/pause`, { method: 'POST' }),
  resume: (uuid: string) => call<CheckJson>(`${checkPath(uuid)}/resume`, { method: 'POST' }),
  pings: (uuid: string, limit = 1000) => call<{ pings: PingJson[] }>(`${checkPath(uuid)}/pings/?limit=${limit}`).then((r) => r.pings),
  /** the body as text: shown in a <pre>, never as markup */
  pingBody: (uuid: string, n: number) => call<string>(pingBodyPath(uuid, n)),
  flips: (uuid: string) => call<FlipJson[]>(`${checkPath(uuid)}/flips/`),
  summary: () => call<Summary>(LUBDUB_ROUTES.summary),
  heartbeats: () => call<HeartbeatsJson>(LUBDUB_ROUTES.heartbeats).then((r) => r.beats),
  muteState: () => call<{ muted_until: string | null }>(LUBDUB_ROUTES.mute),
  mute: (until: string | null) => call<{ muted_until: string | null }>(LUBDUB_ROUTES.mute, { method: 'POST', json: { until } }),
  settings: () => call<SettingsJson>(LUBDUB_ROUTES.settings),
  saveSettings: (input: SettingsInput) => call<SettingsJson>(LUBDUB_ROUTES.settings, { method: 'POST', json: input }),
  /** ends this console session, or every one (`everywhere`) */
  logout: (everywhere: boolean) => call<{ logged_out: string }>(LUBDUB_ROUTES.logout, { method: 'POST', json: { everywhere } }),
  rotateKey: (which: 'api_key' | 'ping_key') => call<{ which: string; value: string }>(LUBDUB_ROUTES.rotateKey, { method: 'POST', json: { which } }),
  /** Lubdub's channels (with config and `new_checks`): Settings, and what a check can notify */
  channels: () => call<{ channels: ChannelJson[] }>(LUBDUB_ROUTES.channels).then((r) => r.channels),
  createChannel: (c: ChannelInput) => call<ChannelJson>(LUBDUB_ROUTES.channels, { method: 'POST', json: c }),
  updateChannel: (id: string, c: ChannelInput) => call<ChannelJson>(channelPath(id), { method: 'POST', json: c }),
  deleteChannel: (id: string) => call<ChannelJson>(channelPath(id), { method: 'DELETE' }),
  /** sends a test message now; `ok: false` with the error when the channel could not deliver it */
  testChannel: (id: string) => call<{ ok: boolean; error: string | null }>(`${channelPath(id)}/test`, { method: 'POST' }),
  /** snooze one check: until an ISO time, or null to end it */
  muteCheck: (uuid: string, until: string | null) => call<CheckJson>(LUBDUB_ROUTES.checkMute.replace(':uuid', encodeURIComponent(uuid)), { method: 'POST', json: { until } }),
  /** extraction presets and the editor's assertion presets */
  presets: () => call<PresetsReply>(SILENT_ROUTES.presets),
  /** the last runs' metrics (oldest first) and each assertion's baseline state */
  metrics: (uuid: string, limit = 100) => call<MetricsReply>(`${SILENT_ROUTES.metrics.replace(':uuid', encodeURIComponent(uuid))}?limit=${limit}`),
};

const channelPath = (id: string) => `${LUBDUB_ROUTES.channels}/${encodeURIComponent(id)}`;

/** Same-origin path of a ping body download (the API's body_url names the loopback host). */
export function pingBodyPath(uuid: string, n: number): string {
  return `${checkPath(uuid)}/pings/${n}/body`;
}
