import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDb } from '../electron/service/db/open.js';
import { makeRepos } from '../electron/service/db/repos.js';
import { DEFAULT_CONFIG } from '../shared/domain/types.js';
import { procStats, servicePid } from '../test/helpers/proc.js';
import { tempDir, type Served } from '../test/helpers/serve.js';
import { benchServe, idleFigures, load, mb, owned, sleep } from './util.js';

/** Figures of a seeded service before any load: the sections that start from `seedAndServe`. */
export interface SeededFigures {
  checks: number;
  pings: number;
  dbSizeMB: number;
  seedSeconds: number;
  startMs: number;
  idleSeconds: number;
  /** service CPU while nothing happens, in % of one core */
  idleCpuPercent: number;
  idleRssMB: number;
}

/** Figures of the scale section. */
export interface ScaleResult extends SeededFigures {
  load: { seconds: number; perSecond: number; p99ms: number; listAllMs: number };
  rssAfterLoadMB: number;
  rssSettledMB: number;
  /** VmHWM: the most the process was ever resident */
  peakRssMB: number;
  problems: string[];
}

const HOUR = 3600_000;

/**
 * Fills a fresh data dir with `checks` checks and `pingsPerCheck` pings each, straight
 * through the service's own schema and repositories (much faster than over HTTP).
 * Every check is up with its deadline a day away, as on a quiet evening.
 */
