/**
 * Time belongs to the core: the real service in-process on a fake clock, with no feature at
 * all, still turns overdue checks down (flip stored, events published) and holds checks
 * whose deadline passed while it was stopped. With alerts, the flip writer arms reminders.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { defaults } from '../../electron/service/config.js';
import { startService, type RunningService } from '../../electron/service/service.js';
import type { ServiceEvent } from '../../shared/api/types.js';
import { ManualClock } from '../../shared/domain/clock.js';
import { FakeTimers } from '../helpers/fake-timers.js';
import { harness, KEY, type Harness } from '../helpers/in-process.js';
import { tempDir } from '../helpers/serve.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const MIN = 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The service with no features, on `clock` and fake timers. */
async function bare(clock: ManualClock, dataDir: string, catchupWindow = 600) {
  const timers = new FakeTimers(clock);
  const svc: RunningService = await startService(
    { ...defaults(), dataDir, pingHost: '127.0.0.1', pingPort: 0, uiPort: 0, apiKey: KEY, desktopNotifier: false, logLevel: 'warn', catchupWindow },
    clock,
    [],
    { timer: timers, aliveEveryMs: 0 },
  );
  let stopped = false;
  const stop = async () => {
    if (!stopped) await svc.stop();
    stopped = true;
  };
  cleanups.push(stop);
  const headers = { 'x-api-key': KEY, host: new URL(svc.uiUrl).host, 'content-type': 'application/json' };
  const api = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
    const r = await svc.api.inject({ method, url, headers, payload: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.statusCode, json: r.json() as Record<string, any> };
  };
  const events: ServiceEvent[] = [];
  svc.bus.on('public', (e) => events.push(e));
  return { svc, timers, api, events, stop };
}

function tmp(): string {
  const dir = tempDir('lubdub-core-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('the core scheduler without any feature', () => {
  it('a check past its deadline turns down: the flip is stored and a check event is published', async () => {
    const s = await bare(new ManualClock(T0), tmp());
    const created = await s.api('POST', '/api/v3/checks/', { name: 'nightly', timeout: 60, grace: 60 });
    expect(created.status).toBe(201);
    const uuid = created.json.uuid as string;
    expect((await s.svc.receiver.inject({ method: 'GET', url: `/ping/${uuid}` })).statusCode).toBe(200);
    const id = s.svc.repos.checks.byUuid(uuid)!.id;

    s.timers.advance(2 * MIN - 1);
    expect(s.svc.repos.checks.byId(id)!.status).toBe('up');
    expect(s.svc.repos.flips.list(id).map((f) => f.newStatus)).toEqual(['up']);

    s.timers.advance(1);
    const row = s.svc.repos.checks.byId(id)!;
    expect(row).toMatchObject({ status: 'down', downReasonCode: 'timeout', alertAfter: null });
    expect(s.svc.repos.flips.list(id)[0]).toMatchObject({ at: T0 + 2 * MIN, oldStatus: 'up', newStatus: 'down', reason: 'timeout', processed: null });
    const checkEvents = s.events.filter((e) => e.type === 'check' && e.data.uuid === uuid).map((e) => (e.data as { status: string }).status);
    expect(checkEvents.at(-1)).toBe('down');
    expect(s.events.some((e) => e.type === 'flip' && e.data.check === uuid && e.data.flip.new_status === 'down')).toBe(true);
    expect((await s.api('GET', `/api/v3/checks/${uuid}`)).json).toMatchObject({ status: 'down', down_reason_code: 'timeout', down_reason: 'no ping for 2 min' });
  });

  it('a deadline that passed while Lubdub was stopped is held in grace, then goes down when the catch-up window ends', async () => {
    const dataDir = tmp();
    const clock = new ManualClock(T0);
    let s = await bare(clock, dataDir);
    const uuid = (await s.api('POST', '/api/v3/checks/', { name: 'silent', timeout: 60, grace: 60 })).json.uuid as string;
    await s.svc.receiver.inject({ method: 'GET', url: `/ping/${uuid}` });
    await s.stop(); // alive written at T0

    clock.set(T0 + 60 * MIN);
    s = await bare(clock, dataDir, 600);
    expect((await s.api('GET', `/api/v3/checks/${uuid}`)).json).toMatchObject({ status: 'grace', monitor_offline: true });
    s.timers.advance(10 * MIN - 1);
    expect((await s.api('GET', `/api/v3/checks/${uuid}`)).json).toMatchObject({ status: 'grace', monitor_offline: true });
    s.timers.advance(1);
    expect((await s.api('GET', `/api/v3/checks/${uuid}`)).json).toMatchObject({
      status: 'down',
      monitor_offline: false,
      down_reason_code: 'missed while Lubdub was offline',
    });
    const id = s.svc.repos.checks.byUuid(uuid)!.id;
    expect(s.svc.repos.flips.list(id)[0]).toMatchObject({ at: T0 + 70 * MIN, newStatus: 'down', reason: 'missed while Lubdub was offline' });
    expect(s.events.some((e) => e.type === 'offline-summary')).toBe(true);
  });
});

