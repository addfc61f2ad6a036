/**
 * Crash-safety harness (SPEC §9: `kill -9` under load loses no acknowledged ping).
 *
 * Each cycle: a driver sends pings with unique `rid`s to the real `npm run serve` process
 * while this process `kill -9`s it at a random moment; the service is restarted on the same
 * data dir and the store is checked:
 *   1. every rid answered 200 is stored exactly once, no rid is stored twice;
 *   2. `PRAGMA integrity_check` is ok;
 *   3. each check's row equals a replay of its stored pings through the pure state machine
 *      (shared/domain/check-state.ts `applyPing`), and its flips are exactly the replay's;
 *   4. no flip was delivered twice (`verifyFlipDeliveries`, see there).
 * Used by test/crash/crash.test.ts (short, in `npm test`) and test/crash/long.ts (`npm run test:crash`).
 */
import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { applyPing, type PingEvent } from '../../shared/domain/check-state.js';
import type { CheckState, FlipEvent, PingKind } from '../../shared/domain/types.js';
import { makeRepos, type CheckRow } from '../../electron/service/db/repos.js';
import { createCheck, serve, tempDir, type Served } from '../helpers/serve.js';

/** Options of a crash run. */
export interface CrashOptions {
  cycles: number;
  /** concurrent ping senders */
  senders?: number;
  /** kill after a random delay in [minKillMs, maxKillMs] of load */
  minKillMs?: number;
  maxKillMs?: number;
  /** seed of the random kill moments and ping mix (printed, to replay a failing run) */
  seed?: number;
  log?: (line: string) => void;
}

/** What a crash run found. */
export interface CrashReport {
  seed: number;
  cycles: number;
  /** pings answered 200 / 201 */
  acked: number;
  /** pings sent whose outcome the client never learnt (connection cut by the kill) */
  unknown: number;
  /** pings answered neither 200 nor cut (must be 0) */
  refused: number;
  storedPings: number;
  checks: number;
  flipsChecked: number;
  /** result of the delivery check (see verifyFlipDeliveries) */
  deliveries: string;
  failures: string[];
}

/** Deterministic PRNG (mulberry32), so a failing run can be repeated with its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The URL suffixes the driver mixes: success, start, fail, log and exit statuses. */
const SUFFIXES = ['', '', '', '/start', '/fail', '/log', '/0', '/3'];
/** A check is retired before the ping log retention (1,000) could prune it, so its whole history replays. */
const RETIRE_AFTER = 500;
/** Pings a check may receive at most (below the 1,000 kept), even within the cycle that retires it. */
const PING_LOG_ROOM = 990;

interface Sent {
  check: string;
  outcome: 'acked' | 'unknown' | 'refused';
  status: number;
}

