import fs from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDb } from '../../electron/service/db/open.js';
import { harness, type Harness } from '../helpers/in-process.js';
import { waitFor } from '../helpers/serve.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  if (h) fs.rmSync(h.dataDir, { recursive: true, force: true });
  h = null;
});

/**
 * While the kept rows count as current (the next batch would use them), each equals what
 * SQLite holds for that check. Returns how many were compared.
 */
function expectCacheMatchesDb(s: Harness): number {
  if (!s.svc.ingest.rowCache.current()) return 0;
  let n = 0;
  for (const [id, row] of s.svc.ingest.rowCache.entries()) {
    expect(s.svc.repos.checks.byId(id), `cached check ${id}`).toEqual(row);
    n++;
  }
  return n;
}

async function create(s: Harness, body: Record<string, unknown> = {}): Promise<string> {
  const r = await s.api('POST', '/api/v3/checks/', { name: 'c', timeout: 60, grace: 60, ...body });
  expect(r.status).toBe(201);
  return r.json.uuid as string;
}

describe('the check rows the ping path keeps between batches', () => {
  it('serves the next batch from memory: a check pinged again is not read again', async () => {
    h = await harness();
    const a = await create(h);
    expect(await h.ping(a)).toBe(200);
    // the first ping flips new → up, and the outbox then marks that flip handled: a write
    // of its own, after which the ping path reads the row once more
    const db = h.svc.repos.db;
    await waitFor(() => db.prepare('SELECT COUNT(*) FROM flips WHERE processed IS NULL').pluck().get() === 0);
    expect(await h.ping(a)).toBe(200);
    const read = vi.spyOn(h.svc.repos.checks, 'byUuid');
    expect(await h.ping(a)).toBe(200);
    expect(await h.ping(a, '/log')).toBe(200);
    expect(await h.ping(a, '/fail')).toBe(200);
    expect(read).not.toHaveBeenCalled();
    const row = h.svc.repos.checks.byUuid(a)!;
    expect([row.nPings, row.status]).toEqual([5, 'down']);
    expect(expectCacheMatchesDb(h)).toBe(1);
  });

  it('an API edit between pings is seen by the next ping (the deadline uses the new timeout)', async () => {
    h = await harness();
    const a = await create(h, { timeout: 60, grace: 60 });
    await h.ping(a);
    expect((await h.api('POST', `/api/v3/checks/${a}`, { timeout: 3600 })).status).toBe(200);
    expect(h.svc.ingest.rowCache.current()).toBe(false);
    await h.ping(a);
    const row = h.svc.repos.checks.byUuid(a)!;
    expect(row.timeout).toBe(3600);
    expect(row.alertAfter).toBe(h.clock.now() + 3660_000);
    expect(h.svc.ingest.rowCache.invalidations).toBeGreaterThan(0);
    expectCacheMatchesDb(h);
  });

  it('a write by another connection (another process) is seen by the next ping', async () => {
    h = await harness();
    const a = await create(h);
    await h.ping(a);
    const other = openDb(h.dataDir);
    try {
      other.prepare('UPDATE checks SET n_pings = n_pings + 100 WHERE uuid = ?').run(a);
    } finally {
      other.close();
    }
    expect(h.svc.ingest.rowCache.current()).toBe(false);
    await h.ping(a);
    expect(h.svc.repos.checks.byUuid(a)!.nPings).toBe(102);
    expect(expectCacheMatchesDb(h)).toBe(1);
  });

  it('a batch that fails to commit leaves nothing of itself in memory', async () => {
    h = await harness();
    const a = await create(h);
    await h.ping(a);
    h.svc.repos.db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON pings WHEN NEW.body = X'dead' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`);
    const codes = await Promise.all([h.ping(a), h.ping(a, '', { body: '\u00de\u00ad' }), h.ping(a)]);
    expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(2);
    await h.ping(a);
    expectCacheMatchesDb(h);
    expect(h.svc.repos.checks.byUuid(a)!.nPings).toBe(h.svc.repos.pings.count(h.svc.repos.checks.byUuid(a)!.id));
  });

  it('random interleavings of pings, API writes, mutes, deadlines and foreign writes never leave a kept row that differs from SQLite', async () => {
    type Cmd =
      | { op: 'create'; timeout: number }
      | { op: 'ping'; who: number[]; suffix: '' | '/start' | '/fail' | '/0' | '/3' | '/log' }
      | { op: 'update'; who: number; timeout: number; grace: number; tags: string }
      | { op: 'pause' | 'resume' | 'delete' | 'mute' | 'foreign'; who: number }
      | { op: 'time'; ms: number };
    const who = fc.nat({ max: 9 });
    const cmd: fc.Arbitrary<Cmd> = fc.oneof(
      fc.record({ op: fc.constant('create' as const), timeout: fc.integer({ min: 60, max: 600 }) }),
      fc.record({
        op: fc.constant('ping' as const),
        who: fc.array(who, { minLength: 1, maxLength: 5 }),
        suffix: fc.constantFrom('' as const, '/start' as const, '/fail' as const, '/0' as const, '/3' as const, '/log' as const),
      }),
      fc.record({
        op: fc.constant('update' as const),
        who,
        timeout: fc.integer({ min: 60, max: 600 }),
        grace: fc.integer({ min: 60, max: 600 }),
        tags: fc.constantFrom('', 'a', 'a b'),
      }),
      fc.record({ op: fc.constantFrom('pause' as const, 'resume' as const, 'delete' as const, 'mute' as const, 'foreign' as const), who }),
      fc.record({ op: fc.constant('time' as const), ms: fc.integer({ min: 1_000, max: 1_500_000 }) }),
    );
    // rows compared while current, over all runs: the property must not hold only because nothing was kept
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 5, maxLength: 40 }), async (cmds) => {
        const s = await harness();
        h = s;
        try {
          const uuids: string[] = [await create(s), await create(s, { timeout: 120 })];
          const pick = (i: number) => uuids[i % uuids.length];
          for (const c of cmds) {
            switch (c.op) {
              case 'create':
                uuids.push(await create(s, { timeout: c.timeout }));
                break;
              case 'ping':
                // pings sent together share a batch
                await Promise.all(c.who.map((i) => s.ping(pick(i), c.suffix)));
                break;
              case 'update':
                await s.api('POST', `/api/v3/checks/${pick(c.who)}`, { timeout: c.timeout, grace: c.grace, tags: c.tags });
                break;
              case 'pause':
              case 'resume':
                await s.api('POST', `/api/v3/checks/${pick(c.who)}/${c.op}`);
                break;
              case 'delete':
                await s.api('DELETE', `/api/v3/checks/${pick(c.who)}`);
                break;
              case 'mute':
                await s.api('POST', `/api/lubdub/checks/${pick(c.who)}/mute`, { seconds: 600 });
                break;
              case 'foreign': {
                const other = openDb(s.dataDir);
                try {
                  other.prepare("UPDATE checks SET n_pings = n_pings + 7, status = 'up' WHERE uuid = ?").run(pick(c.who));
                } finally {
                  other.close();
                }
                break;
              }
              case 'time':
                s.timers.advance(c.ms);
                break;
            }
            compared += expectCacheMatchesDb(s);
          }
        } finally {
          await s.stop();
          fs.rmSync(s.dataDir, { recursive: true, force: true });
          h = null;
        }
      }),
      { numRuns: 25 },
    );
    expect(compared).toBeGreaterThan(50);
  }, 120_000);
});