describe('reminders armed by the flip writer', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    if (h) fs.rmSync(h.dataDir, { recursive: true, force: true });
    h = null;
  });
  const nextReminder = (hh: Harness, uuid: string) =>
    hh.svc.repos.db.prepare('SELECT next_reminder FROM checks WHERE uuid = ?').pluck().get(uuid) as number | null;

  it('the first reminder falls reminder_every after the deadline flip; an edit re-arms or clears it; recovery clears it', async () => {
    h = await harness({ start: T0, core: { aliveEveryMs: 0 } });
    const uuid = (await h.api('POST', '/api/v3/checks/', { name: 'nightly', timeout: 60, grace: 60, channels: '', reminder_every: 3600 })).json.uuid as string;
    await h.ping(uuid);
    expect(nextReminder(h, uuid)).toBeNull();
    h.timers.advance(2 * MIN); // down by its deadline at T0 + 2 min
    expect(nextReminder(h, uuid)).toBe(T0 + 2 * MIN + 3600_000);

    // reminders off, then on again while down: armed from the down flip, as before
    await h.api('POST', `/api/v3/checks/${uuid}`, { reminder_every: 0 });
    expect(nextReminder(h, uuid)).toBeNull();
    h.timers.advance(MIN);
    await h.api('POST', `/api/v3/checks/${uuid}`, { reminder_every: 600 });
    expect(nextReminder(h, uuid)).toBe(T0 + 2 * MIN + 600_000);
    // an edit of something else keeps the armed time
    await h.api('POST', `/api/v3/checks/${uuid}`, { desc: 'still down' });
    expect(nextReminder(h, uuid)).toBe(T0 + 2 * MIN + 600_000);

    expect(await h.ping(uuid)).toBe(200);
    expect(nextReminder(h, uuid)).toBeNull();
    // a failure signal arms it from the fail flip
    h.timers.advance(MIN);
    const failAt = h.clock.now();
    expect(await h.ping(uuid, '/fail')).toBe(200);
    expect(nextReminder(h, uuid)).toBe(failAt + 600_000);
    // pausing clears it
    await h.api('POST', `/api/v3/checks/${uuid}/pause`);
    expect(nextReminder(h, uuid)).toBeNull();
  });

  it('a check mute is stored once: the check JSON shows muted_until from mute_until, extra keeps no copy', async () => {
    h = await harness({ start: T0, core: { aliveEveryMs: 0 } });
    const uuid = (await h.api('POST', '/api/v3/checks/', { name: 'quiet', channels: '' })).json.uuid as string;
    const muted = await h.api('POST', `/api/lubdub/checks/${uuid}/mute`, { seconds: 1800 });
    expect(muted.json.muted_until).toBe('2024-05-01T10:30:00+00:00');
    const row = h.svc.repos.db.prepare('SELECT mute_until, extra FROM checks WHERE uuid = ?').get(uuid) as { mute_until: number; extra: string };
    expect(row.mute_until).toBe(T0 + 1800_000);
    expect(JSON.parse(row.extra)).not.toHaveProperty('muted_until');
    h.timers.advance(1800_000);
    expect((await h.api('GET', `/api/v3/checks/${uuid}`)).json.muted_until).toBeUndefined();
  });
});
