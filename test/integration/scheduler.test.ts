import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TIMER_STEP } from '../../electron/service/core/scheduler.js';
import { harness, recordEvents, type Harness } from '../helpers/in-process.js';

const t = (iso: string) => Date.parse(iso);
let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

async function check(hh: Harness, body: Record<string, unknown>): Promise<Record<string, any>> {
  const r = await hh.api('POST', '/api/v3/checks/', { channels: '', ...body });
  expect(r.status).toBe(201);
  return r.json;
}

function flipsOf(hh: Harness, uuid: string) {
  const c = hh.svc.repos.checks.byUuid(uuid)!;
  return hh.svc.repos.flips.list(c.id).reverse();
}

describe('scheduler on a fake clock', () => {
  it('many checks with mixed deadlines go down in deadline order, each exactly at its deadline, with one timer', async () => {
    h = await harness({ core: { aliveEveryMs: 0 } });
    const events = recordEvents(h);
    // A fixed pseudo-random mix: timeouts 1 s - 1 h, graces 1 s - 10 min.
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 48271) % 2147483647), 1 + (seed % n));
    const made: { uuid: string; deadline: number }[] = [];
    const t0 = h.clock.now();
    for (let i = 0; i < 60; i++) {
      const timeout = rnd(3600);
      const grace = rnd(600);
      const c = await check(h, { name: `job-${i}`, timeout, grace });
      expect(await h.ping(c.uuid)).toBe(200);
      made.push({ uuid: c.uuid, deadline: t0 + (timeout + grace) * 1000 });
    }
    h.timers.advance(2 * 3600 * 1000);

    const downs = events.filter((e) => e.type === 'flip' && e.data.flip.new_status === 'down').map((e) => (e.data as { check: string }).check);
    const expected = [...made].sort((a, b) => a.deadline - b.deadline || 0).map((m) => m.uuid);
    expect(downs).toHaveLength(60);
    // ties (same deadline) may come in either order; compare deadlines, not uuids
    const deadlineOf = new Map(made.map((m) => [m.uuid, m.deadline]));
    expect(downs.map((u) => deadlineOf.get(u))).toEqual(expected.map((u) => deadlineOf.get(u)));
    for (const m of made) {
      const f = flipsOf(h, m.uuid).filter((x) => x.newStatus === 'down');
      expect(f).toHaveLength(1);
      expect(f[0].at).toBe(m.deadline);
      expect(f[0].reason).toBe('timeout');
    }
    expect(h.timers.maxPending).toBe(1);
  });

  it('an edit that shortens the timeout re-arms the timer; a pause disarms it', async () => {
    h = await harness({ core: { aliveEveryMs: 0 } });
    const c = await check(h, { name: 'edited', timeout: 3600, grace: 60 });
    await h.ping(c.uuid);
    const t0 = h.clock.now();
    // The first wake is the grace start (announced), then the deadline.
    expect(h.timers.nextAt()).toBe(t0 + 3600_000);

    expect((await h.api('POST', `/api/v3/checks/${c.uuid}`, { timeout: 120 })).status).toBe(200);
    expect(h.timers.nextAt()).toBe(t0 + 120_000);
    h.timers.advance(120_000);
    expect(h.timers.nextAt()).toBe(t0 + 180_000);
    h.timers.advance(59_999);
    expect((await h.api('GET', `/api/v3/checks/${c.uuid}`)).json.status).toBe('grace');
    expect(flipsOf(h, c.uuid).filter((f) => f.newStatus === 'down')).toHaveLength(0);
    h.timers.advance(1);
    expect((await h.api('GET', `/api/v3/checks/${c.uuid}`)).json.status).toBe('down');

    const p = await check(h, { name: 'paused', timeout: 60, grace: 60 });
    await h.ping(p.uuid);
    expect(h.timers.nextAt()).toBe(h.clock.now() + 60_000);
    await h.api('POST', `/api/v3/checks/${p.uuid}/pause`);
    expect(h.timers.count).toBe(0);
  });

  it('a 40-day timeout waits in steps of at most 2^31-1 ms and fires exactly on time', async () => {
    h = await harness({ core: { aliveEveryMs: 0 } });
    const c = await check(h, { name: 'monthly', timeout: 40 * 86400, grace: 3600 });
    await h.ping(c.uuid);
    const graceStart = h.clock.now() + 40 * 86400 * 1000;
    const deadline = graceStart + 3600 * 1000;
    expect(h.timers.delays.at(-1)).toBe(MAX_TIMER_STEP);
    h.timers.advance(MAX_TIMER_STEP); // the first step ends; the rest is armed as the next one
    expect(h.timers.nextAt()).toBe(graceStart);
    h.timers.advanceTo(graceStart);
    expect(h.timers.nextAt()).toBe(deadline);
    h.timers.advanceTo(deadline - 1);
    expect(flipsOf(h, c.uuid).filter((f) => f.newStatus === 'down')).toHaveLength(0);
    h.timers.advance(1);
    const down = flipsOf(h, c.uuid).filter((f) => f.newStatus === 'down');
    expect(down.map((f) => f.at)).toEqual([deadline]);
    expect(Math.max(...h.timers.delays)).toBeLessThanOrEqual(MAX_TIMER_STEP);
  });

  it('cron "30 2 * * *" Europe/Berlin: on the spring-forward night 2024-03-31 the run is expected at 03:00 CEST', async () => {
    h = await harness({ start: '2024-03-30T01:30:30Z', core: { aliveEveryMs: 0 } });
    const c = await check(h, { name: 'nightly', schedule: '30 2 * * *', tz: 'Europe/Berlin', grace: 600 });
    await h.ping(c.uuid);
    // 02:30 does not exist that night; Vixie cron (and croner) run at 03:00 CEST = 01:00Z.
    h.timers.advanceTo('2024-03-31T01:09:59Z');
    expect((await h.api('GET', `/api/v3/checks/${c.uuid}`)).json.status).toBe('grace');
    h.timers.advanceTo('2024-03-31T01:10:00Z');
    const down = flipsOf(h, c.uuid).filter((f) => f.newStatus === 'down');
    expect(down.map((f) => f.at)).toEqual([t('2024-03-31T01:10:00Z')]);
    expect((await h.api('GET', `/api/v3/checks/${c.uuid}`)).json.down_reason).toBe('missed 03:00 run (Europe/Berlin)');
  });

  it('cron "30 3 * * *" Europe/Riga: on the fall-back night 2023-10-29 the repeated 03:30 is not a second deadline', async () => {
    h = await harness({ start: '2023-10-29T00:31:00Z', core: { aliveEveryMs: 0 } });
    const c = await check(h, { name: 'riga', schedule: '30 3 * * *', tz: 'Europe/Riga', grace: 600 });
    // pinged just after the first 03:30 (EEST, 00:30Z)
    await h.ping(c.uuid);
    h.timers.advanceTo('2023-10-29T02:00:00Z'); // past the second 03:30 (EET, 01:30Z) + grace
    expect((await h.api('GET', `/api/v3/checks/${c.uuid}`)).json.status).toBe('up');
    expect(flipsOf(h, c.uuid).filter((f) => f.newStatus === 'down')).toHaveLength(0);
    h.timers.advanceTo('2023-10-30T01:40:00Z'); // 03:30 EET next day + 10 min
    const down = flipsOf(h, c.uuid).filter((f) => f.newStatus === 'down');
    expect(down.map((f) => f.at)).toEqual([t('2023-10-30T01:40:00Z')]);
  });

  it('a run that outlives its grace goes down with reason "run exceeded grace"', async () => {
    h = await harness({ core: { aliveEveryMs: 0 } });
    const c = await check(h, { name: 'long run', timeout: 86400, grace: 300 });
    await h.ping(c.uuid);
    h.timers.advance(60_000);
    await h.ping(c.uuid, '/start');
    h.timers.advance(300_000);
    const down = flipsOf(h, c.uuid).filter((f) => f.newStatus === 'down');
    expect(down.map((f) => f.reason)).toEqual(['run exceeded grace']);
    expect(down[0].at).toBe(h.clock.now());
  });

  it('a ping just before the deadline moves it: the old deadline flips nothing', async () => {
    h = await harness({ core: { aliveEveryMs: 0 } });
    const c = await check(h, { name: 'raced', timeout: 60, grace: 60 });
    await h.ping(c.uuid);
    h.timers.sleep(119_000); // no timer fired yet; the ping lands first
    await h.ping(c.uuid);
    h.timers.advance(1_000); // the old deadline passes
    expect(flipsOf(h, c.uuid).filter((f) => f.newStatus === 'down')).toHaveLength(0);
    // the next wake is the new grace start (60 s after the ping), then its deadline
    expect(h.timers.nextAt()).toBe(h.clock.now() - 1_000 + 60_000);
    h.timers.advance(59_000);
    expect(h.timers.nextAt()).toBe(h.clock.now() - 60_000 + 120_000);
  });
});
