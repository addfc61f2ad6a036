/**
 * The console's overview a window at a time, against the real service in-process on a fake
 * clock: the overview's order and filters decided by the service, the counts of every check,
 * windows that never overlap or skip, and bad parameters refused without changing anything.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, KEY, type Harness } from '../helpers/in-process.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const SEC = 1000;

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  if (h) fs.rmSync(h.dataDir, { recursive: true, force: true });
  h = null;
});

async function create(body: Record<string, unknown>): Promise<string> {
  const r = await h!.api('POST', '/api/v3/checks/', body);
  expect(r.status).toBe(201);
  return r.json.uuid as string;
}

const names = (j: { rows: { name: string }[] }) => j.rows.map((r) => r.name);

describe('GET /api/lubdub/overview', () => {
  it('orders problems first then by name, filters by status, tag and search, counts every check, and pages without gaps', async () => {
    h = await harness({ start: T0, core: { aliveEveryMs: 0 } });
    const down = await create({ name: 'zeta backup', tags: 'nas', timeout: 3600, grace: 60 });
    expect(await h.ping(down, '/3')).toBe(200);
    const late = await create({ name: 'mid report', tags: 'office', timeout: 60, grace: 3600 });
    expect(await h.ping(late)).toBe(200);
    const paused = await create({ name: 'Alpha paused', timeout: 60, grace: 60 });
    expect((await h.api('POST', `/api/v3/checks/${paused}/pause`)).status).toBe(200);
    // 25 fine checks, created out of order: the service sorts them by name
    for (const i of [...Array(25).keys()].reverse()) {
      const u = await create({ name: `job ${String(i).padStart(2, '0')}`, tags: i % 2 ? 'pi odd' : 'pi', timeout: 7200, grace: 60 });
      expect(await h.ping(u)).toBe(200);
    }
    // past the late check's period, within its grace: late by the clock alone
    h.timers.advance(120 * SEC);

    const all = await h.api('GET', '/api/lubdub/overview?offset=0&limit=500');
    expect(all.status).toBe(200);
    expect(all.json.total).toBe(28);
    expect(all.json.offset).toBe(0);
    expect(names(all.json)).toEqual(['zeta backup', 'mid report', ...Array.from({ length: 25 }, (_, i) => `job ${String(i).padStart(2, '0')}`), 'Alpha paused']);
    expect(all.json.rows.map((r: { status: string }) => r.status).slice(0, 3)).toEqual(['down', 'grace', 'up']);
    expect(all.json.rows[0].down_reason).toBe('exit status 3');
    expect(all.json.summary).toMatchObject({ total: 28, counts: { down: 1, grace: 1, up: 25, paused: 1, new: 0, started: 0 }, worst: 'down', muted_until: null });
    expect(all.json.tags).toEqual(['nas', 'odd', 'office', 'pi']);
    // compact rows: only what a row shows
    expect(Object.keys(all.json.rows[0]).sort()).toEqual(
      ['alert_after', 'down_reason', 'kind', 'last_ping', 'monitor_offline', 'name', 'next_ping', 'status', 'tags', 'timeout', 'uuid'].sort(),
    );

    // windows of 10 put together are the whole list, once each
    const pieces: string[] = [];
    for (let offset = 0; offset < 28; offset += 10) {
      const w = await h.api('GET', `/api/lubdub/overview?offset=${offset}&limit=10`);
      expect([offset, w.json.offset, w.json.total]).toEqual([offset, offset, 28]);
      expect(w.json.rows.length).toBe(Math.min(10, 28 - offset));
      pieces.push(...names(w.json));
    }
    expect(pieces).toEqual(names(all.json));
    // past the end: no rows, the same total
    const past = await h.api('GET', '/api/lubdub/overview?offset=1000&limit=10');
    expect([past.json.rows, past.json.total]).toEqual([[], 28]);
    // a limit above 500 is capped, not refused
    expect((await h.api('GET', '/api/lubdub/overview?limit=999')).json.rows).toHaveLength(28);

    // filters: the total counts the matches, the summary still counts every check
    const attention = await h.api('GET', '/api/lubdub/overview?status=attention');
    expect([names(attention.json), attention.json.total, attention.json.summary.total]).toEqual([['zeta backup', 'mid report'], 2, 28]);
    const fine = await h.api('GET', '/api/lubdub/overview?status=fine&limit=3');
    expect([names(fine.json), fine.json.total]).toEqual([['job 00', 'job 01', 'job 02'], 26]);
    expect(names((await h.api('GET', '/api/lubdub/overview?status=paused')).json)).toEqual(['Alpha paused']);
    const odd = await h.api('GET', '/api/lubdub/overview?tag=odd&limit=2');
    expect([names(odd.json), odd.json.total]).toEqual([['job 01', 'job 03'], 12]);
    expect(names((await h.api('GET', '/api/lubdub/overview?search=REPORT')).json)).toEqual(['mid report']);
    expect(names((await h.api('GET', '/api/lubdub/overview?search=office')).json)).toEqual(['mid report']); // tags match too
    expect((await h.api('GET', '/api/lubdub/overview?status=down&tag=pi')).json.total).toBe(0);

    // the clock alone moves the late check to down (with the service's reason)
    h.timers.advance(3600 * SEC);
    const later = await h.api('GET', '/api/lubdub/overview?status=down');
    expect(names(later.json)).toEqual(['mid report', 'zeta backup']);
    // a change is in the next window at once: a renamed check moves, a deleted one is gone
    expect((await h.api('POST', `/api/v3/checks/${late}`, { name: 'a report' })).status).toBe(200);
    expect(names((await h.api('GET', '/api/lubdub/overview?limit=3')).json)).toEqual(['a report', 'zeta backup', 'job 00']);
    expect((await h.api('DELETE', `/api/v3/checks/${down}`)).status).toBe(200);
    const after = await h.api('GET', '/api/lubdub/overview?limit=2');
    expect([names(after.json), after.json.total, after.json.summary.counts.down]).toEqual([['a report', 'job 00'], 27, 1]);
  });

  it('shows every change of a check in the next window: pings, pause and resume, edits, creates, deletes and clock flips', async () => {
    h = await harness({ start: T0 });
    const shown = async () => {
      const w = (await h!.api('GET', '/api/lubdub/overview?limit=500')).json;
      return { rows: Object.fromEntries(w.rows.map((r: { name: string; status: string }) => [r.name, r.status])), total: w.total, tags: w.tags };
    };
    const a = await create({ name: 'a', timeout: 60, grace: 60 });
    const b = await create({ name: 'b', timeout: 3600, grace: 60, tags: 'pi' });
    expect(await shown()).toEqual({ rows: { a: 'new', b: 'new' }, total: 2, tags: ['pi'] });
    expect(await h.ping(a)).toBe(200);
    expect((await shown()).rows).toEqual({ a: 'up', b: 'new' });
    expect(await h.ping(b, '/start')).toBe(200);
    expect((await shown()).rows).toEqual({ a: 'up', b: 'started' });
    expect(await h.ping(a, '/fail')).toBe(200);
    expect((await shown()).rows).toEqual({ a: 'down', b: 'started' });
    expect((await h.api('POST', `/api/v3/checks/${b}/pause`)).status).toBe(200);
    expect((await shown()).rows).toEqual({ a: 'down', b: 'paused' });
    expect((await h.api('POST', `/api/v3/checks/${b}/resume`)).status).toBe(200);
    expect((await shown()).rows).toEqual({ a: 'down', b: 'new' });
    expect((await h.api('POST', `/api/v3/checks/${a}`, { tags: 'nas', name: 'a2' })).status).toBe(200);
    expect(await shown()).toEqual({ rows: { a2: 'down', b: 'new' }, total: 2, tags: ['nas', 'pi'] });
    const c = await create({ name: 'c', timeout: 60, grace: 60 });
    expect(await h.ping(c)).toBe(200);
    expect(await shown()).toEqual({ rows: { a2: 'down', b: 'new', c: 'up' }, total: 3, tags: ['nas', 'pi'] });
    // late by the clock alone, then down by the scheduler's deadline flip
    h.timers.advance(61 * SEC);
    expect((await shown()).rows).toEqual({ a2: 'down', b: 'new', c: 'grace' });
    h.timers.advance(60 * SEC);
    expect((await shown()).rows).toEqual({ a2: 'down', b: 'new', c: 'down' });
    const flips = (await h.api('GET', `/api/v3/checks/${c}/flips/`)).json;
    expect(flips.map((f: { up: number }) => f.up)).toEqual([0, 1]); // newest first: the down flip of the deadline
    // back up with a ping after the flip, then gone
    expect(await h.ping(c)).toBe(200);
    expect((await shown()).rows).toEqual({ a2: 'down', b: 'new', c: 'up' });
    expect((await h.api('DELETE', `/api/v3/checks/${a}`)).status).toBe(200);
    expect(await shown()).toEqual({ rows: { b: 'new', c: 'up' }, total: 2, tags: ['pi'] });
  });

  it('refuses bad parameters with 400 and a request without credentials with 401, before reading anything', async () => {
    h = await harness({ start: T0, core: { aliveEveryMs: 0 } });
    await create({ name: 'one', timeout: 60, grace: 60 });
    for (const q of ['offset=-1', 'offset=abc', 'limit=1e3', 'limit=5000', 'status=broken', 'offset=1&offset=2', `search=${'x'.repeat(201)}`]) {
      const r = await h.api('GET', `/api/lubdub/overview?${q}`);
      expect([q, r.status]).toEqual([q, 400]);
      expect(r.json.error).toMatch(/invalid/);
    }
    const host = new URL(h.svc.uiUrl).host;
    const anon = await h.svc.api.inject({ method: 'GET', url: '/api/lubdub/overview?status=broken', headers: { host } });
    expect(anon.statusCode).toBe(401);
    const wrongKey = await h.svc.api.inject({ method: 'GET', url: '/api/lubdub/overview', headers: { host, 'x-api-key': KEY + 'x' } });
    expect(wrongKey.statusCode).toBe(401);
    // nothing changed
    const list = await h.api('GET', '/api/v3/checks/');
    expect(list.json.checks.map((c: { name: string }) => c.name)).toEqual(['one']);
  });
});
