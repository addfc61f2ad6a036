import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/domain/clock.js';
import { GroupCommit } from '../../electron/service/db/group-commit.js';
import { openDb, type Db } from '../../electron/service/db/open.js';
import { createLog } from '../../electron/service/log.js';
import { buildCore, pingTo } from '../helpers/core.js';
import { tempDir } from '../helpers/serve.js';

let db: Db;
let dir: string;

beforeEach(() => {
  dir = tempDir();
  db = openDb(dir);
  db.exec('CREATE TABLE t (v INTEGER)');
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** This process's descriptors open on the database's WAL file (SQLite's own is one of them). */
const walDescriptors = () =>
  fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === `${db.name}-wal`;
    } catch {
      return false;
    }
  }).length;

const nextTurn = () => new Promise((r) => setImmediate(r));

/**
 * Keeps every thread of libuv's pool busy for a while, so a flush handed to it stays in
 * progress across several event-loop turns (the test needs "during a flush" to last).
 */
function occupyThreadPool(): Promise<unknown> {
  const size = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  return Promise.all(Array.from({ length: size }, () => new Promise((r) => crypto.pbkdf2('x', 'y', 200_000, 32, 'sha256', r))));
}

describe('group commit', () => {
  it('calls afterFlush once the flush in progress has ended and its transactions are durable, at once when none runs', async () => {
    const commits = new GroupCommit(db, createLog('silent'));
    const order: string[] = [];
    commits.afterFlush(() => order.push('idle at once'));
    expect(order).toEqual(['idle at once']);
    const durable = new Promise<Error | null>((r) => commits.commit(() => db.prepare('INSERT INTO t VALUES (1)').run(), (err) => (order.push('durable'), r(err))));
    expect(commits.busy).toBe(true);
    commits.afterFlush(() => order.push('after the flush'));
    expect(await durable).toBeNull();
    expect(order).toEqual(['idle at once', 'durable', 'after the flush']);
    expect(commits.busy).toBe(false);
  });

  it('holds the WAL open only while flushes follow each other', async () => {
    const commits = new GroupCommit(db, createLog('silent'));
    const sqliteOwn = walDescriptors();
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const round = (v: number) => new Promise<void>((r) => commits.commit(() => insert.run(v), () => r()));
    // back to back: each flush's end finds the next transaction already committed
    await Promise.all([round(1), nextTurn().then(() => round(2)), nextTurn().then(() => round(3))]);
    // closing is handed to the thread pool too: give it a few turns
    for (let i = 0; i < 100 && walDescriptors() > sqliteOwn; i++) await new Promise((r) => setTimeout(r, 1));
    expect(walDescriptors()).toBe(sqliteOwn);
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(3);
  });
});

describe('the ingest queue during a flush', () => {
  it('commits the pings of several event-loop turns that arrive during one flush as one transaction', async () => {
    const clock = new ManualClock(Date.parse('2024-06-01T12:00:00Z'));
    const core = buildCore(db, clock);
    const { check } = core.checks.create({ name: 'busy' });
    const busy = occupyThreadPool();
    const first = core.ingest.submit(pingTo(clock, check.uuid));
    await nextTurn(); // the first ping's batch commits; its flush waits for a free thread
    const later: Promise<unknown>[] = [];
    for (let turn = 0; turn < 5; turn++) {
      later.push(core.ingest.submit(pingTo(clock, check.uuid)), core.ingest.submit(pingTo(clock, check.uuid)));
      await nextTurn();
    }
    expect(core.ingest.stats).toEqual({ batches: 1, pings: 1 });
    const answers = await Promise.all([first, ...later]);
    await busy;
    expect(answers.every((a) => (a as { status: number }).status === 200)).toBe(true);
    expect(core.ingest.stats).toEqual({ batches: 2, pings: 11 });
    expect(core.repos.checks.byUuid(check.uuid)!.nPings).toBe(11);
    expect(core.repos.pings.count(check.id)).toBe(11);
  });
});
