import Database from 'better-sqlite3';
import { chromium } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { API, pathOf } from '../shared/api/routes.js';
import { procStats, servicePid } from '../test/helpers/proc.js';
import { tempDir } from '../test/helpers/serve.js';
import { seedAndServe, type SeededFigures } from './scale.js';
import { alertCatcher, idleFigures, mb, owned, quantile, sleep } from './util.js';

/** Figures of the 100,000-check section. */
export interface HugeResult extends SeededFigures {
  /** GET /api/v3/checks/ read as a stream */
  list: { firstByteMs: number; totalMs: number; bytes: number; checks: number; rssBeforeMB: number; rssPeakMB: number };
  /** `sameSecond` checks whose deadlines are the same millisecond */
  burst: { checks: number; received: number; duplicates: number; p50ms: number; p99ms: number; maxMs: number; cpuPercent: number };
  /** the console's overview in Chromium */
  console: { firstRowMs: number; pageMs: number; overviewMs: number; overviewBytes: number; rowsShown: number; domNodes: number; rowsShownAtEnd: number; domNodesAtEnd: number; lastRowText: string } | { skipped: string };
  rssEndMB: number;
  peakRssMB: number;
  problems: string[];
}

/**
 * SPEC §9 times ten: `checks` checks (100,000 in a full run) with `pingsPerCheck` stored pings
 * each. Measures start-up, idle CPU and RSS, the list API read as a stream (first byte, total,
 * and how much the service grows meanwhile: a stream of pages, not one array), `sameSecond`
 * webhook alerts whose deadlines fall in the same second, and the console's overview in
 * Chromium (time to the first row, DOM size at the top and after scrolling to the end).
 */
export async function benchHuge(o: {
  checks: number;
  pingsPerCheck: number;
  sameSecond: number;
  idleSeconds: number;
  /** run this command instead of `npm run serve` (a profiled service) */
  command?: string[];
  /** skip the console's part */
  noConsole?: boolean;
  log: (l: string) => void;
}): Promise<HugeResult> {
  const problems: string[] = [];
  const dataDir = tempDir('lubdub-bench-huge-');
  const forgetDir = owned.dir(dataDir);
  const hook = await alertCatcher();
  const { arrivals } = hook;
  try {
    // the checks that will alert together share one last ping, on a whole second
    const shared = Math.floor(Date.now() / 1000) * 1000;
    const { s, seedSeconds, dbSizeMB, startMs } = await seedAndServe({
      ...o,
      dataDir,
      lastPingOf: (i, now) => (i < o.sameSecond ? shared : now - 60_000 - (i % 3600) * 1000),
    });
    try {
      const pid = servicePid(s.proc.pid!);
      const rss = () => mb(procStats(pid).rss);
      const { idleCpuPercent, idleRssMB } = await idleFigures(pid, o.idleSeconds);
      o.log(`idle: ${idleCpuPercent} % CPU, ${idleRssMB} MB RSS`);

      // the list, read as it arrives, with the service's RSS sampled meanwhile
      const rssBeforeMB = idleRssMB;
      let rssPeakMB = rssBeforeMB;
      const sampler = setInterval(() => (rssPeakMB = Math.max(rssPeakMB, rss())), 20);
      const tl = Date.now();
      // plain fetch: the test helper's `api` reads the whole body to check it against the schema
      const res = await fetch(s.uiUrl + API.listChecks.path, { headers: { 'x-api-key': s.apiKey } });
      const reader = res.body!.getReader();
      let firstByteMs = -1;
      const chunks: Buffer[] = [];
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        if (firstByteMs < 0) firstByteMs = Date.now() - tl;
        chunks.push(Buffer.from(r.value));
      }
      const totalMs = Date.now() - tl;
      clearInterval(sampler);
      const body = Buffer.concat(chunks);
      const all = (JSON.parse(body.toString('utf8')) as { checks: { uuid: string; name: string }[] }).checks;
      if (all.length !== o.checks) problems.push(`the list has ${all.length} checks, ${o.checks} were seeded`);
      const list = { firstByteMs, totalMs, bytes: body.length, checks: all.length, rssBeforeMB, rssPeakMB };
      o.log(`list: first byte ${firstByteMs} ms, all ${mb(body.length)} MB in ${totalMs} ms, RSS ${rssBeforeMB} → peak ${rssPeakMB} MB`);

      // the same-second wave: a webhook channel on the checks that share a last ping
      const ch = await s.api(API.createChannel.path, { method: 'POST', json: { name: 'bench webhook', kind: 'webhook', config: { url: hook.url } } });
      if (!ch.ok) throw new Error(`creating a webhook channel answered ${ch.status} ${await ch.text()}`);
      const channel = (await ch.json()) as { id: string };
      const byName = new Map(all.map((c) => [c.name, c.uuid]));
      const wave = Array.from({ length: o.sameSecond }, (_, i) => byName.get(`seeded job ${i}`)!);
      hook.watch(wave);
      const timeout = 60;
      const update = (uuid: string, grace: number) =>
        s.api(pathOf(API.updateCheck, { code: uuid }), { method: 'POST', json: { timeout, grace, channels: channel.id } }).then(async (r) => {
          if (!r.ok) throw new Error(`update ${uuid}: ${r.status} ${await r.text()}`);
        });
      // every deadline = shared + timeout + grace, well after the updates end (each one is a durable transaction)
      const estimate = Date.now() + 20_000 + o.sameSecond * 20;
      const grace = Math.max(60, Math.ceil((estimate - shared) / 1000) - timeout);
      const deadline = shared + (timeout + grace) * 1000;
      o.log(`${o.sameSecond} checks due at ${new Date(deadline).toISOString()}`);
      const queue = [...wave];
      await Promise.all(Array.from({ length: 8 }, async () => { for (let u = queue.pop(); u; u = queue.pop()) await update(u, grace); }));
      if (Date.now() > deadline - 2000) problems.push('the same-second checks were set up too late to measure their wave');
      const db = new Database(path.join(dataDir, 'lubdub.db'), { readonly: true });
      const stored = db.prepare('SELECT COUNT(*) AS n FROM checks WHERE alert_after = ?').get(deadline) as { n: number };
      db.close();
      if (stored.n !== o.sameSecond) problems.push(`${stored.n} checks store the shared deadline, ${o.sameSecond} should`);
      while (Date.now() < deadline - 1000) await sleep(100);
      const c1 = procStats(pid).cpuSeconds;
      const tw = Date.now();
      while (arrivals.size < wave.length && Date.now() < deadline + 30_000) await sleep(100);
      const cpuPercent = Math.round(((procStats(pid).cpuSeconds - c1) / ((Date.now() - tw) / 1000)) * 1000) / 10;
      const lat = wave.filter((u) => arrivals.has(u)).map((u) => arrivals.get(u)! - deadline).sort((a, b) => a - b);
      if (lat.length < wave.length) problems.push(`${wave.length - lat.length} of the same-second checks never alerted`);
      const duplicates = hook.duplicates();
      if (duplicates) problems.push(`${duplicates} repeated webhook calls`);
      const burst = { checks: wave.length, received: lat.length, duplicates, p50ms: quantile(lat, 0.5), p99ms: quantile(lat, 0.99), maxMs: lat.at(-1) ?? NaN, cpuPercent };
      o.log(`wave: ${lat.length} alerts, p50 ${burst.p50ms} ms, max ${burst.maxMs} ms after the deadline`);

      const consoleFigures = o.noConsole ? { skipped: 'not asked for' } : await overview(s.loginUrl, o.log);
      const rssEndMB = rss();
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const peakRssMB = mb(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024);
      return { checks: o.checks, pings: o.checks * o.pingsPerCheck, dbSizeMB, seedSeconds, startMs, idleSeconds: o.idleSeconds, idleCpuPercent, idleRssMB, list, burst, console: consoleFigures, rssEndMB, peakRssMB, problems };
    } finally {
      await s.stop();
    }
  } finally {
    await hook.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    forgetDir();
  }
}

