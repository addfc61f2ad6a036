import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordProcessGroup } from '../test/helpers/run-dir.js';
import { ROOT, tempDir, type Served } from '../test/helpers/serve.js';
import { REFERENCE_DB, REFERENCE_TABLE } from './reference.js';
import { committedPings, hasWrk, owned, sleep, wrk } from './util.js';
import { SERVICE_NODE_FLAGS } from '../electron/service/node-flags.js';

/** wrk's connections in the comparison (one thread). */
export const REFERENCE_CONNECTIONS = 50;

/** One wrk round against one receiver. */
export interface Round {
  perSecond: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** rows the receiver added during the round (Lubdub: n_pings; reference: rows in its table) */
  committed: number;
  /** 1-minute load average right after the round */
  loadAvg: number;
}

/** Lubdub against the reference receiver for one load shape. */
export interface Comparison {
  target: string;
  lubdub: Round[];
  reference: Round[];
  lubdubMedian: number;
  referenceMedian: number;
  /** Lubdub's median as a percentage of the reference's */
  percent: number;
}

/** Figures of the comparison, or why it was skipped. */
export type ReferenceResult = { skipped: string } | { seconds: number; rounds: number; connections: number; comparisons: Comparison[] };

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};

/** A wrk script that sends GET to `paths` in turn (round robin). */
export function roundRobinScript(dir: string, paths: string[]): string {
  const file = path.join(dir, 'round-robin.lua');
  fs.writeFileSync(
    file,
    `local paths = {\n${paths.map((p) => `  ${JSON.stringify(p)},`).join('\n')}\n}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n`,
  );
  return file;
}

/** Starts bench/reference.ts (as the bench runs: Node with tsx's loader) on a fresh data dir. */
export async function startReference(dataDir: string): Promise<{ url: string; pid: number; rows: () => number; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, [...SERVICE_NODE_FLAGS, '--import', 'tsx', path.join(ROOT, 'bench/reference.ts'), dataDir], {
    cwd: ROOT,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const forget = owned.group(proc.pid);
  recordProcessGroup(proc.pid);
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 20_000;
  while (!/reference receiver: (\S+)/.test(out)) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {}
      forget();
      throw new Error(`the reference receiver did not start:\n${out}`);
    }
    await sleep(50);
  }
  const db = new Database(path.join(dataDir, REFERENCE_DB), { readonly: true });
  const count = db.prepare(`SELECT COUNT(*) FROM ${REFERENCE_TABLE}`).pluck();
  return {
    url: /reference receiver: (\S+)/.exec(out)![1],
    pid: proc.pid!,
    rows: () => count.get() as number,
    stop: async () => {
      db.close();
      try {
        process.kill(proc.pid!, 'SIGTERM');
      } catch {}
      await Promise.race([exited, sleep(10_000)]);
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {}
      forget();
    },
  };
}

/**
 * Lubdub (`s`, already serving the checks `one` and `many`) against the reference receiver,
 * loaded by wrk (one thread, 50 connections) in alternating rounds, for one check and for
 * the checks round robin: the machine's other work and the disk's moods hit both alike, so
 * the ratio of the medians holds where absolute figures swing 2× between runs. Every round
 * is checked: rows committed ≥ 2xx answered (a ping answered 200 was on disk).
 */
export async function againstReference(o: {
  s: Served;
  one: string;
  many: string[];
  seconds: number;
  rounds: number;
  problems: string[];
  log: (l: string) => void;
}): Promise<ReferenceResult> {
  const dir = tempDir('lubdub-bench-reference-');
  const forgetDir = owned.dir(dir);
  try {
    if (!hasWrk()) return { skipped: 'wrk is not installed' };
    const ref = await startReference(dir);
    try {
      const script = roundRobinScript(dir, o.many.map((u) => `/ping/${u}`));
      const shapes = [
        { target: 'one check', path: `/ping/${o.one}` },
        { target: `${o.many.length.toLocaleString('en-US')} checks round robin`, path: '/', script },
      ];
      const comparisons: Comparison[] = [];
      for (const shape of shapes) {
        const lubdub: Round[] = [];
        const reference: Round[] = [];
        for (let i = 0; i < o.rounds; i++) {
          for (const [who, base, count, rounds] of [
            ['Lubdub', o.s.pingUrl, () => committedPings(o.s), lubdub],
            ['reference', ref.url, async () => ref.rows(), reference],
          ] as const) {
            const before = await count();
            const w = await wrk(base + shape.path, REFERENCE_CONNECTIONS, o.seconds, shape.script);
            if (!w) throw new Error(`wrk failed against ${who}`);
            await sleep(200);
            const committed = (await count()) - before;
            const ok = w.requests - w.non2xx;
            // a ping in flight when wrk stops may be committed without its answer being counted
            if (committed < ok || committed > ok + REFERENCE_CONNECTIONS) o.problems.push(`${who}, ${shape.target}, round ${i + 1}: ${ok} answered 2xx but ${committed} committed`);
            if (w.non2xx || w.errors) o.problems.push(`${who}, ${shape.target}, round ${i + 1}: ${w.non2xx} non-2xx, ${w.errors} socket errors`);
            rounds.push({ ...w, committed, loadAvg: Number(os.loadavg()[0].toFixed(2)) });
            o.log(`${shape.target}, ${who}, round ${i + 1}: ${w.perSecond}/s, ${committed} committed`);
          }
        }
        const lubdubMedian = median(lubdub.map((r) => r.perSecond));
        const referenceMedian = median(reference.map((r) => r.perSecond));
        comparisons.push({ target: shape.target, lubdub, reference, lubdubMedian, referenceMedian, percent: Math.round((lubdubMedian / referenceMedian) * 100) });
      }
      return { seconds: o.seconds, rounds: o.rounds, connections: REFERENCE_CONNECTIONS, comparisons };
    } finally {
      await ref.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    forgetDir();
  }
}
