/**
 * `npm run bench:profile [-- --seconds=10] [--checks=1] [--keep=<file.cpuprofile>]`: where a
 * durable ping's time goes. Runs the compiled service (what `npm run serve` runs) under
 * `node --cpu-prof`, loads one check (or `--checks` checks round robin) with wrk (one
 * thread, 50 connections), stops the service with SIGINT so
 * V8 writes the profile, and prints its summary (bench/profile-summary.ts) with the load
 * average and the service's CPU time per ping. Writes the summary as JSON under bench/results/.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { procStats, servicePid } from '../test/helpers/proc.js';
import { createCheck, ROOT, SERVE_CMD, SERVE_ENV, tempDir, type Served } from '../test/helpers/serve.js';
import { roundRobinScript } from './against-reference.js';
import { formatSummary, summarise, type CpuProfile } from './profile-summary.js';
import { benchServe, cleanUpOnInterrupt, committedPings, hasWrk, machine, owned, sleep, wrk } from './util.js';

const args = process.argv.slice(2);
const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 10);
const checks = Number(args.find((a) => a.startsWith('--checks='))?.slice(9) ?? 1);
const keep = args.find((a) => a.startsWith('--keep='))?.slice(7);
if (args.some((a) => !/^--(seconds|checks|keep)=/.test(a)) || !(seconds > 0) || !(Number.isInteger(checks) && checks >= 1)) {
  console.error('usage: npm run bench:profile [-- --seconds=10] [--checks=1] [--keep=<file.cpuprofile>]');
  process.exit(2);
}
if (!hasWrk()) {
  console.error('bench:profile needs wrk (apt-get install wrk)');
  process.exit(2);
}
cleanUpOnInterrupt();
if (spawnSync(process.execPath, [path.join(ROOT, 'build/ensure-built.mjs')], { stdio: 'inherit' }).status !== 0) process.exit(1);

/** Loads the profiled service's checks with wrk and measures it (CPU, durability, load). */
async function measure(s: Served, spawnedAt: number) {
  const pid = servicePid(s.proc.pid!);
  const uuids: string[] = [];
  for (let i = 0; i < checks; i++) uuids.push((await createCheck(s, { name: `profiled ${i}` })).uuid as string);
  const script = checks > 1 ? roundRobinScript(profDir, uuids.map((u) => `/ping/${u}`)) : undefined;
  const url = script ? `${s.pingUrl}/` : `${s.pingUrl}/ping/${uuids[0]}`;
  await wrk(url, 50, 2, script); // warm-up: the profile is of the steady state's code, not the first JIT tiers
  const before = { cpu: procStats(pid).cpuSeconds, committed: await committedPings(s) };
  const loadFrom = Date.now();
  const w = await wrk(url, 50, seconds, script);
  const loadTo = Date.now();
  const loadAvg = os.loadavg().map((x) => Number(x.toFixed(2)));
  await sleep(200);
  const cpu = procStats(pid).cpuSeconds - before.cpu;
  const committed = (await committedPings(s)) - before.committed;
  if (!w) throw new Error('wrk failed');
  const ok = w.requests - w.non2xx;
  return {
    seconds,
    checks,
    pingsPerSecond: w.perSecond,
    answered2xx: ok,
    committed,
    durable: committed >= ok,
    serviceCpuPercent: Math.round((cpu / seconds) * 1000) / 10,
    cpuMicrosecondsPerPing: Math.round((cpu * 1e6) / Math.max(1, ok)),
    loadAvgAfterLoad: loadAvg,
    // The profile starts a few ms after the spawn: a margin keeps start and end of the load out.
    windowMs: [loadFrom - spawnedAt + 200, loadTo - spawnedAt - 200] as [number, number],
  };
}

const m = machine();
const profDir = tempDir('lubdub-bench-profile-');
const forgetDir = owned.dir(profDir);
try {
  const spawnedAt = Date.now();
  const s = await benchServe({ prefix: 'lubdub-bench-profile-data-', command: [SERVE_CMD[0], '--cpu-prof', `--cpu-prof-dir=${profDir}`, ...SERVE_CMD.slice(1)], env: { ...SERVE_ENV } });
  let figures: Awaited<ReturnType<typeof measure>>;
  try {
    figures = await measure(s, spawnedAt);
    // SIGINT, as a user's Ctrl-C: the service exits normally and V8 writes the profile.
    const exited = new Promise((r) => s.proc.once('exit', r));
    process.kill(s.proc.pid!, 'SIGINT');
    await Promise.race([exited, sleep(15_000)]);
  } finally {
    await s.stop();
  }
  const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('the service wrote no .cpuprofile');
  const raw = fs.readFileSync(path.join(profDir, file), 'utf8');
  if (keep) fs.writeFileSync(keep, raw);
  const summary = summarise(JSON.parse(raw) as CpuProfile, { root: ROOT, windowMs: figures.windowMs });

  console.log(`Lubdub profile: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, load average ${m.loadAvgAtStart} at start`);
  console.log(
    `wrk, ${checks === 1 ? 'one check' : `${checks} checks round robin`}, 50 connections, ${seconds} s: ${figures.pingsPerSecond}/s, ${figures.answered2xx} answered 2xx, ${figures.committed} committed` +
      `${figures.durable ? '' : ' (FEWER THAN ANSWERED)'}; service CPU ${figures.serviceCpuPercent} % of a core, ` +
      `${figures.cpuMicrosecondsPerPing} µs per ping; load average ${figures.loadAvgAfterLoad.join(' / ')} (1/5/15 min) after the load`,
  );
  console.log(`(the summary counts the samples taken during the load: ${figures.windowMs.map((x) => (x / 1000).toFixed(1)).join('–')} s after the service started)`);
  console.log(formatSummary(summary));
  const dir = path.join(import.meta.dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `profile-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(out, JSON.stringify({ machine: m, ...figures, summary }, null, 2) + '\n');
  console.log(`\nsummary written to ${path.relative(process.cwd(), out)}${keep ? `, the profile to ${keep}` : ''}`);
  if (!figures.durable) process.exitCode = 1;
} finally {
  fs.rmSync(profDir, { recursive: true, force: true });
  forgetDir();
}
