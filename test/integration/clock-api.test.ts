/**
 * Answers of the management API that depend on time, from the real service in-process on
 * a fake clock: the boundaries are exact, and a loaded machine cannot move them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { defaults } from '../../electron/service/config.js';
import { startService, type RunningService } from '../../electron/service/service.js';
import { ManualClock } from '../../shared/domain/clock.js';
import { harness, KEY, type Harness } from '../helpers/in-process.js';
import { tempDir } from '../helpers/serve.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function started(): Promise<Harness> {
  const h = await harness({ start: T0, core: { aliveEveryMs: 0 } });
  cleanups.push(() => fs.rmSync(h.dataDir, { recursive: true, force: true }));
  cleanups.push(() => h.stop());
  return h;
}

describe('time in management API answers', () => {
  it('status shows grace and down from the clock alone (no scheduler needed)', async () => {
    // The service without any feature: nothing runs the scheduler.
    const clock = new ManualClock(T0);
    const dataDir = tempDir('lubdub-clock-');
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const svc: RunningService = await startService(
      { ...defaults(), dataDir, pingHost: '127.0.0.1', pingPort: 0, uiPort: 0, apiKey: KEY, desktopNotifier: false },
      clock,
      [],
    );
    cleanups.push(() => svc.stop());
    const headers = { 'x-api-key': KEY, host: new URL(svc.uiUrl).host, 'content-type': 'application/json' };
    const created = await svc.api.inject({ method: 'POST', url: '/api/v3/checks/', headers, payload: JSON.stringify({ name: 'quick', timeout: 1, grace: 1 }) });
    expect(created.statusCode).toBe(201);
    const uuid = created.json().uuid as string;
    expect((await svc.receiver.inject({ method: 'GET', url: `/ping/${uuid}` })).statusCode).toBe(200);
    const at = async () => (await svc.api.inject({ method: 'GET', url: `/api/v3/checks/${uuid}`, headers })).json().status;
    expect(await at()).toBe('up');
    // grace from the deadline (ping + 1 s), down when the grace ends (ping + 2 s)
    clock.advance(999);
    expect(await at()).toBe('up');
    clock.advance(1);
    expect(await at()).toBe('grace');
    clock.advance(999);
    expect(await at()).toBe('grace');
    clock.advance(1);
    expect(await at()).toBe('down');
  });

  it('start then success pairs the run by rid and records its duration', async () => {
    const h = await started();
    const uuid = (await h.api('POST', '/api/v3/checks/', { name: 'timed', timeout: 60, grace: 60, channels: '' })).json.uuid as string;
    const rid = crypto.randomUUID();
    expect(await h.ping(uuid, '/start', { query: `rid=${rid}` })).toBe(200);
    expect((await h.api('GET', `/api/v3/checks/${uuid}`)).json.status).toBe('started');
    h.timers.advance(45_000);
    expect(await h.ping(uuid, '', { query: `rid=${rid}` })).toBe(200);
    expect((await h.api('GET', `/api/v3/checks/${uuid}`)).json).toMatchObject({ status: 'up', started: false, last_duration: 45 });
    expect((await h.api('GET', `/api/v3/checks/${uuid}/pings/`)).json.pings[0]).toMatchObject({ type: 'success', rid, duration: 45 });
  });
});
