/**
 * `npm run bench [-- --quick] [--tsx] [--only=ingest,scale,alerts,huge]`: Lubdub's benchmark (SPEC §9,
 * and `huge`: the same figures at 100,000 checks).
 * `--tsx` also runs the scale section on the TypeScript sources through tsx's loader, to set
 * the compiled service that `npm run serve` runs beside it (memory and start-up).
 *
 * Drives real `npm run serve` processes on loopback with autocannon, and with wrk in rounds
 * alternating with bench/reference.ts (the least a durable receiver must do) when wrk is
 * installed; prints a table per section and the SPEC targets, and writes everything as JSON
 * under bench/results/. The load generator shares the machine's cores with the service:
 * compare figures from one run, and read `machine.loadAvgAtStart` for other work on the machine.
 * Ctrl-C ends the services it started and removes their temp dirs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { benchAlerts, type AlertResult } from './alerts.js';
import { benchHuge, type HugeResult } from './huge.js';
import { benchIngest, type IngestResult } from './ingest.js';
import { ROOT, TSX_SERVE_CMD } from '../test/helpers/serve.js';
import { benchScale, type ScaleResult } from './scale.js';
import { cleanUpOnInterrupt, machine, mb, table } from './util.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const viaTsx = args.includes('--tsx');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? ['ingest', 'scale', 'alerts', 'huge'];
const unknown = args.filter((a) => a !== '--quick' && a !== '--tsx' && !a.startsWith('--only='));
if (unknown.length || only.some((s) => !['ingest', 'scale', 'alerts', 'huge'].includes(s))) {
  console.error('usage: npm run bench [-- --quick] [--tsx] [--only=ingest,scale,alerts,huge]');
  process.exit(2);
}

cleanUpOnInterrupt();
// The services run from dist-electron/ (what `npm run serve` runs): build it if it is stale.
if (spawnSync(process.execPath, [path.join(ROOT, 'build/ensure-built.mjs')], { stdio: 'inherit' }).status !== 0) process.exit(1);

const plan = quick
  ? // a smoke run for CI: every section, short
    { seconds: 2, wrkSeconds: 2, wrkRounds: 3, checks: 10_000, pingsPerCheck: 20, idleSeconds: 10, loadSeconds: 3, alertChecks: 1_000, spreadSeconds: 15, hugeChecks: 20_000, hugePings: 5, sameSecond: 1_000, hugeIdleSeconds: 10 }
  : { seconds: 10, wrkSeconds: 4, wrkRounds: 5, checks: 10_000, pingsPerCheck: 100, idleSeconds: 60, loadSeconds: 10, alertChecks: 10_000, spreadSeconds: 180, hugeChecks: 100_000, hugePings: 10, sameSecond: 1_000, hugeIdleSeconds: 30 };

const log = (l: string) => console.log(`  · ${l}`);
const started = new Date();
const results: { machine: ReturnType<typeof machine>; quick: boolean; started: string; seconds?: number; sectionSeconds: Record<string, number>; ingest?: IngestResult; scale?: ScaleResult; scaleTsx?: ScaleResult; alerts?: AlertResult; huge?: HugeResult } = {
  machine: machine(),
  quick,
  started: started.toISOString(),
  sectionSeconds: {},
};
const m = results.machine;
console.log(`Lubdub benchmark${quick ? ' (quick)' : ''}: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, load average ${m.loadAvgAtStart} at start`);

const out: string[] = [];
let sectionStart = Date.now();
const sectionDone = (name: string) => {
  results.sectionSeconds[name] = Math.round((Date.now() - sectionStart) / 1000);
  sectionStart = Date.now();
};
if (only.includes('ingest')) {
  console.log('\ningestion');
  const r = (results.ingest = await benchIngest({ seconds: plan.seconds, wrkSeconds: plan.wrkSeconds, wrkRounds: plan.wrkRounds, log }));
  out.push(
    table(
      `Ingestion: ${plan.seconds} s per run, GET /ping/<uuid>, autocannon on the same machine`,
      ['target', 'connections', 'pings/s', 'p50 ms', 'p99 ms', 'answered 200', 'committed'],
      r.throughput.map((x) => [x.target, x.connections, x.perSecond, x.p50ms, x.p99ms, x.ok, x.committed]),
    ),
    'skipped' in r.reference
      ? `\nAgainst the reference receiver: skipped (${r.reference.skipped})`
      : table(
          `Against the reference receiver (bench/reference.ts: one-table insert, same group commit, no domain): wrk 1 thread, ${r.reference.connections} connections, ${r.reference.rounds} alternating rounds of ${r.reference.seconds} s, medians`,
          ['target', 'Lubdub pings/s', 'reference pings/s', 'Lubdub / reference', 'Lubdub rounds', 'reference rounds', 'answered 2xx / committed'],
          r.reference.comparisons.map((c) => {
            const sum = (rs: typeof c.lubdub, f: (x: (typeof rs)[number]) => number) => rs.reduce((a, x) => a + f(x), 0);
            const rounds = (rs: typeof c.lubdub) => rs.map((x) => x.perSecond.toLocaleString('en-US')).join(' ');
            const tally = (rs: typeof c.lubdub) => `${sum(rs, (x) => x.requests - x.non2xx).toLocaleString('en-US')} / ${sum(rs, (x) => x.committed).toLocaleString('en-US')}`;
            return [c.target, c.lubdubMedian, c.referenceMedian, `${c.percent} %`, rounds(c.lubdub), rounds(c.reference), `Lubdub ${tally(c.lubdub)}, reference ${tally(c.reference)}`];
          }),
        ),
    table(
      'Latency at a fixed 1,000 pings/s to one check (10 connections; autocannon, 1 ms resolution)',
      ['body', 'pings/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
      r.fixedRate.map((x) => [x.bodyBytes ? '10 KB' : 'none', x.perSecond, x.p50ms, x.p99ms, x.p999ms, x.maxMs]),
    ),
  );
  sectionDone('ingest');
}
if (only.includes('scale')) {
  console.log('\nscale: checks, stored pings, idle CPU, memory');
  results.scale = await benchScale({ checks: plan.checks, pingsPerCheck: plan.pingsPerCheck, idleSeconds: plan.idleSeconds, loadSeconds: plan.loadSeconds, log });
  if (viaTsx) {
    console.log('\nscale again, on the TypeScript sources through tsx (node --import tsx cli.ts)');
    results.scaleTsx = await benchScale({ checks: plan.checks, pingsPerCheck: plan.pingsPerCheck, idleSeconds: plan.idleSeconds, loadSeconds: plan.loadSeconds, command: TSX_SERVE_CMD, log });
  }
  sectionDone('scale');
}
if (only.includes('alerts')) {
  console.log('\nalert latency');
  results.alerts = await benchAlerts({ checks: plan.alertChecks, spreadSeconds: plan.spreadSeconds, log });
  sectionDone('alerts');
}
if (only.includes('huge')) {
  console.log(`\n${plan.hugeChecks.toLocaleString('en-US')} checks: start-up, idle, the list as a stream, ${plan.sameSecond} deadlines in one second, the console`);
  results.huge = await benchHuge({ checks: plan.hugeChecks, pingsPerCheck: plan.hugePings, sameSecond: plan.sameSecond, idleSeconds: plan.hugeIdleSeconds, log });
  sectionDone('huge');
}

const scaleTable = (sc: ScaleResult, how: string) =>
  table(
    `Scale (${how}): ${sc.checks.toLocaleString('en-US')} checks, ${sc.pings.toLocaleString('en-US')} stored pings (${sc.dbSizeMB} MB database)`,
    ['figure', 'value'],
    [
      ['start-up (spawn → listening)', `${sc.startMs} ms`],
      [`service CPU while idle (${sc.idleSeconds} s)`, `${sc.idleCpuPercent} % of a core`],
      ['RSS idle', `${sc.idleRssMB} MB`],
      [`pings/s round robin over all checks (50 conn, ${sc.load.seconds.toFixed(0)} s)`, sc.load.perSecond],
      ['list all checks (GET /api/v3/checks/)', `${sc.load.listAllMs} ms`],
      ['RSS right after load', `${sc.rssAfterLoadMB} MB`],
      ['RSS 10 s later', `${sc.rssSettledMB} MB`],
      ['peak RSS (VmHWM)', `${sc.peakRssMB} MB`],
    ],
  );
const sc = results.scale;
if (sc) out.push(scaleTable(sc, 'npm run serve'));
if (results.scaleTsx) out.push(scaleTable(results.scaleTsx, 'through tsx, node --import tsx cli.ts'));
const al = results.alerts;
if (al) {
  out.push(
    'skipped' in al
      ? `\nAlert latency: ${al.skipped}`
      : table(
          `Alert latency: ${al.checks.toLocaleString('en-US')} checks, deadlines over ${al.spreadSeconds} s, webhook channel`,
          ['figure', 'value'],
          [
            ['alerts received', `${al.received} of ${al.checks}`],
            ['alert − deadline p50 / p99 / max', `${al.p50ms} / ${al.p99ms} / ${al.maxMs} ms`],
            ['within 1 s', `${al.within1s}`],
            ['duplicates', `${al.duplicates}`],
            ['service CPU during the wave', `${al.cpuPercent} % of a core`],
          ],
        ),
  );
}

const hu = results.huge;
if (hu) {
  const c = hu.console;
  out.push(
    table(
      `${hu.checks.toLocaleString('en-US')} checks, ${hu.pings.toLocaleString('en-US')} stored pings (${hu.dbSizeMB} MB database)`,
      ['figure', 'value'],
      [
        ['start-up (spawn → listening)', `${hu.startMs} ms`],
        [`service CPU while idle (${hu.idleSeconds} s)`, `${hu.idleCpuPercent} % of a core`],
        ['RSS idle', `${hu.idleRssMB} MB`],
        ['GET /api/v3/checks/: first byte / all', `${hu.list.firstByteMs} / ${hu.list.totalMs} ms (${mb(hu.list.bytes)} MB)`],
        ['RSS while it streams (before → peak)', `${hu.list.rssBeforeMB} → ${hu.list.rssPeakMB} MB`],
        [`${hu.burst.checks} deadlines in one second: alerts received`, `${hu.burst.received}`],
        ['alert − deadline p50 / p99 / max', `${hu.burst.p50ms} / ${hu.burst.p99ms} / ${hu.burst.maxMs} ms`],
        ['console: first row of the overview', 'skipped' in c ? c.skipped : `${c.firstRowMs} ms`],
        ['console: app page / first window of rows (bytes)', 'skipped' in c ? '—' : `${c.pageMs} / ${c.overviewMs} ms (${c.overviewBytes} B)`],
        ['console: rows / DOM nodes, top → end of the list', 'skipped' in c ? '—' : `${c.rowsShown} / ${c.domNodes} → ${c.rowsShownAtEnd} / ${c.domNodesAtEnd}`],
        ['RSS at the end / peak (VmHWM)', `${hu.rssEndMB} / ${hu.peakRssMB} MB`],
      ],
    ),
  );
}

// SPEC §9 targets
const targets: [string, string, boolean | null][] = [];
const ing = results.ingest;
if (ing) {
  const wrkOne = 'skipped' in ing.reference ? 0 : ing.reference.comparisons[0].lubdubMedian;
  const best = Math.max(...ing.throughput.filter((x) => x.target === 'one check').map((x) => x.perSecond), wrkOne);
  targets.push(['≥ 15,000 pings/s to one check', `${best.toLocaleString('en-US')}/s`, best >= 15_000]);
  const p99 = ing.fixedRate.find((x) => x.bodyBytes === 0)!.p99ms;
  targets.push(['p99 < 10 ms at 1,000 pings/s', `${p99} ms`, p99 < 10]);
}
if (sc) {
  targets.push(['idle CPU near zero (10,000 checks)', `${sc.idleCpuPercent} %`, sc.idleCpuPercent < 1]);
  const rss = Math.max(sc.idleRssMB, sc.rssAfterLoadMB, sc.rssSettledMB);
  targets.push(['RSS < 100 MB (idle and after load)', `${sc.idleRssMB} / ${sc.rssAfterLoadMB} MB`, rss < 100]);
  const cc = results.scaleTsx;
  if (cc) {
    const rssC = Math.max(cc.idleRssMB, cc.rssAfterLoadMB, cc.rssSettledMB);
    targets.push(['RSS < 100 MB, through tsx (for comparison)', `${cc.idleRssMB} / ${cc.rssAfterLoadMB} MB`, rssC < 100]);
  }
}
if (al) {
  targets.push('skipped' in al ? ['alert within 1 s of its deadline', al.skipped, null] : ['alert within 1 s of its deadline', `max ${al.maxMs} ms`, al.missed === 0 && al.maxMs <= 1000]);
}
if (hu) {
  const n = hu.checks.toLocaleString('en-US');
  targets.push([`${n} checks: start-up < 3 s`, `${hu.startMs} ms`, hu.startMs < 3000]);
  targets.push([`${n} checks: idle CPU near zero`, `${hu.idleCpuPercent} %`, hu.idleCpuPercent < 1]);
  targets.push([`${n} checks: RSS < 150 MB`, `${hu.peakRssMB} MB peak`, hu.peakRssMB < 150]);
  targets.push([`${hu.burst.checks} same-second deadlines: alerts < 1 s`, `max ${hu.burst.maxMs} ms`, hu.burst.received === hu.burst.checks && hu.burst.maxMs < 1000]);
  const c = hu.console;
  targets.push('skipped' in c ? [`${n} checks: console overview < 2 s`, c.skipped, null] : [`${n} checks: console overview < 2 s, bounded DOM`, `${c.firstRowMs} ms, ${c.domNodesAtEnd} nodes`, c.firstRowMs < 2000 && c.rowsShownAtEnd < 100]);
}
out.push(table('SPEC §9 targets', ['target', 'measured', 'met'], targets.map(([t, v, ok]) => [t, v, ok === null ? '—' : ok ? 'yes' : 'NO'])));

const problems = [...(ing?.problems ?? []), ...(sc?.problems ?? []), ...(results.scaleTsx?.problems ?? []), ...(al && !('skipped' in al) ? al.problems : []), ...(hu?.problems ?? [])];
if (problems.length) out.push(`\nProblems:\n  ${problems.join('\n  ')}`);
results.seconds = Math.round((Date.now() - started.getTime()) / 1000);
console.log(out.join('\n'));

const dir = path.join(import.meta.dirname, 'results');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `bench-${started.toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
console.log(`\n${results.seconds} s (${Object.entries(results.sectionSeconds).map(([k, v]) => `${k} ${v} s`).join(', ')}); figures written to ${path.relative(process.cwd(), file)}`);
process.exit(problems.length ? 1 : 0);
