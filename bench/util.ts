import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { procStats } from '../test/helpers/proc.js';
import { serve, tempDir, type Served } from '../test/helpers/serve.js';

/** The machine a figure came from: figures are only comparable within one run on one machine. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  memTotalMB: number;
  /** 1-minute load average when the run started: other work on the machine shows here */
  loadAvgAtStart: number;
}

/** Describes this machine (nproc, /proc/cpuinfo model, Node version). */
export function machine(): Machine {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {}
  return {
    cpus: os.availableParallelism(),
    cpuModel,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    memTotalMB: Math.round(os.totalmem() / 2 ** 20),
    loadAvgAtStart: Number(os.loadavg()[0].toFixed(2)),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The value at quantile q (0..1) of sorted numbers. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Sum of n_pings over all checks: what the service has committed. */
export async function committedPings(s: Served): Promise<number> {
  const r = (await (await s.api('/api/v3/checks/')).json()) as { checks: { n_pings: number }[] };
  return r.checks.reduce((a, c) => a + c.n_pings, 0);
}

/** A load run's figures. */
export interface LoadFigures {
  connections: number;
  seconds: number;
  ok: number;
  non2xx: number;
  errors: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  p999ms: number;
  maxMs: number;
}

/** Runs autocannon against `url`, cycling through `paths` (round robin), and summarises it. */
export async function load(opts: {
  url: string;
  paths: string[];
  connections: number;
  seconds: number;
  rate?: number;
  method?: string;
  body?: Buffer;
}): Promise<LoadFigures> {
  let i = 0;
  const next = () => opts.paths[i++ % opts.paths.length];
  const r = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    overallRate: opts.rate,
    timeout: 10,
    requests: [{ method: opts.method ?? 'GET', body: opts.body, setupRequest: (req) => ({ ...req, path: next() }) }],
  });
  return {
    connections: opts.connections,
    seconds: r.duration,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    perSecond: Math.round(r['2xx'] / r.duration),
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    p999ms: r.latency.p99_9,
    maxMs: r.latency.max,
  };
}

/** Whether wrk is on the PATH. */
export const hasWrk = () => spawnSync('sh', ['-c', 'command -v wrk']).status === 0;

/** What a wrk run answered. */
export interface WrkFigures {
  /** 2xx answers per second */
  perSecond: number;
  /** answers counted by wrk (2xx + non-2xx) */
  requests: number;
  non2xx: number;
  /** connect/read/write errors and timeouts */
  errors: number;
}

/**
 * Runs wrk (a C load generator that leaves the service more CPU than autocannon) with one
 * thread against `url`, optionally with a Lua script; null when wrk is not installed.
 * Asynchronous, so the bench's own Ctrl-C handler can run meanwhile.
 */
export async function wrk(url: string, connections: number, seconds: number, script?: string): Promise<WrkFigures | null> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, ...(script ? ['-s', script] : []), url];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const forget = owned.child(child.pid);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((res) => {
    child.on('error', () => res(null));
    child.on('close', (c) => res(c));
  });
  forget();
  if (code !== 0) return null;
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const total = /(\d+) requests in ([\d.]+)(m?s|m)\b/.exec(out);
  if (!rps || !total) return null;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = se ? se.slice(1).reduce((a, n) => a + Number(n), 0) : 0;
  const requests = Number(total[1]);
  return { perSecond: Math.round((Number(rps[1]) * (requests - non2xx)) / Math.max(1, requests)), requests, non2xx, errors };
}

/**
 * What the bench started and must end: process groups, child processes and temp dirs,
 * ended and removed at the end of their section and, through `cleanUpOnInterrupt`, on
 * Ctrl-C or SIGTERM (the services run detached, in process groups of their own, so a
 * terminal's Ctrl-C never reaches them). Each method returns the function that forgets it.
 */
