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
 *   4. no flip was alerted twice and, once the outbox drained, none was missed (`verifyFlipDeliveries`).
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
  /** kill after a random delay in [minKillMs, maxKillMs] once the cycle has ACKED_BEFORE_KILL acknowledged pings */
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
/** acknowledged pings each cycle waits for before its random kill moment (20 cycles: > 200 to lose) */
const ACKED_BEFORE_KILL = 12;
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

/** Alert POSTs seen by the crash test's own webhook receiver, by `Idempotency-Key` (the alert's uuid). */
export type Received = Map<string, number>;

/** A local webhook receiver standing for the user's alert endpoint; it counts every POST it gets. */
export async function webhookReceiver(): Promise<{ url: string; received: Received; close: () => Promise<void> }> {
  const received: Received = new Map();
  const server = http.createServer((req, res) => {
    const key = String(req.headers['idempotency-key'] ?? '');
    req.resume();
    req.on('end', () => {
      received.set(key, (received.get(key) ?? 0) + 1);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * 4. No flip delivered twice (SPEC §8): every flip makes at most one alert message, each
 * message has one delivery per channel, and the receiver never got two different alerts
 * for one flip. A crash while a POST is on the wire may send that same alert again with
 * the same `Idempotency-Key` (documented at-least-once transport, deduplicated by key):
 * those repeats are counted in the note, never as a second delivery. With `final`, also
 * nothing is missed: every flip was processed and every webhook alert was received.
 */
export function verifyFlipDeliveries(
  db: Database.Database,
  received: Received,
  hookChannel: string,
  final = false,
): { note: string; failures: string[] } {
  const failures: string[] = [];
  for (const r of db.prepare('SELECT flip_id, COUNT(*) AS c FROM messages WHERE flip_id IS NOT NULL GROUP BY flip_id HAVING c > 1').all() as { flip_id: number; c: number }[]) {
    failures.push(`flip ${r.flip_id} made ${r.c} alert messages`);
  }
  for (const r of db
    .prepare('SELECT message_id, channel_uuid, COUNT(*) AS c FROM deliveries GROUP BY message_id, channel_uuid HAVING c > 1')
    .all() as { message_id: number; channel_uuid: string; c: number }[]) {
    failures.push(`message ${r.message_id} has ${r.c} deliveries to channel ${r.channel_uuid}`);
  }
  const messages = db
    .prepare(
      `SELECT m.uuid, m.flip_id, d.status FROM messages m JOIN deliveries d ON d.message_id = m.id
       WHERE d.channel_uuid = ? AND m.flip_id IS NOT NULL`,
    )
    .all(hookChannel) as { uuid: string; flip_id: number; status: string }[];
  const known = new Set(messages.map((m) => m.uuid));
  for (const key of received.keys()) if (!known.has(key)) failures.push(`the receiver got an alert ${key || '(no key)'} the store does not know`);
  let repeats = 0;
  for (const n of received.values()) repeats += n - 1;
  if (final) {
    const open = (db.prepare('SELECT COUNT(*) AS n FROM flips WHERE processed IS NULL').get() as { n: number }).n;
    if (open > 0) failures.push(`${open} flips were never processed by the outbox`);
    for (const m of messages) {
      if (m.status !== 'sent') failures.push(`alert ${m.uuid} of flip ${m.flip_id} is ${m.status}, not sent`);
      else if (!received.has(m.uuid)) failures.push(`alert ${m.uuid} of flip ${m.flip_id} is marked sent but never arrived`);
    }
  }
  return {
    note: `${messages.length} flip alerts to the webhook, ${received.size} received, ${repeats} same-key repeat(s) after a kill`,
    failures,
  };
}

/** Waits (≤ 60 s) until the outbox has sent everything, then runs the final delivery check. */
async function drain(dataDir: string, hookChannel: string, received: Received): Promise<{ note: string; failures: string[] }> {
  const end = Date.now() + 60_000;
  for (;;) {
    const db = openRead(dataDir);
    try {
      const r = verifyFlipDeliveries(db, received, hookChannel, true);
      if (r.failures.length === 0 || Date.now() > end) return r;
    } finally {
      db.close();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
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

  const hook = await webhookReceiver();
  let svc: Served = await serve({ dataDir, timeoutMs: 60_000 });
  const made = await svc.api('/api/lubdub/channels', { method: 'POST', json: { name: 'crash hook', kind: 'webhook', config: { url: hook.url } } });
  if (made.status !== 201 && made.status !== 200) throw new Error(`cannot create the webhook channel: ${made.status} ${await made.text()}`);
  const hookChannel = ((await made.json()) as { id: string }).id;
  try {
    for (let cycle = 1; cycle <= opts.cycles; cycle++) {
      // Keep a few checks whose history still fits the ping log; retire the full ones.
      active = active.filter((u) => (attempts.get(u) ?? 0) < RETIRE_AFTER);
      while (active.length < 6) {
        const c = await createCheck(svc, { name: `crash ${cycle}-${active.length}`, timeout: 86400, grace: 3600, channels: hookChannel });
        active.push(c.uuid as string);
        attempts.set(c.uuid as string, 0);
      }

      const agent = new http.Agent({ keepAlive: true, maxSockets: senders });
      let stop = false;
      // The kill waits for some acknowledged pings of this cycle, so every kill has something
      // to lose however slow a loaded machine makes the service; then a random moment.
      let ackedThisCycle = 0;
      let loaded: () => void = () => {};
      const underLoad = new Promise<void>((r) => (loaded = r));
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
          if (entry.outcome === 'acked' && ++ackedThisCycle >= ACKED_BEFORE_KILL) loaded();
          if (status === 0) return; // the service is gone: this sender is done
        }
      };
      const killAfter = minKill + Math.floor(rand() * (maxKill - minKill));
      const running = Array.from({ length: senders }, sender);
      // every check full (no sender left) also ends the wait
      void Promise.all(running).then(() => loaded());
      await underLoad;
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
        const d = verifyFlipDeliveries(db, hook.received, hookChannel);
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
    if (report.failures.length === 0) {
      // Nothing missed: once the service has had time to drain its outbox, every flip was
      // processed and every alert arrived (deduplicated by key) exactly once.
      const drained = await drain(dataDir, hookChannel, hook.received);
      report.deliveries = drained.note;
      for (const f of drained.failures) report.failures.push(`after the last restart: ${f}`);
    }
  } finally {
    await svc.stop();
    await hook.close();
  }
  for (const s of sent.values()) report[s.outcome]++;
  if (report.failures.length === 0) fs.rmSync(dataDir, { recursive: true, force: true });
  else log(`data dir kept for inspection: ${dataDir}`);
  return report;
}