export function seed(dataDir: string, checks: number, pingsPerCheck: number, now = Date.now(), lastPingOf?: (i: number) => number): void {
  const db = openDb(dataDir);
  db.pragma('synchronous = OFF'); // a benchmark fixture: durability is not the point here
  const repos = makeRepos(db);
  const log = Buffer.from('rsync: 1,204 files, 3.1 GB sent; backup of /volume1/photos finished without errors\n'.repeat(2));
  const ids: number[] = [];
  db.transaction(() => {
    for (let i = 0; i < checks; i++) {
      const lastPing = lastPingOf?.(i) ?? now - 60_000 - (i % 3600) * 1000;
      const row = repos.checks.insert({
        ...DEFAULT_CONFIG,
        uuid: crypto.randomUUID(),
        name: `seeded job ${i}`,
        slug: `seeded-job-${i}`,
        tags: i % 2 ? 'nas backup' : 'pi',
        desc: '',
        pushToken: null,
        channels: '',
        status: 'up',
        nPings: pingsPerCheck,
        lastPing,
        lastStart: null,
        lastStartRid: null,
        lastDuration: null,
        alertAfter: lastPing + DEFAULT_CONFIG.timeout * 1000 + DEFAULT_CONFIG.grace * 1000,
        statusAt: lastPing + DEFAULT_CONFIG.timeout * 1000,
        downReason: '',
        downReasonCode: '',
        created: now - (pingsPerCheck + 1) * HOUR,
        extra: {},
      });
      ids.push(row.id);
    }
  })();
  const batch = 50_000;
  let pending = 0;
  db.exec('BEGIN');
  for (let n = 1; n <= pingsPerCheck; n++) {
    for (const checkId of ids) {
      const withLog = n % 10 === 0;
      repos.pings.insert({
        checkId,
        n,
        created: now - (pingsPerCheck - n) * HOUR - 60_000,
        received: now - (pingsPerCheck - n) * HOUR - 60_000,
        kind: 'success',
        scheme: 'http',
        method: withLog ? 'POST' : 'GET',
        remoteAddr: '192.168.1.20',
        ua: 'curl/7.88.1',
        body: withLog ? log : null,
        bodySize: withLog ? log.length : 0,
        exitStatus: null,
        rid: null,
        duration: null,
        extra: null,
      });
      if (++pending === batch) {
        db.exec('COMMIT; BEGIN');
        pending = 0;
      }
    }
  }
  db.exec('COMMIT');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Seeds `dataDir` (see `seed`) and starts the service on it: the figures of both steps. */
export async function seedAndServe(o: {
  dataDir: string;
  checks: number;
  pingsPerCheck: number;
  lastPingOf?: (i: number, now: number) => number;
  command?: string[];
  log: (l: string) => void;
}): Promise<{ s: Served; seedSeconds: number; dbSizeMB: number; startMs: number }> {
  o.log(`seeding ${o.checks.toLocaleString('en-US')} checks × ${o.pingsPerCheck} pings`);
  const t = Date.now();
  seed(o.dataDir, o.checks, o.pingsPerCheck, t, o.lastPingOf && ((i) => o.lastPingOf!(i, t)));
  const seedSeconds = (Date.now() - t) / 1000;
  const dbSizeMB = mb(fs.statSync(path.join(o.dataDir, 'lubdub.db')).size);
  const t0 = Date.now();
  const s = await benchServe({ dataDir: o.dataDir, timeoutMs: 120_000, command: o.command });
  const startMs = Date.now() - t0;
  o.log(`started in ${startMs} ms on a ${dbSizeMB} MB database`);
  return { s, seedSeconds, dbSizeMB, startMs };
}

/**
 * 10,000 checks and 1,000,000 stored pings: start-up time on that database, service CPU
 * while idle (SPEC §9: near zero, no polling loop over all checks), RSS idle, after a load
 * of pings round robin over all checks plus listing all checks, and settled.
 */
export async function benchScale(o: {
  checks: number;
  pingsPerCheck: number;
  idleSeconds: number;
  loadSeconds: number;
  /** run this command instead of `npm run serve` (the compiled service) */
  command?: string[];
  log: (l: string) => void;
}): Promise<ScaleResult> {
  const problems: string[] = [];
  const dataDir = tempDir('lubdub-bench-scale-');
  const forgetDir = owned.dir(dataDir);
  try {
    const { s, seedSeconds, dbSizeMB, startMs } = await seedAndServe({ ...o, dataDir });
    try {
      const pid = servicePid(s.proc.pid!);
      const { idleCpuPercent, idleRssMB } = await idleFigures(pid, o.idleSeconds);
      o.log(`idle: ${idleCpuPercent} % CPU, ${idleRssMB} MB RSS`);

      const list = (await (await s.api('/api/v3/checks/')).json()) as { checks: { uuid: string }[] };
      if (list.checks.length !== o.checks) problems.push(`the service lists ${list.checks.length} checks, ${o.checks} were seeded`);
      const f = await load({ url: s.pingUrl, paths: list.checks.map((c) => `/ping/${c.uuid}`), connections: 50, seconds: o.loadSeconds });
      if (f.non2xx || f.errors) problems.push(`load over ${o.checks} checks: ${f.non2xx} non-2xx, ${f.errors} errors`);
      const tl = Date.now();
      for (let i = 0; i < 3; i++) await (await s.api('/api/v3/checks/')).json();
      await (await s.api('/api/lubdub/summary')).json();
      const listAllMs = Math.round((Date.now() - tl) / 3);
      const rssAfterLoadMB = mb(procStats(pid).rss);
      await sleep(10_000);
      const rssSettledMB = mb(procStats(pid).rss);
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const peakRssMB = mb(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024);
      o.log(`after load: ${rssAfterLoadMB} MB, settled ${rssSettledMB} MB, peak ${peakRssMB} MB`);
      return {
        checks: o.checks,
        pings: o.checks * o.pingsPerCheck,
        dbSizeMB,
        seedSeconds,
        startMs,
        idleSeconds: o.idleSeconds,
        idleCpuPercent,
        idleRssMB,
        load: { seconds: f.seconds, perSecond: f.perSecond, p99ms: f.p99ms, listAllMs },
        rssAfterLoadMB,
        rssSettledMB,
        peakRssMB,
        problems,
      };
    } finally {
      await s.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    forgetDir();
  }
}
