import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { officeFeature } from '../../electron/service/office/feature.js';
import { settingsFeature } from '../../electron/service/api/settings.js';
import { consoleFeature } from '../../electron/service/console.js';
import { API, pathOf } from '../../shared/api/routes.js';
import { harness, KEY, type Harness } from '../helpers/in-process.js';
import { openEvents } from '../helpers/sse.js';
import { waitFor } from '../helpers/serve.js';

/**
 * Read-only and device keys on the UI port, over real sockets: what each scope may do,
 * that a refused request changes nothing, and that a revoke applies at once — also to an
 * event stream already open with that key.
 */

let h: Harness;
let check: string;

beforeEach(async () => {
  h = await harness({ features: [settingsFeature(), consoleFeature(), officeFeature()] });
  const c = await h.api('POST', API.createCheck.path, { name: 'backup', timeout: 3600 });
  check = c.json.uuid;
});
afterEach(async () => {
  await h.stop();
  fs.rmSync(h.dataDir, { recursive: true, force: true });
});

async function call(key: string, method: string, path: string, json?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(h.svc.uiUrl + path, {
    method,
    headers: { 'x-api-key': key, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await r.text();
  return { status: r.status, json: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
}

describe('read-only keys', () => {
  it('are shown once, listed without the key, and can only GET', async () => {
    const made = await h.api('POST', API.createKey.path, { name: 'wall dashboard', scope: 'read' });
    expect(made.status).toBe(200);
    expect(made.json).toMatchObject({ name: 'wall dashboard', scope: 'read', last_seen: null });
    const key = made.json.key as string;
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);

    expect((await call(key, 'GET', API.listChecks.path)).status).toBe(200);
    expect((await call(key, 'GET', pathOf(API.getCheck, { code: check }))).status).toBe(200);
    expect((await call(key, 'GET', API.summary.path)).status).toBe(200);

    const before = await h.api('GET', API.listChecks.path);
    const refused = [
      await call(key, 'POST', API.createCheck.path, { name: 'sneaky' }),
      await call(key, 'POST', pathOf(API.updateCheck, { code: check }), { name: 'renamed' }),
      await call(key, 'POST', pathOf(API.pauseCheck, { code: check })),
      await call(key, 'DELETE', pathOf(API.deleteCheck, { code: check })),
      await call(key, 'POST', API.mute.path, { seconds: 60 }),
      await call(key, 'POST', API.createKey.path, { name: 'more', scope: 'read' }),
      await call(key, 'POST', API.session.path, {}),
    ];
    expect(refused.map((r) => [r.status, r.json.error])).toEqual(refused.map(() => [403, 'this key is read-only']));
    // reads that show keys or a pairing code are not "read-only" data
    for (const p of [API.settings.path, API.office.path, API.officeKeys.path]) expect((await call(key, 'GET', p)).status).toBe(403);
    expect(await h.api('GET', API.listChecks.path)).toEqual(before);

    const listed = await h.api('GET', API.officeKeys.path);
    expect(listed.json.keys).toHaveLength(1);
    expect(JSON.stringify(listed.json)).not.toContain(key);
    expect(listed.json.keys[0].last_from).toBe('127.0.0.1');
    expect(listed.json.keys[0].last_seen).not.toBeNull();
  });

  it('device keys cannot be made by hand (they come from pairing)', async () => {
    const r = await h.api('POST', API.createKey.path, { name: 'desk', scope: 'device' });
    expect(r.status).toBe(400);
    expect((await h.api('GET', API.officeKeys.path)).json.keys).toEqual([]);
  });

  it('a wrong key is 401, and the full API key works unchanged', async () => {
    expect(await call('not-a-key-0123456789', 'GET', API.listChecks.path)).toEqual({ status: 401, json: { error: 'wrong api key' } });
    expect((await call(KEY, 'POST', API.createKey.path, { name: 'x', scope: 'read' })).status).toBe(200);
    expect((await call(KEY, 'GET', API.settings.path)).status).toBe(200);
  });
});

describe('device keys ("watch + snooze")', () => {
  it('read checks, flips, pings, snooze, mute, pause and resume; nothing else', async () => {
    const { key } = h.svc.keys.create('Ana’s desk', 'device');
    const ok = [
      await call(key, 'GET', API.listChecks.path),
      await call(key, 'GET', pathOf(API.listFlips, { code: check })),
      await call(key, 'GET', pathOf(API.listPings, { code: check })),
      await call(key, 'GET', API.heartbeats.path),
      await call(key, 'POST', API.mute.path, { seconds: 600 }),
      await call(key, 'POST', pathOf(API.checkMute, { uuid: check }), { seconds: 600 }),
      await call(key, 'POST', pathOf(API.pauseCheck, { code: check })),
      await call(key, 'POST', pathOf(API.resumeCheck, { code: check })),
    ];
    expect(ok.map((r) => r.status)).toEqual(ok.map(() => 200));

    const before = await h.api('GET', API.listChecks.path);
    const refused = [
      await call(key, 'POST', API.createCheck.path, { name: 'x' }),
      await call(key, 'DELETE', pathOf(API.deleteCheck, { code: check })),
      await call(key, 'POST', pathOf(API.updateCheck, { code: check }), { name: 'x' }),
      await call(key, 'GET', API.settings.path),
      await call(key, 'POST', API.rotateKey.path, { which: 'api_key' }),
      await call(key, 'GET', API.channels.path),
      await call(key, 'GET', API.officeKeys.path),
      await call(key, 'POST', API.session.path, {}),
    ];
    expect(refused.map((r) => r.status)).toEqual(refused.map(() => 403));
    expect(await h.api('GET', API.listChecks.path)).toEqual(before);
  });

  it('a revoke refuses the key at once and ends its open event stream', async () => {
    const { key, record } = h.svc.keys.create('laptop', 'device');
    const other = h.svc.keys.create('other desk', 'device');
    const stream = await openEvents(h.svc.uiUrl + API.events.path, { 'x-api-key': key });
    const otherStream = await openEvents(h.svc.uiUrl + API.events.path, { 'x-api-key': other.key });
    try {
      await waitFor(() => stream.events.some((e) => e.type === 'hello') && otherStream.events.some((e) => e.type === 'hello'));
      const r = await h.api('DELETE', pathOf(API.revokeKey, { id: record.id }));
      expect(r).toMatchObject({ status: 200, json: { id: record.id, name: 'laptop', scope: 'device' } });
      await waitFor(() => stream.ended);
      expect((await call(key, 'GET', API.listChecks.path)).status).toBe(401);
      // the other desk's stream stays open: a check change still reaches it
      await h.api('POST', pathOf(API.updateCheck, { code: check }), { name: 'after revoke' });
      await waitFor(() => otherStream.events.some((e) => e.type === 'check' && e.data.name === 'after revoke'));
      expect(otherStream.ended).toBe(false);
      expect((await h.api('DELETE', pathOf(API.revokeKey, { id: record.id }))).status).toBe(404);
    } finally {
      stream.close();
      otherStream.close();
    }
  });
});