export const owned = (() => {
  const groups = new Set<number>();
  const children = new Set<number>();
  const dirs = new Set<string>();
  const add = <T>(set: Set<T>, v: T | undefined) => {
    if (v === undefined) return () => {};
    set.add(v);
    return () => void set.delete(v);
  };
  return {
    group: (pgid: number | undefined) => add(groups, pgid),
    child: (pid: number | undefined) => add(children, pid),
    dir: (dir: string) => add(dirs, dir),
    /** SIGKILLs everything still owned and removes the dirs (synchronous: runs in a signal handler) */
    endAll: () => {
      const kill = (pid: number) => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      };
      groups.forEach((g) => kill(-g));
      children.forEach(kill);
      dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
      groups.clear();
      children.clear();
      dirs.clear();
    },
  };
})();

/** On Ctrl-C or SIGTERM: end every process the bench started, remove its temp dirs, exit 130. */
export function cleanUpOnInterrupt(): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`\n${sig}: ending the services and removing the bench's temp dirs`);
      owned.endAll();
      process.exit(130);
    });
  }
}

/**
 * `serve()` for the bench: a fresh temp data dir unless one is given (removed on stop when
 * it made it), and the service's process group and dir owned until then (see `owned`).
 */
export async function benchServe(opts: Parameters<typeof serve>[0] & { prefix?: string } = {}): Promise<Served> {
  const dataDir = opts.dataDir ?? tempDir(opts.prefix ?? 'lubdub-bench-');
  const forgetDir = opts.dataDir ? () => {} : owned.dir(dataDir);
  let s: Served;
  try {
    s = await serve({ ...opts, dataDir });
  } catch (e) {
    if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    forgetDir();
    throw e;
  }
  const forgetGroup = owned.group(s.proc.pid);
  const stop = s.stop;
  return {
    ...s,
    stop: async () => {
      const code = await stop();
      forgetGroup();
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      forgetDir();
      return code;
    },
  };
}

/** Prints rows as an aligned text table. */
export function table(title: string, header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [`\n${title}`, line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** MB with one decimal. */
export const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** A local webhook receiver that notes when the first down alert of each watched check arrived. */
export interface AlertCatcher {
  url: string;
  /** uuid → arrival time (ms) of its first down alert */
  arrivals: Map<string, number>;
  /** down alerts beyond the first per check */
  duplicates: () => number;
  /** the checks whose alerts count */
  watch: (uuids: Iterable<string>) => void;
  close: () => Promise<void>;
}

/** Starts an `AlertCatcher` on loopback. Only down alerts count (a channel also sends recoveries and reminders). */
export async function alertCatcher(): Promise<AlertCatcher> {
  const arrivals = new Map<string, number>();
  let duplicates = 0;
  let watched = new Set<string>();
  const hook = http.createServer((req, res) => {
    const at = Date.now();
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      res.end('ok');
      try {
        const kind = (JSON.parse(body) as { kind?: unknown }).kind;
        if (kind !== undefined && kind !== 'down') return;
      } catch {}
      const found = [...body.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)].map((m) => m[0]).find((u) => watched.has(u));
      if (!found) return;
      if (arrivals.has(found)) duplicates++;
      else arrivals.set(found, at);
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(hook.address() as { port: number }).port}/alert`,
    arrivals,
    duplicates: () => duplicates,
    watch: (uuids) => void (watched = new Set(uuids)),
    close: async () => {
      hook.closeAllConnections();
      await new Promise((r) => hook.close(r));
    },
  };
}

/** The service's CPU (% of a core) and RSS while nothing happens for `seconds`, after 5 s to settle. */
export async function idleFigures(pid: number, seconds: number): Promise<{ idleCpuPercent: number; idleRssMB: number }> {
  await sleep(5000);
  const c0 = procStats(pid).cpuSeconds;
  await sleep(seconds * 1000);
  const idleCpuPercent = Math.round(((procStats(pid).cpuSeconds - c0) / seconds) * 1000) / 10;
  return { idleCpuPercent, idleRssMB: mb(procStats(pid).rss) };
}
