/**
 * `npx tsx bench/memory.ts [--checks=N] [--pings=N] [--idle=S] [--snapshot] [--keep=FILE] [--load=S] [--env=K=V,…|none] [--flags=a,b]`:
 * where the compiled service's memory goes. Seeds a database (cached under the OS temp dir
 * between runs), starts the compiled service on a copy, prints its RSS every few seconds from
 * start to idle, the smaps breakdown by mapping, V8 heap figures, and with `--snapshot` a heap
 * snapshot of the idle service grouped by constructor and by module (bench/heap-summary.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_ENV, SERVICE_NODE_FLAGS } from '../electron/service/node-flags.js';
import { procStats, servicePid } from '../test/helpers/proc.js';
import { ROOT, tempDir } from '../test/helpers/serve.js';
import { seed } from './scale.js';
import { summarizeSnapshot } from './heap-summary.js';
import { benchServe, load, mb, sleep } from './util.js';

const arg = (name: string, dflt: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const checks = Number(arg('checks', '10000'));
const pings = Number(arg('pings', '100'));
const idle = Number(arg('idle', '60'));
const loadSeconds = Number(arg('load', '0'));
const snapshot = process.argv.includes('--snapshot');
// the service's own environment, unless --env= names another (--env=none: nothing added)
const envArg = arg('env', '');
const env = envArg === '' ? { ...SERVICE_ENV } : Object.fromEntries(envArg.split(',').filter((kv) => kv.includes('=')).map((kv) => kv.split('=') as [string, string]));
const flags = arg('flags', SERVICE_NODE_FLAGS.join(',')).split(',').filter(Boolean);

/** RSS split by kind of mapping, from /proc/<pid>/smaps. */
function smapsByMapping(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let name = '';
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const p = head[1];
      name = !p ? 'anon' : p.startsWith('/') ? path.basename(p).replace(/\.node$/, '.node') : p;
      if (name.endsWith(' (deleted)')) name = 'deleted file';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[name] = (out[name] ?? 0) + Number(rss[1]);
  }
  return out;
}

function rollup(pid: number): string {
  return fs
    .readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
    .split('\n')
    .filter((l) => /^(Rss|Pss|Shared_Clean|Private_Clean|Private_Dirty|Anonymous|Pss_Anon|Pss_File):/.test(l))
    .join('; ')
    .replace(/\s+/g, ' ');
}

const cacheDir = path.join(os.tmpdir(), `lubdub-memory-seed-${checks}x${pings}`);
if (!fs.existsSync(path.join(cacheDir, 'lubdub.db'))) {
  fs.mkdirSync(cacheDir, { recursive: true });
  console.log(`seeding ${checks} × ${pings} into ${cacheDir}`);
  seed(cacheDir, checks, pings);
}
const dataDir = tempDir('lubdub-memory-');
fs.copyFileSync(path.join(cacheDir, 'lubdub.db'), path.join(dataDir, 'lubdub.db'));
const snapDir = tempDir('lubdub-memory-snap-');
const cli = path.join(ROOT, 'dist-electron/electron/service/cli.js');
const command = [process.execPath, ...flags, ...(snapshot ? ['--heapsnapshot-signal=SIGUSR2'] : []), cli, 'serve'];
console.log(`command: ${command.slice(1).join(' ')}  env: ${JSON.stringify(env)}`);
const t0 = Date.now();
const s = await benchServe({ dataDir, command, cwd: snapDir, env, timeoutMs: 120_000 });
try {
  const pid = servicePid(s.proc.pid!);
  console.log(`started in ${Date.now() - t0} ms`);
  const line: string[] = [];
  for (let t = 0; t <= idle; t += 5) {
    line.push(`${t}s ${mb(procStats(pid).rss)}`);
    if (t < idle) await sleep(5000);
  }
  console.log(`RSS MB from start: ${line.join(' | ')}`);
  console.log(`smaps_rollup: ${rollup(pid)}`);
  const byMap = Object.entries(smapsByMapping(pid)).sort((a, b) => b[1] - a[1]);
  console.log(`smaps by mapping (MB): ${byMap.filter(([, kb]) => kb > 200).map(([n, kb]) => `${n} ${(kb / 1024).toFixed(1)}`).join(', ')}`);
  if (snapshot) {
    const before = new Set(fs.readdirSync(snapDir));
    process.kill(pid, 'SIGUSR2');
    let file: string | undefined;
    for (let i = 0; i < 600 && !file; i++) {
      await sleep(200);
      const f = fs.readdirSync(snapDir).find((n) => !before.has(n) && n.endsWith('.heapsnapshot'));
      // the file is complete once its size stops changing
      if (f) {
        const a = fs.statSync(path.join(snapDir, f)).size;
        await sleep(1000);
        if (fs.statSync(path.join(snapDir, f)).size === a && a > 0) file = f;
      }
    }
    if (!file) throw new Error('no heap snapshot');
    console.log(`RSS after the snapshot: ${mb(procStats(pid).rss)} MB`);
    console.log(summarizeSnapshot(path.join(snapDir, file)));
    const keep = arg('keep', '');
    if (keep) fs.copyFileSync(path.join(snapDir, file), keep);
  }
  if (loadSeconds > 0) {
    const list = (await (await s.api('/api/v3/checks/')).json()) as { checks: { uuid: string }[] };
    const f = await load({ url: s.pingUrl, paths: list.checks.map((c) => `/ping/${c.uuid}`), connections: 50, seconds: loadSeconds });
    for (let i = 0; i < 3; i++) await (await s.api('/api/v3/checks/')).json();
    await (await s.api('/api/lubdub/summary')).json();
    const after = mb(procStats(pid).rss);
    await sleep(10_000);
    const settled = mb(procStats(pid).rss);
    const peak = mb(Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024);
    console.log(`load: ${f.perSecond} pings/s; RSS after ${after} MB, 10 s later ${settled} MB, peak ${peak} MB`);
    console.log(`smaps by mapping after load (MB): ${Object.entries(smapsByMapping(pid)).sort((a, b) => b[1] - a[1]).filter(([, kb]) => kb > 200).map(([n, kb]) => `${n} ${(kb / 1024).toFixed(1)}`).join(', ')}`);
  }
} finally {
  await s.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(snapDir, { recursive: true, force: true });
}
