import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { Served } from '../test/helpers/serve.js';

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

/** wrk's requests/s for one URL (a C load generator that leaves the service more CPU), or null without wrk. */
export function wrk(url: string, connections: number, seconds: number): { perSecond: number; requests: number } | null {
  const r = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, url], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const total = /(\d+) requests in/.exec(r.stdout);
  return rps && total ? { perSecond: Math.round(Number(rps[1])), requests: Number(total[1]) } : null;
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