/** Opens the console's overview in Debian's Chromium: time to the first row, then the DOM at the top and at the end of the list. */
async function overview(loginUrl: string, log: (l: string) => void): Promise<HugeResult['console']> {
  if (!fs.existsSync('/usr/bin/chromium')) return { skipped: 'no /usr/bin/chromium' };
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const t = Date.now();
    await page.goto(loginUrl);
    const rows = page.getByRole('list', { name: 'Checks', exact: true }).getByRole('listitem');
    await rows.first().waitFor({ timeout: 60_000 });
    const firstRowMs = Date.now() - t;
    // where the time to the first row goes: the app page and its script, then the first window of rows
    const timing = await page.evaluate<{ pageMs: number; overviewMs: number; overviewBytes: number }>(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const o = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/lubdub/overview'));
      return { pageMs: Math.round(nav ? nav.domContentLoadedEventEnd : -1), overviewMs: Math.round(o ? o.duration : -1), overviewBytes: o ? o.transferSize : -1 };
    })()`);
    // strings, not functions: this file is type-checked without the DOM's types
    const count = () => page.evaluate<number>("document.getElementsByTagName('*').length");
    const rowsShown = await rows.count();
    const domNodes = await count();
    // to the end of the list, in the steps a scroll wheel makes
    await page.evaluate(`(async () => {
      for (let i = 1; i <= 40; i++) {
        window.scrollTo(0, (document.documentElement.scrollHeight * i) / 40);
        await new Promise((r) => requestAnimationFrame(r));
      }
    })()`);
    // the rows at the end are read as they come on screen: wait for the last one's data
    const setsize = await rows.first().getAttribute('aria-setsize');
    await page.locator(`[aria-posinset="${setsize}"] a.row`).waitFor({ timeout: 60_000 });
    const lastRowText = ((await rows.last().textContent()) ?? '').slice(0, 60);
    const rowsShownAtEnd = await rows.count();
    const domNodesAtEnd = await count();
    log(`console: first row after ${firstRowMs} ms (app page ${timing.pageMs} ms, first window of rows ${timing.overviewMs} ms, ${timing.overviewBytes} B); ${rowsShown} rows / ${domNodes} DOM nodes at the top, ${rowsShownAtEnd} / ${domNodesAtEnd} at the end ("${lastRowText}")`);
    return { firstRowMs, ...timing, rowsShown, domNodes, rowsShownAtEnd, domNodesAtEnd, lastRowText };
  } finally {
    await browser.close();
  }
}
