import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/domain/clock.js';
import { openDb, type Db } from '../../electron/service/db/open.js';
import type { IngestRequest } from '../../electron/service/core/pipeline.js';
import { buildCore, pingTo } from '../helpers/core.js';
import { tempDir } from '../helpers/serve.js';

let db: Db;
let core: ReturnType<typeof buildCore>;
let clock: ManualClock;
let dir: string;

beforeEach(() => {
  dir = tempDir();
  db = openDb(dir);
  clock = new ManualClock(Date.parse('2024-06-01T12:00:00Z'));
  core = buildCore(db, clock);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const req = (uuid: string, over: Partial<IngestRequest> = {}) => pingTo(clock, uuid, over);

describe('the ingest queue', () => {
  it('keeps the last 1,000 pings per check and prunes as it goes', async () => {
    const { check } = core.checks.create({ name: 'busy' });
    const other = core.checks.create({ name: 'quiet' }).check;
    await core.ingest.submit(req(other.uuid));
    await Promise.all(Array.from({ length: 1005 }, () => core.ingest.submit(req(check.uuid))));
    const repos = core.repos;
    expect(repos.pings.count(check.id)).toBe(1000);
    expect(repos.checks.byUuid(check.uuid)!.nPings).toBe(1005);
    const ns = (db.prepare('SELECT MIN(n) AS lo, MAX(n) AS hi FROM pings WHERE check_id = ?').get(check.id) as { lo: number; hi: number });
    expect(ns).toEqual({ lo: 6, hi: 1005 });
    expect(repos.pings.count(other.id)).toBe(1);
  });

  it('a storage failure answers 503 for that ping only; its batch neighbours are committed', async () => {
    const { check } = core.checks.create({ name: 'faulty' });
    // Fault injection: the database refuses exactly one row, as a full disk or I/O error would.
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON pings WHEN NEW.body = X'dead' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`);
    const results = await Promise.all([
      core.ingest.submit(req(check.uuid)),
      core.ingest.submit(req(check.uuid, { body: Buffer.from([0xde, 0xad]), bodySize: 2 })),
      core.ingest.submit(req(check.uuid)),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 503, 200]);
    expect(core.repos.pings.count(check.id)).toBe(2);
    expect(core.repos.checks.byUuid(check.uuid)!.nPings).toBe(2);
  });

  it('answers only after the commit: a ping acknowledged is readable by another connection', async () => {
    const { check } = core.checks.create({ name: 'durable' });
    const r = await core.ingest.submit(req(check.uuid, { body: Buffer.from('x'), bodySize: 1 }));
    expect(r.status).toBe(200);
    const other = openDb(dir);
    try {
      expect((other.prepare('SELECT COUNT(*) AS n FROM pings').get() as { n: number }).n).toBe(1);
    } finally {
      other.close();
    }
  });

  it('orders the ping log by event time for late pings sent with ts', async () => {
    const { check } = core.checks.create({ name: 'late', timeout: 3600 });
    await core.ingest.submit(req(check.uuid));
    clock.advance(60_000);
    await core.ingest.submit(req(check.uuid, { at: clock.now() - 30 * 60_000, action: 'fail', explicit: true }));
    const log = core.repos.pings.list(check.id, 10);
    expect(log.map((p) => p.kind)).toEqual(['success', 'fail']);
    // the late fail is older than the newest success: logged, state not rolled back
    expect(core.repos.checks.byUuid(check.uuid)!.status).toBe('up');
  });

  it('keeps a pre-migration backup and refuses a newer schema', () => {
    db.close();
    const file = path.join(dir, 'lubdub.db');
    const raw = openDb(dir);
    raw.pragma('user_version = 999');
    raw.close();
    expect(() => openDb(dir)).toThrow(/newer than this Lubdub/);
    expect(fs.existsSync(file)).toBe(true);
    // a database for afterEach to close, inside the temp dir it removes
    const fresh = path.join(dir, 'fresh');
    fs.mkdirSync(fresh);
    db = openDb(fresh);
  });
});
