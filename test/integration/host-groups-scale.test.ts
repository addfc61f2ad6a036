/**
 * Host-quiet grouping at a few thousand checks, on a real migrated SQLite file: a claim reads
 * the hosts of the flips in hand (and the other checks of those hosts) only, never every check.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOST_QUERIES, HostGroups, HOST_WINDOW_KEY } from '../../electron/service/alerts/host-groups.js';
import type { PendingFlip } from '../../electron/service/alerts/store.js';
import { openDb, type Db } from '../../electron/service/db/open.js';
import { makeRepos, type Repos } from '../../electron/service/db/repos.js';
import { tempDir } from '../helpers/serve.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const HOSTS = 60;
const PER_HOST = 50; // 3,000 checks, plus 200 on the Lubdub machine itself

let dir: string;
let db: Db;
let repos: Repos;
beforeEach(() => {
  dir = tempDir('lubdub-hostgroups-');
  db = openDb(dir);
  repos = makeRepos(db);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Checks, each with three pings from its host; returns the check ids by host. */
function seed(): Map<string, number[]> {
  const byHost = new Map<string, number[]>();
  const check = db.prepare(`INSERT INTO checks (uuid, name, status, created) VALUES (?, ?, 'up', ?)`);
  const ping = db.prepare(`INSERT INTO pings (check_id, n, created, received, kind, remote_addr) VALUES (?, ?, ?, ?, 'success', ?)`);
  db.transaction(() => {
    const hosts = [...Array.from({ length: HOSTS }, (_, i) => `10.0.${i >> 8}.${(i & 255) + 1}`), ...Array(4).fill('127.0.0.1')];
    let k = 0;
    for (const addr of hosts) {
      for (let j = 0; j < PER_HOST; j++, k++) {
        const id = Number(check.run(`u-${k}`, `job-${k}`, T0).lastInsertRowid);
        for (let n = 1; n <= 3; n++) ping.run(id, n, T0 + n * 1000, T0 + n * 1000, addr);
        byHost.set(addr, [...(byHost.get(addr) ?? []), id]);
      }
    }
  })();
  return byHost;
}

const down = (id: number, checkId: number, at: number): PendingFlip => ({ id, checkId, at, oldStatus: 'up', newStatus: 'down', reason: 'timeout', gapId: null });

/** Rows each grouping query hands back to JavaScript, counted by wrapping the real statements. */
function countingRepos(): { repos: Repos; rows: () => number } {
  let rows = 0;
  const prepare = db.prepare.bind(db);
  const counted = new Proxy(db, {
    get(target, prop) {
      if (prop !== 'prepare') return Reflect.get(target, prop);
      return (sql: string) => {
        const stmt = prepare(sql);
        const all = stmt.all.bind(stmt);
        const get = stmt.get.bind(stmt);
        const pluck = stmt.pluck.bind(stmt);
        Object.assign(stmt, {
          all: (...a: unknown[]) => {
            const r = all(...a);
            rows += r.length;
            return r;
          },
          get: (...a: unknown[]) => {
            const r = get(...a);
            if (r !== undefined) rows++;
            return r;
          },
          pluck: (...a: [boolean?]) => (pluck(...a), stmt),
        });
        return stmt;
      };
    },
  });
  return { repos: { ...repos, db: counted }, rows: () => rows };
}

describe('host grouping at a few thousand checks', () => {
  it('neither query scans a table: one reads a check by id, the other the pings_addr index', () => {
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1) as { detail: string }[]).map((r) => r.detail);
    const newest = plan(HOST_QUERIES.newestAddr);
    const from = plan(HOST_QUERIES.checksFrom);
    expect(newest.filter((d) => d.startsWith('SCAN '))).toEqual([]);
    expect(newest.join('\n')).toMatch(/SEARCH c USING INTEGER PRIMARY KEY/);
    expect(newest.join('\n')).toMatch(/SEARCH p USING .*INDEX .*\(check_id=\?\)/);
    expect(from.filter((d) => d.startsWith('SCAN '))).toEqual([]);
    expect(from.join('\n')).toMatch(/SEARCH pings USING COVERING INDEX pings_addr \(remote_addr=\?\)/);
  });

  it('groups the flips of one host and reads only that host\'s checks', () => {
    const byHost = seed();
    const nas = byHost.get('10.0.0.1')!;
    // one of the host's checks moved to another host; one is paused: neither counts as its job
    db.prepare(`INSERT INTO pings (check_id, n, created, received, kind, remote_addr) VALUES (?, 4, ?, ?, 'success', '10.0.0.2')`).run(nas[0], T0 + 9000, T0 + 9000);
    db.prepare(`UPDATE checks SET status = 'paused' WHERE id = ?`).run(nas[1]);
    repos.settings.set(HOST_WINDOW_KEY, '120');
    const { repos: counted, rows } = countingRepos();
    const hosts = new HostGroups({ repos: counted, clock: { now: () => T0 }, resolve: async () => null, poke: () => {} });

    const at = T0 + 60_000;
    const flips = [down(1, nas[2], at), down(2, nas[3], at + 5_000), down(3, nas[4], at + 9_000)];
    // within the window, with 45 more jobs on the host: held
    const early = hosts.plan(flips, at + 10_000);
    expect([...early.held].sort()).toEqual([1, 2, 3]);
    expect(hosts.next()).toBe(at + 120_000);
    // the window has passed: one group of three
    const late = hosts.plan(flips, at + 120_000);
    expect(late.held.size).toBe(0);
    const group = late.groupOf.get(1)!;
    expect(group).toMatchObject({ addr: '10.0.0.1', kind: 'down' });
    expect(group.flips.map((f) => f.id)).toEqual([1, 2, 3]);

    // what it read: the host's checks (twice, once per claim) and their newest pings, not 3,200 checks
    expect(rows()).toBeGreaterThanOrEqual(PER_HOST);
    expect(rows()).toBeLessThanOrEqual(2 * 2 * PER_HOST);
  });

  it('a host whose every job is in the window is grouped at once; the Lubdub machine never', () => {
    const byHost = seed();
    const pair = db.prepare(`INSERT INTO checks (uuid, name, status, created) VALUES (?, ?, 'up', ?)`);
    const ping = db.prepare(`INSERT INTO pings (check_id, n, created, received, kind, remote_addr) VALUES (?, 1, ?, ?, 'success', '192.168.1.20')`);
    const [a, b] = ['a', 'b'].map((n) => Number(pair.run(`pair-${n}`, n, T0).lastInsertRowid));
    for (const id of [a, b]) ping.run(id, T0, T0);
    repos.settings.set(HOST_WINDOW_KEY, '120');
    const hosts = new HostGroups({ repos, clock: { now: () => T0 }, resolve: async () => null, poke: () => {} });
    const own = byHost.get('127.0.0.1')!;
    const p = hosts.plan([down(1, a, T0), down(2, b, T0 + 1000), down(3, own[0], T0), down(4, own[1], T0)], T0 + 2000);
    expect(p.held.size).toBe(0);
    expect(p.groupOf.get(1)?.flips.map((f) => f.id)).toEqual([1, 2]);
    expect(p.groupOf.has(3) || p.groupOf.has(4)).toBe(false);
  });
});
