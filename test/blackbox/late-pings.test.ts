import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheck, serve, type Served } from '../helpers/serve.js';

let s: Served;
beforeAll(async () => {
  s = await serve();
});
afterAll(async () => {
  await s?.stop();
});

const secs = (ms: number) => (ms / 1000).toFixed(3);
const isoS = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
const get = async (uuid: string) => (await (await s.api(`/api/v3/checks/${uuid}`)).json()) as Record<string, any>;
const pings = async (uuid: string) => ((await (await s.api(`/api/v3/checks/${uuid}/pings/`)).json()) as { pings: Record<string, any>[] }).pings;
const ping = async (path: string, init?: RequestInit) => {
  const r = await fetch(`${s.pingUrl}${path}`, init);
  return { status: r.status, text: await r.text() };
};

describe('late pings with ?ts= (real service)', () => {
  it.each([
    ['in the future by more than 60 s', () => secs(Date.now() + 120_000), 'ts is in the future'],
    ['older than 7 days', () => secs(Date.now() - 8 * 86400_000), 'ts is older than 7 days'],
    ['not a time', () => 'yesterday', 'invalid ts format'],
    ['RFC 3339 without a zone', () => '2024-01-01T00:00:00', 'invalid ts format'],
  ])('refuses a ts %s with 400 and stores nothing', async (_what, ts, error) => {
    const c = await createCheck(s, { name: 'late-refused' });
    expect(await ping(`/ping/${c.uuid}?ts=${encodeURIComponent(ts())}`)).toEqual({ status: 400, text: error });
    expect((await get(c.uuid)).n_pings).toBe(0);
  });

  it('accepts unix seconds and RFC 3339 on every ping route, stored at that time', async () => {
    const c = await createCheck(s, { name: 'late-routes', slug: 'late-routes', timeout: 86400, grace: 3600 });
    await s.api(`/api/v3/checks/${c.uuid}`, { method: 'POST', json: { push_token: 'late-push-token' } });
    const now = Date.now();
    const at = (m: number) => now - m * 60_000;
    const rfc = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
    expect((await ping(`/ping/${c.uuid}/start?ts=${secs(at(50))}`)).status).toBe(200);
    expect((await ping(`/${c.uuid}/log?ts=${encodeURIComponent(rfc(at(40)))}`)).status).toBe(200);
    expect((await ping(`/ping/${s.pingKey}/late-routes/0?ts=${secs(at(30))}`)).status).toBe(200);
    expect((await ping(`/api/push/late-push-token?status=up&msg=ok&ts=${secs(at(20))}`)).status).toBe(200);
    expect((await ping(`/ping/${c.uuid}/fail?ts=${encodeURIComponent(rfc(at(10)).replace('+00:00', 'Z'))}`)).status).toBe(200);
    const got = await pings(c.uuid);
    expect(got.map((p) => [p.type, Date.parse(p.date)])).toEqual([
      ['fail', at(10)],
      ['success', at(20)],
      ['success', at(30)],
      ['log', at(40)],
      ['start', at(50)],
    ]);
    for (const p of got) expect(Date.parse(p.received)).toBeGreaterThanOrEqual(now - 1000);
    const flips = (await (await s.api(`/api/v3/checks/${c.uuid}/flips/`)).json()) as { timestamp: string; new_status: string }[];
    expect(flips.map((f) => [f.new_status, f.timestamp])).toEqual([
      ['down', isoS(at(10))],
      ['up', isoS(at(30))],
    ]);
  });

  it('the log is ordered by event time; an older late ping never rolls the state back', async () => {
    const c = await createCheck(s, { name: 'late-order', timeout: 3600, grace: 60 });
    const now = Date.now();
    expect((await ping(`/ping/${c.uuid}`)).status).toBe(200);
    expect((await ping(`/ping/${c.uuid}/fail?ts=${secs(now - 1800_000)}`)).status).toBe(200);
    const got = await pings(c.uuid);
    expect(got.map((p) => [p.n, p.type])).toEqual([
      [1, 'success'],
      [2, 'fail'],
    ]);
    const check = await get(c.uuid);
    expect(check).toMatchObject({ status: 'up', n_pings: 2, down_reason: '' });
    expect(Date.parse(check.last_ping)).toBeGreaterThanOrEqual(Math.floor(now / 1000) * 1000);
  });

  it('durations and deadlines use the event time', async () => {
    const c = await createCheck(s, { name: 'late-duration', timeout: 3600, grace: 60 });
    const now = Date.now();
    const rid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const startAt = now - 600_000;
    const endAt = now - 480_000;
    expect((await ping(`/ping/${c.uuid}/start?rid=${rid}&ts=${secs(startAt)}`)).status).toBe(200);
    expect((await ping(`/ping/${c.uuid}?rid=${rid}&ts=${secs(endAt)}`)).status).toBe(200);
    const [end] = await pings(c.uuid);
    expect(end).toMatchObject({ type: 'success', duration: 120, rid });
    const check = await get(c.uuid);
    expect(check.last_duration).toBe(120);
    expect(check.next_ping).toBe(isoS(endAt + 3600_000));
    expect(check.alert_after).toBe(isoS(endAt + 3660_000));
  });

  it('a spooled success whose own period already ran out does not bring a down check up', async () => {
    const c = await createCheck(s, { name: 'late-overdue', timeout: 60, grace: 60 });
    const now = Date.now();
    expect((await ping(`/ping/${c.uuid}/fail?ts=${secs(now - 3600_000)}`)).status).toBe(200);
    expect((await ping(`/ping/${c.uuid}?ts=${secs(now - 1800_000)}`)).status).toBe(200);
    const check = await get(c.uuid);
    expect(check).toMatchObject({ status: 'down', n_pings: 2 });
    expect(Date.parse(check.last_ping)).toBe(Math.floor((now - 1800_000) / 1000) * 1000);
    const flips = (await (await s.api(`/api/v3/checks/${c.uuid}/flips/`)).json()) as { new_status: string }[];
    expect(flips.map((f) => f.new_status)).toEqual(['down']);
  });
});
