import { afterEach, describe, expect, it } from 'vitest';
import { trayModel } from '../../electron/app/tray-model.js';
import type { CheckJson, Summary } from '../../shared/api/types.js';
import { ManualClock } from '../../shared/domain/clock.js';
import { harness, receiver, recordEvents, settle, type Harness, type Receiver } from '../helpers/in-process.js';
import { tempDir } from '../helpers/serve.js';

let h: Harness | null = null;
let rx: Receiver | null = null;
afterEach(async () => {
  await h?.stop();
  await rx?.close();
  h = null;
  rx = null;
});

const MIN = 60_000;
const T0 = Date.parse('2024-05-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');
const posts = () => rx!.requests.map((r) => JSON.parse(r.body) as Record<string, any>);

async function hookAndChecks(hh: Harness) {
  const hook = (await hh.api('POST', '/api/lubdub/channels', { name: 'hook', kind: 'webhook', config: { url: `${rx!.url}/h` } })).json.id;
  // spooled: its job pings every 50 min and spools pings while Lubdub is away
  const spooled = (await hh.api('POST', '/api/v3/checks/', { name: 'spooled', timeout: 3000, grace: 60, channels: hook })).json.uuid as string;
  const silent = (await hh.api('POST', '/api/v3/checks/', { name: 'silent', timeout: 60, grace: 60, channels: hook })).json.uuid as string;
  const status = async (u: string) => (await hh.api('GET', `/api/v3/checks/${u}`)).json as Record<string, any>;
  return { hook, spooled, silent, status };
}