/** One GET on a keep-alive agent; resolves with the status, or 0 when the connection died. */
function ping(agent: http.Agent, base: string, p: string): Promise<number> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const req = http.get({ host: u.hostname, port: u.port, path: p, agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Rows of the store, read with a separate read-only connection while the service is idle. */
function openRead(dataDir: string): Database.Database {
  return new Database(path.join(dataDir, 'lubdub.db'), { readonly: true, fileMustExist: true });
}

/** 1. Acknowledged pings are stored exactly once; nothing is stored twice. */
export function verifyAcked(db: Database.Database, sent: Map<string, Sent>): string[] {
  const failures: string[] = [];
  const counts = new Map<string, number>();
  for (const r of db.prepare('SELECT rid, COUNT(*) AS c FROM pings WHERE rid IS NOT NULL GROUP BY rid').all() as { rid: string; c: number }[]) {
    counts.set(r.rid, r.c);
  }
  for (const [rid, s] of sent) {
    const c = counts.get(rid) ?? 0;
    if (s.outcome === 'acked' && c !== 1) failures.push(`rid ${rid} was answered ${s.status} but is stored ${c} times`);
    if (s.outcome !== 'acked' && c > 1) failures.push(`rid ${rid} is stored ${c} times`);
  }
  for (const [rid, c] of counts) if (!sent.has(rid)) failures.push(`rid ${rid} (${c}×) was never sent`);
  return failures;
}

/** 2. SQLite's own consistency check of every page and index. */
export function verifyIntegrity(db: Database.Database): string[] {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  const text = rows.map((r) => r.integrity_check).join('; ');
  return text === 'ok' ? [] : [`integrity_check: ${text}`];
}

interface StoredPing {
  n: number;
  created: number;
  kind: PingKind;
  rid: string | null;
  duration: number | null;
}

/** The state of a check before its first ping: its configuration, status new. */
function initialState(c: CheckRow): CheckState {
  return {
    kind: c.kind,
    timeout: c.timeout,
    grace: c.grace,
    schedule: c.schedule,
    tz: c.tz,
    manualResume: c.manualResume,
    methods: c.methods,
    filterHttpBody: c.filterHttpBody,
    successKw: c.successKw,
    failureKw: c.failureKw,
    startKw: c.startKw,
    filterDefaultFail: c.filterDefaultFail,
    status: 'new',
    lastPing: null,
    lastStart: null,
    lastStartRid: null,
    lastDuration: null,
    nPings: 0,
  };
}

/** Replays stored pings through `applyPing` the way the monitor applied them. */
export function replay(c: CheckRow, pings: StoredPing[]): { state: CheckState; flips: FlipEvent[]; durations: (number | null)[] } {
  let state = initialState(c);
  const flips: FlipEvent[] = [];
  const durations: (number | null)[] = [];
  const starts: StoredPing[] = [];
  for (const p of pings) {
    const ev: PingEvent = { kind: p.kind, at: p.created, rid: p.rid };
    if ((p.kind === 'success' || p.kind === 'fail') && p.rid !== null && state.lastStartRid !== p.rid) {
      // the monitor asks the ping log for the latest start with this rid at or before the event
      const s = starts.filter((x) => x.rid === p.rid && x.created <= p.created).sort((a, b) => b.created - a.created)[0];
      ev.runStart = s ? s.created : null;
    }
    const out = applyPing(state, ev);
    state = out.next;
    durations.push(out.duration);
    if (out.flip) flips.push(out.flip);
    if (p.kind === 'start') starts.push(p);
  }
  return { state, flips, durations };
}

/** 3. Each check equals the replay of its pings; its flips are the replay's flips, each once. */
export function verifyReplay(db: Database.Database): { failures: string[]; checks: number; flips: number } {
  const repos = makeRepos(db);
  const failures: string[] = [];
  let flipCount = 0;
  const pingStmt = db.prepare('SELECT n, created, kind, rid, duration FROM pings WHERE check_id = ? ORDER BY n');
  const flipStmt = db.prepare('SELECT created, old_status, new_status, reason FROM flips WHERE check_id = ? ORDER BY id');
  const checks = repos.checks.all();
  for (const c of checks) {
    const pings = pingStmt.all(c.id) as StoredPing[];
    if (pings.length !== c.nPings || (pings.length && pings[pings.length - 1].n !== c.nPings)) {
      failures.push(`check ${c.uuid}: n_pings ${c.nPings} but ${pings.length} pings stored (numbers 1..${pings.at(-1)?.n ?? 0})`);
      continue;
    }
    const { state, flips, durations } = replay(c, pings);
    const fields = ['status', 'lastPing', 'lastStart', 'lastStartRid', 'lastDuration', 'nPings'] as const;
    for (const f of fields) {
      if (state[f] !== c[f]) failures.push(`check ${c.uuid}: ${f} is ${c[f]} but the replay gives ${state[f]}`);
    }
    pings.forEach((p, i) => {
      if (p.duration !== durations[i]) failures.push(`check ${c.uuid} ping #${p.n}: duration ${p.duration}, replay ${durations[i]}`);
    });
    const stored = (flipStmt.all(c.id) as { created: number; old_status: string; new_status: string; reason: string }[]).map(
      (f) => `${f.created} ${f.old_status}->${f.new_status} ${f.reason}`,
    );
    const expected = flips.map((f) => `${f.at} ${f.oldStatus}->${f.newStatus} ${f.reason}`);
    if (stored.join('|') !== expected.join('|')) {
      failures.push(`check ${c.uuid}: flips ${JSON.stringify(stored)} but the replay gives ${JSON.stringify(expected)}`);
    }
    flipCount += stored.length;
  }
  return { failures, checks: checks.length, flips: flipCount };
}

/**
 * 4. No flip delivered twice (SPEC §8: the outbox delivers each flip exactly once, also
 * across a crash). NOT CHECKED YET: this branch has no alert outbox, so there is no
 * delivery record to read. Once the outbox lands, this function should read its delivery
 * log (one row per flip and channel) and fail on any (flip, channel) delivered more than
 * once, and on a flip older than the catch-up window that was never delivered. Until then
 * it reports "not checked" and the harness says so; it never passes silently.
 */
export function verifyFlipDeliveries(db: Database.Database): { checked: boolean; note: string; failures: string[] } {
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  const outbox = [...tables].filter((t) => /deliver/i.test(t));
  return {
    checked: false,
    note: outbox.length
      ? `not checked: delivery table(s) ${outbox.join(', ')} exist, add the check in verifyFlipDeliveries`
      : 'not checked: no alert outbox on this branch yet',
    failures: [],
  };
}

/** Runs `cycles` kill -9 / restart cycles under load and checks the store after each. */
export async function runCrashCycles(opts: CrashOptions): Promise<CrashReport> {
  const seed = opts.seed ?? (Date.now() & 0x7fffffff);
  const rand = prng(seed);
  const log = opts.log ?? (() => {});
  const senders = opts.senders ?? 12;
  const minKill = opts.minKillMs ?? 50;
  const maxKill = opts.maxKillMs ?? 700;
  const dataDir = tempDir('lubdub-crash-');
  const sent = new Map<string, Sent>();
  const attempts = new Map<string, number>();
  let active: string[] = [];
  const report: CrashReport = {
    seed,
    cycles: 0,
    acked: 0,
    unknown: 0,
    refused: 0,
    storedPings: 0,
    checks: 0,
    flipsChecked: 0,
    deliveries: '',
    failures: [],
  };
  log(`crash test: seed ${seed}, data dir ${dataDir}`);

  let svc: Served = await serve({ dataDir, timeoutMs: 60_000 });
  try {
    for (let cycle = 1; cycle <= opts.cycles; cycle++) {
      // Keep a few checks whose history still fits the ping log; retire the full ones.
      active = active.filter((u) => (attempts.get(u) ?? 0) < RETIRE_AFTER);
      while (active.length < 6) {
        const c = await createCheck(svc, { name: `crash ${cycle}-${active.length}`, timeout: 86400, grace: 3600 });
        active.push(c.uuid as string);
        attempts.set(c.uuid as string, 0);
      }

      const agent = new http.Agent({ keepAlive: true, maxSockets: senders });
      let stop = false;
      const sender = async () => {
        while (!stop) {
          const open = active.filter((u) => attempts.get(u)! < PING_LOG_ROOM);
          if (open.length === 0) return; // every check is full until the next cycle retires them
          const check = open[Math.floor(rand() * open.length)];
          attempts.set(check, attempts.get(check)! + 1);
          const rid = crypto.randomUUID();
          const suffix = SUFFIXES[Math.floor(rand() * SUFFIXES.length)];
          const entry: Sent = { check, outcome: 'unknown', status: 0 };
          sent.set(rid, entry);
          const status = await ping(agent, svc.pingUrl, `/ping/${check}${suffix}?rid=${rid}`);
          entry.status = status;
          entry.outcome = status === 200 || status === 201 ? 'acked' : status === 0 ? 'unknown' : 'refused';
          if (status === 0) return; // the service is gone: this sender is done
        }
      };
      const killAfter = minKill + Math.floor(rand() * (maxKill - minKill));
      const running = Array.from({ length: senders }, sender);
      await new Promise((r) => setTimeout(r, killAfter));
      await svc.kill9();
      stop = true;
      await Promise.all(running);
      agent.destroy();

      svc = await serve({ dataDir, timeoutMs: 60_000 });
      const db = openRead(dataDir);
      try {
        const failures = [...verifyIntegrity(db), ...verifyAcked(db, sent)];
        const r = verifyReplay(db);
        failures.push(...r.failures);
        const d = verifyFlipDeliveries(db);
        failures.push(...d.failures);
        report.deliveries = d.note;
        report.checks = r.checks;
        report.flipsChecked = r.flips;
        report.storedPings = (db.prepare('SELECT COUNT(*) AS n FROM pings').get() as { n: number }).n;
        for (const f of failures) report.failures.push(`cycle ${cycle}: ${f}`);
      } finally {
        db.close();
      }
      report.cycles = cycle;
      const acked = [...sent.values()].filter((s) => s.outcome === 'acked').length;
      log(`cycle ${cycle}: killed after ${killAfter} ms; ${sent.size} sent, ${acked} acked, ${report.storedPings} stored, ${report.failures.length} failures`);
      if (report.failures.length) break;
    }
  } finally {
    await svc.stop();
  }
  for (const s of sent.values()) report[s.outcome]++;
  if (report.failures.length === 0) fs.rmSync(dataDir, { recursive: true, force: true });
  else log(`data dir kept for inspection: ${dataDir}`);
  return report;
}
