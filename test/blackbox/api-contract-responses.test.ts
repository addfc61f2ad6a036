import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { EVENTS, type EventType } from '../../shared/api/events.js';
import { API, pathOf, type RouteName } from '../../shared/api/routes.js';
import { waitFor, serve, type Served } from '../helpers/serve.js';
import { openEvents, type EventStream } from '../helpers/sse.js';

/**
 * The answer half of the API contract against the real `npm run serve` process: every
 * declared route with a response schema is called once, and `s.api` (test/helpers/serve.ts)
 * checks each 2xx answer against that schema, failing with the route, the path and the
 * error. Every event seen on the stream meanwhile is checked against its payload schema.
 */

let s: Served;
let stream: EventStream;
const answered = new Set<RouteName>();

beforeAll(async () => {
  s = await serve();
  stream = await openEvents(`${s.uiUrl}${API.events.path}`, { 'x-api-key': s.apiKey });
});
afterAll(async () => {
  stream?.close();
  await s?.stop();
});

/** Calls a declared route with the key; `s.api` has checked the answer against its schema. */
async function call(name: RouteName, params: Record<string, string | number> = {}, json?: unknown, query = ''): Promise<any> {
  const r = API[name];
  const res = await s.api(pathOf(r, params) + query, { method: r.method, ...(r.method === 'POST' ? { json: json ?? {} } : {}) });
  expect([name, res.status]).toEqual([name, name === 'createCheck' || name === 'createChannel' ? 201 : 200]);
  answered.add(name);
  return res.json();
}

describe('every declared answer matches its schema (real service)', () => {
  it('checks, pings and flips', async () => {
    const check = await call('createCheck', {}, { name: 'contract', timeout: 60, grace: 60, tags: 'a b' });
    const code = check.uuid as string;
    for (const suffix of ['/start', '', '/fail', '/3']) {
      const r = await fetch(`${s.pingUrl}/ping/${code}${suffix}`, { method: 'POST', body: 'line one\nline two' });
      expect(r.status).toBe(200);
    }
    await call('getCheck', { code });
    await call('updateCheck', { code }, { desc: 'nightly' });
    await call('listChecks', {}, undefined, '?tag=a');
    const pings = await call('listPings', { code });
    expect(pings.pings.length).toBe(4);
    const flips = await call('listFlips', { code });
    expect(flips.length).toBeGreaterThan(0);
    await call('pauseCheck', { code });
    await call('resumeCheck', { code });
    await call('checkMute', { uuid: code }, { seconds: 600 });
    await call('heartbeats');
    await call('metrics', { uuid: code });
    await call('summary');
    await call('overview', {}, undefined, '?limit=5&status=attention');
    await call('listIntegrations');
    await call('deleteCheck', { code });
  });

  it('channels, deliveries, snooze, power and offline', async () => {
    const ch = await call('createChannel', {}, { name: 'hook', kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } });
    await call('channels');
    await call('getChannel', { id: ch.id });
    await call('updateChannel', { id: ch.id }, { name: 'hook 2' });
    await call('testChannel', { id: ch.id });
    await call('deliveries', {}, undefined, '?limit=10');
    await call('deleteChannel', { id: ch.id });
    await call('mute', {}, { seconds: 60 });
    await call('muteState');
    await call('mute', {}, { until: null });
    await call('hostGrouping');
    await call('saveHostGrouping', {}, { window_seconds: 60 });
    await call('power', {}, { event: 'lock' });
    await call('power', {}, { event: 'unlock' });
    await call('offline');
    await call('presets');
  });

  it('settings, keys and sessions', async () => {
    await call('settings');
    await call('saveSettings', {}, { catchup_window: 300 });
    await call('rotateKey', {}, { which: 'ping_key' });
    await call('session');
    await call('logout', {}, { everywhere: true });
  });

  it('office mode: sharing state and keys', async () => {
    await call('office');
    await call('saveOffice', {}, { share: false });
    const key = await call('createKey', {}, { name: 'dashboard', scope: 'read' });
    await call('officeKeys');
    await call('revokeKey', { id: key.id });
  });

  it('integrations: the heartbeat and an import preview (from this same service, as the other side)', async () => {
    await call('heartbeat');
    await call('saveHeartbeat', {}, { url: '', minutes: 5 });
    await call('importHealthchecks', {}, { url: s.uiUrl, remote_key: s.apiKey, dry_run: true });
  });

  it('every route with a response schema was answered', () => {
    const declared = (Object.keys(API) as RouteName[]).filter((n) => 'response' in API[n]);
    expect(declared.filter((n) => !answered.has(n))).toEqual([]);
  });

  it('every event on the stream is a declared type with a matching payload', async () => {
    // the events of the calls above; the last check change (deleted) marks that they arrived
    await waitFor(() => stream.events.some((e) => e.type === 'check-deleted'));
    const seen = new Set(stream.events.map((e) => e.type));
    expect(seen.has('hello') && seen.has('check') && seen.has('ping') && seen.has('flip')).toBe(true);
    const bad = stream.events.flatMap((e) => {
      const schema = EVENTS[e.type as EventType];
      if (!schema) return [`${e.type}: not a declared event type`];
      return Value.Errors(schema, e.data)
        .slice(0, 3)
        .map((x) => `${e.type} ${x.instancePath || '/'}: ${x.message}`);
    });
    expect(bad).toEqual([]);
  });
});