describe('monitor-offline awareness', () => {
  it('after a stop: held in grace during the catch-up window, a late ?ts= ping keeps its check up, the silent one goes down with one summary', async () => {
    rx = await receiver();
    const dataDir = tempDir('lubdub-offline-');
    h = await harness({ start: T0, dataDir, core: { aliveEveryMs: 0 } });
    const { spooled, silent } = await hookAndChecks(h);
    await h.ping(spooled);
    await h.ping(silent);
    h.timers.advance(10_000);
    await h.stop(); // alive written at T0+10 s

    // An hour later Lubdub starts again; both deadlines (T0+2 min, T0+51 min) passed unseen.
    h = await harness({ clock: new ManualClock(T0 + 60 * MIN), dataDir, config: { catchupWindow: 600 }, core: { aliveEveryMs: 0 } });
    const events = recordEvents(h);
    const status = async (u: string) => (await h!.api('GET', `/api/v3/checks/${u}`)).json as Record<string, any>;
    expect(await status(silent)).toMatchObject({ status: 'grace', monitor_offline: true });
    expect(await status(spooled)).toMatchObject({ status: 'grace', monitor_offline: true });
    const off = (await h.api('GET', '/api/lubdub/offline')).json;
    expect(off.gaps).toEqual([
      { id: 1, from: iso(T0 + 10_000), to: iso(T0 + 60 * MIN), cause: 'start', window_end: iso(T0 + 70 * MIN), held: 2, missed: null },
    ]);

    // The spooled ping of 10:50 arrives at 11:01 and applies at its own time.
    h.timers.advance(MIN);
    expect(await h.ping(spooled, '', { query: `ts=${(T0 + 50 * MIN) / 1000}` })).toBe(200);
    expect(await status(spooled)).toMatchObject({ status: 'up', monitor_offline: false, last_ping: iso(T0 + 50 * MIN) });
    const ping = (await h.api('GET', `/api/v3/checks/${spooled}/pings/`)).json.pings[0];
    expect([Date.parse(ping.date), Date.parse(ping.received)]).toEqual([T0 + 50 * MIN, T0 + 61 * MIN]);

    h.timers.advance(9 * MIN - 1);
    await settle(h);
    expect(rx.requests).toHaveLength(0);
    expect(await status(silent)).toMatchObject({ status: 'grace', monitor_offline: true });

    h.timers.advance(1); // the window ends
    await settle(h);
    const silentJson = await status(silent);
    expect(silentJson).toMatchObject({ status: 'down', monitor_offline: false, down_reason: 'missed while Lubdub was offline', down_reason_code: 'missed while Lubdub was offline' });
    // The tray shows the API's words unchanged.
    const summary = (await h.api('GET', '/api/lubdub/summary')).json as Summary;
    const tray = trayModel(summary, [silentJson as CheckJson], h.clock.now()).items.filter((i) => i.kind === 'check');
    expect(tray.map((i) => i.label)).toEqual(['Down: silent — missed while Lubdub was offline']);
    expect(await status(spooled)).toMatchObject({ status: 'up' });
    const flips = (await h.api('GET', `/api/v3/checks/${silent}/flips/`)).json;
    expect(flips.at(0)).toMatchObject({ new_status: 'down', reason: 'missed while Lubdub was offline', timestamp: iso(T0 + 70 * MIN) });
    expect(posts()).toEqual([
      expect.objectContaining({
        kind: 'summary',
        title: '1 check missed while Lubdub was offline',
        message: 'Lubdub was not watching for 59 min 50 s; still missing: silent',
        checks: [expect.objectContaining({ uuid: silent, reason: 'missed while Lubdub was offline' })],
      }),
    ]);
    expect(events.filter((e) => e.type === 'offline-summary').map((e) => e.data)).toEqual([
      { from: iso(T0 + 10_000), to: iso(T0 + 60 * MIN), checks: [{ uuid: silent, name: 'silent' }] },
    ]);
    expect((await h.api('GET', '/api/lubdub/offline')).json.gaps[0]).toMatchObject({ held: 2, missed: 1 });
    h.timers.advance(30 * MIN); // up to 11:40, before the spooled job's next deadline
    await settle(h);
    expect(rx.requests).toHaveLength(1);
    // the spooled check's next deadline is the normal rule's business: never an offline miss
    h.timers.advance(60 * MIN);
    await settle(h);
    const spooledFlips = (await h.api('GET', `/api/v3/checks/${spooled}/flips/`)).json as { new_status: string; reason: string }[];
    expect(spooledFlips.at(0)).toMatchObject({ new_status: 'down', reason: 'timeout' });
    expect(spooledFlips.filter((f) => f.reason === 'missed while Lubdub was offline')).toEqual([]);
  });

  it('many silent checks of one gap make one summary per channel, not one alert each', async () => {
    rx = await receiver();
    const dataDir = tempDir('lubdub-offline-');
    h = await harness({ start: T0, dataDir, core: { aliveEveryMs: 0 } });
    const hook = (await h.api('POST', '/api/lubdub/channels', { name: 'hook', kind: 'webhook', config: { url: `${rx.url}/h` } })).json.id;
    for (let i = 0; i < 230; i++) {
      const u = (await h.api('POST', '/api/v3/checks/', { name: `job-${String(i).padStart(3, '0')}`, timeout: 60, grace: 60, channels: hook })).json.uuid;
      await h.ping(u);
    }
    await h.stop();
    h = await harness({ clock: new ManualClock(T0 + 3 * 3600_000), dataDir, config: { catchupWindow: 0 }, core: { aliveEveryMs: 0 } });
    h.timers.advance(1);
    await settle(h);
    const p = posts();
    expect(p).toHaveLength(1);
    // more than one outbox batch (200 flips): still one summary
    expect(p[0].title).toBe('230 checks missed while Lubdub was offline');
    expect(p[0].checks).toHaveLength(230);
    expect(p[0].message).toMatch(/still missing: job-000, .*, job-009 and 220 more$/);
  });

  it('a check that was already down before the stop is not held and sends nothing new', async () => {
    rx = await receiver();
    const dataDir = tempDir('lubdub-offline-');
    h = await harness({ start: T0, dataDir, core: { aliveEveryMs: 0 } });
    const { silent } = await hookAndChecks(h);
    await h.ping(silent, '/fail');
    await settle(h);
    await h.stop();
    h = await harness({ clock: new ManualClock(T0 + 3600_000), dataDir, core: { aliveEveryMs: 0 } });
    expect((await h.api('GET', `/api/v3/checks/${silent}`)).json).toMatchObject({ status: 'down', monitor_offline: false });
    expect((await h.api('GET', '/api/lubdub/offline')).json.gaps[0].held).toBe(0);
    h.timers.advance(3600_000);
    await settle(h);
    expect(posts().map((p) => p.kind)).toEqual(['down']);
  });

  it('a timer firing an hour late (suspend) opens a gap; checks overdue in it wait for the window', async () => {
    rx = await receiver();
    h = await harness({ start: T0, config: { catchupWindow: 300 } });
    const { silent, status } = await hookAndChecks(h);
    await h.ping(silent);
    h.timers.advance(30_000);
    h.timers.sleep(3600_000); // suspended: the wall clock moves, the timers do not
    h.timers.advance(30_000); // the alive beat fires, an hour late
    expect(await status(silent)).toMatchObject({ status: 'grace', monitor_offline: true });
    const gap = (await h.api('GET', '/api/lubdub/offline')).json.gaps[0];
    expect(gap).toMatchObject({ cause: 'timer-late', from: iso(T0 + 30_000), held: 1 });
    h.timers.advance(300_000);
    await settle(h);
    expect(await status(silent)).toMatchObject({ status: 'down', down_reason: 'missed while Lubdub was offline' });
    expect(posts().map((p) => [p.kind, p.title])).toEqual([['summary', '1 check missed while Lubdub was offline']]);
  });

  it('the desktop shell reports suspend and resume: the gap runs from the suspend to the resume', async () => {
    rx = await receiver();
    h = await harness({ start: T0, config: { catchupWindow: 300 } });
    const { silent, status } = await hookAndChecks(h);
    await h.ping(silent);
    h.timers.advance(20_000);
    expect(await h.api('POST', '/api/lubdub/power', { event: 'suspend' })).toEqual({ status: 200, json: { ok: true } });
    h.timers.sleep(2 * 3600_000);
    expect((await h.api('POST', '/api/lubdub/power', { event: 'resume' })).status).toBe(200);
    const gap = (await h.api('GET', '/api/lubdub/offline')).json.gaps[0];
    expect(gap).toMatchObject({ cause: 'power-resume', from: iso(T0 + 20_000), to: iso(T0 + 20_000 + 2 * 3600_000), held: 1 });
    expect(await status(silent)).toMatchObject({ status: 'grace', monitor_offline: true });
    expect(await h.api('POST', '/api/lubdub/power', { event: 'hibernate' })).toEqual({
      status: 400,
      json: { error: 'json validation error: event must be one of suspend, resume, lock, unlock, shutdown' },
    });
  });

  it('a restart inside the catch-up window keeps the check held and still sends one summary', async () => {
    rx = await receiver();
    const dataDir = tempDir('lubdub-offline-');
    h = await harness({ start: T0, dataDir, core: { aliveEveryMs: 0 } });
    const { silent } = await hookAndChecks(h);
    await h.ping(silent);
    await h.stop();
    h = await harness({ clock: new ManualClock(T0 + 3600_000), dataDir, config: { catchupWindow: 600 }, core: { aliveEveryMs: 0 } });
    h.timers.advance(120_000);
    await h.stop();
    h = await harness({ clock: new ManualClock(T0 + 3600_000 + 180_000), dataDir, config: { catchupWindow: 600 }, core: { aliveEveryMs: 0 } });
    expect((await h.api('GET', `/api/v3/checks/${silent}`)).json).toMatchObject({ status: 'grace', monitor_offline: true });
    h.timers.advance(600_000);
    await settle(h);
    h.timers.advance(3600_000);
    await settle(h);
    expect(posts().map((p) => p.kind)).toEqual(['summary']);
  });
});
