import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCheck, serve, tempDir, type Served } from '../helpers/serve.js';
import { blackHole, COMBOS, freePort, runWrapper, spoolDir, spoolEntries, type RunResult } from '../helpers/wrapper.js';

const running: Served[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

const tsOf = (url: string) => Math.round(Number(/[?&]ts=([0-9.]+)/.exec(url)![1]) * 1000);

describe('store-and-forward when Lubdub is down', () => {
  it('still runs the job within the request timeouts, spools both pings, and --flush or the next run delivers them at their original times', async () => {
    // The same data dir and the same ping port across the restart, as on a real NAS.
    const port = await freePort();
    const env = { LUBDUB_PING_PORT: String(port) };
    const first = await serve({ env });
    running.push(first);
    const checks = await Promise.all(COMBOS.map((c) => createCheck(first, { name: `spool ${c.name}`, timeout: 3600, grace: 600 })));
    await first.stop();

    // 1. Lubdub is down: every job still runs, keeps its exit code, pings are spooled.
    const states = COMBOS.map(() => tempDir('lubdub-state-'));
    const runs: RunResult[] = [];
    for (const [i, combo] of COMBOS.entries()) {
      const r = await runWrapper(combo, [`${first.pingUrl}/ping/${checks[i].uuid}`, '--', 'sh', '-c', `echo job ${i}; exit ${i + 1}`], {
        stateDir: states[i],
      });
      runs.push(r);
      expect(r.code, combo.name).toBe(i + 1);
      expect(r.stdout).toBe(`job ${i}\n`);
      expect(r.stderr).toMatch(/Lubdub unreachable .*spooling pings/);
      // refused connections fail at once: nothing waited for a request timeout
      expect(r.stderr).not.toMatch(/no reply within|timed out/);
      const spooled = spoolEntries(states[i]);
      expect(spooled.map((e) => e.url.replace(/\?.*/, ''))).toEqual([
        `${first.pingUrl}/ping/${checks[i].uuid}/start`,
        `${first.pingUrl}/ping/${checks[i].uuid}/${i + 1}`,
      ]);
      expect(spooled[1].body.toString()).toBe(`job ${i}\n`);
      for (const e of spooled) {
        expect(tsOf(e.url)).toBeGreaterThanOrEqual(Math.floor(r.startedAt / 1000) * 1000);
        expect(tsOf(e.url)).toBeLessThanOrEqual(r.endedAt);
      }
    }
    console.log(`offline runs took ${runs.map((r) => r.ms).join(', ')} ms (refused connections)`);

    // 2. A second offline run of the first combo appends behind the first run, in order.
    const again = await runWrapper(COMBOS[0], [`${first.pingUrl}/ping/${checks[0].uuid}`, '--', 'sh', '-c', 'exit 0'], { stateDir: states[0] });
    expect(again.code).toBe(0);
    expect(spoolEntries(states[0]).map((e) => e.url.replace(/^.*\/([^/?]+)\?.*$/, '$1'))).toEqual(['start', '1', 'start', '0']);

    // 3. Lubdub is back on the same port: --flush delivers everything, oldest first.
    const second = await serve({ dataDir: first.dataDir, env });
    running.push(second);
    expect(second.pingUrl).toBe(first.pingUrl);
    for (const [i, combo] of COMBOS.entries()) {
      if (i === 1) continue; // delivered by its next run instead, below
      const before = spoolEntries(states[i]);
      const endTs = tsOf(before.at(-1)!.url);
      const f = await runWrapper(combo, ['--flush'], { stateDir: states[i] });
      expect(f.code, `${combo.name}: ${f.stderr}`).toBe(0);
      expect(f.stdout).toMatch(new RegExp(`Delivered ${before.length} spooled pings; 0 left`));
      expect(fs.readdirSync(spoolDir(states[i])).filter((n) => !n.startsWith('.'))).toEqual([]);
      const c = (await (await second.api(`/api/v3/checks/${checks[i].uuid}`)).json()) as Record<string, any>;
      // the check's last ping is the job's own end time, not the delivery time
      expect(Date.parse(c.last_ping)).toBe(Math.floor(endTs / 1000) * 1000);
      const pl = ((await (await second.api(`/api/v3/checks/${checks[i].uuid}/pings/`)).json()) as { pings: Record<string, any>[] }).pings.reverse();
      expect(pl.map((p) => Date.parse(p.date))).toEqual(before.map((e) => tsOf(e.url)));
      for (const p of pl) expect(Date.parse(p.received)).toBeGreaterThan(Date.parse(p.date));
    }
    // the first combo's two runs: start, exit 1, start, exit 0 => up again, both runs paired
    const c0 = ((await (await second.api(`/api/v3/checks/${checks[0].uuid}/pings/`)).json()) as { pings: Record<string, any>[] }).pings.reverse();
    expect(c0.map((p) => [p.type, p.exitstatus ?? null])).toEqual([
      ['start', null],
      ['fail', 1],
      ['start', null],
      ['success', 0],
    ]);
    expect(c0[1].rid).toBe(c0[0].rid);
    expect(c0[3].rid).toBe(c0[2].rid);
    expect(typeof c0[1].duration).toBe('number');

    // 4. The next ordinary run replays the spool before its own start.
    const endTs1 = tsOf(spoolEntries(states[1])[1].url);
    const next = await runWrapper(COMBOS[1], [`${second.pingUrl}/ping/${checks[1].uuid}`, '--', 'sh', '-c', 'exit 0'], { stateDir: states[1] });
    expect(next.code).toBe(0);
    expect(next.stderr).toBe('');
    expect(spoolEntries(states[1])).toEqual([]);
    const c1 = ((await (await second.api(`/api/v3/checks/${checks[1].uuid}/pings/`)).json()) as { pings: Record<string, any>[] }).pings.reverse();
    expect(c1.map((p) => [p.type, p.exitstatus ?? null])).toEqual([
      ['start', null],
      ['fail', 2],
      ['start', null],
      ['success', 0],
    ]);
    expect(Date.parse(c1[1].date)).toBe(endTs1);
    expect(Date.parse(c1[1].date)).toBeLessThanOrEqual(runs[1].endedAt);
  }, 120_000);
});

describe('Lubdub unreachable without an answer (a black hole)', () => {
  it('gives up after 3 tries of the request timeout, curl and BusyBox wget alike, and the job keeps its exit code', async () => {
    const hole = await blackHole();
    try {
      const pick = [COMBOS[0], COMBOS[3]]; // dash + curl, busybox sh + BusyBox wget only
      const short = pick.map((combo) =>
        runWrapper(combo, [`${hole.url}/ping/00000000-0000-4000-8000-000000000001`, '--', 'sh', '-c', 'echo still ran; exit 5'], {
          env: { LUBDUB_TIMEOUT: '2' },
        }),
      );
      // the default 10 s per request, with BusyBox wget (whose -T Debian's build lacks)
      const dflt = runWrapper(COMBOS[3], [`${hole.url}/ping/00000000-0000-4000-8000-000000000002`, '--', 'sh', '-c', 'exit 6']);
      const results = await Promise.all([...short, dflt]);
      for (const [i, r] of results.slice(0, 2).entries()) {
        expect(r.code).toBe(5);
        expect(r.stdout).toBe('still ran\n');
        expect(r.stderr).toMatch(/no reply within 2 s|timed out/);
        // each try waited out its timeout: 3 × 2 s plus the 1 s + 2 s backoff, at the least
        expect(r.ms, pick[i].name).toBeGreaterThanOrEqual(8_500);
      }
      const d = results[2];
      expect(d.code).toBe(6);
      expect(d.ms).toBeGreaterThanOrEqual(32_500);
      // 3 tries of the start each, then the end ping goes straight to the spool
      for (const n of [1, 2]) {
        const uuid = `00000000-0000-4000-8000-00000000000${n}`;
        const tries = hole.requests.filter((l) => l.includes(uuid));
        expect(tries.length, uuid).toBe(n === 1 ? 6 : 3);
        expect(tries.every((l) => l.includes(`/ping/${uuid}/start`))).toBe(true);
      }
      console.log(`black hole: ${results.map((r) => r.ms).join(', ')} ms (timeouts 2, 2, 10 s)`);
    } finally {
      await hole.close();
    }
  }, 60_000);
});

describe('the spool is bounded', () => {
  const downUrl = 'http://127.0.0.1:9'; // discard port: nothing listens, connections are refused

  function prefill(state: string, n: number, bodyBytes: number): string[] {
    const dir = spoolDir(state);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const t0 = Math.floor(Date.now() / 1000) - 3600;
    const names: string[] = [];
    const body = Buffer.alloc(bodyBytes, 'x');
    for (let i = 0; i < n; i++) {
      const name = `${String(t0).padStart(12, '0')}-${String(1).padStart(10, '0')}-${String(i + 1).padStart(4, '0')}`;
      fs.writeFileSync(path.join(dir, name), Buffer.concat([Buffer.from(`${downUrl}/ping/${i}?ts=${t0}\n`), body]));
      names.push(name);
    }
    return names;
  }

  it('drops the oldest entries beyond 1,000, with a warning on stderr', async () => {
    const state = tempDir('lubdub-state-');
    const names = prefill(state, 1000, 10);
    const r = await runWrapper(COMBOS[3], [`${downUrl}/ping/00000000-0000-4000-8000-000000000003`, '--', 'sh', '-c', 'exit 0'], { stateDir: state });
    expect(r.code).toBe(0);
    expect(r.stderr.match(/spool full .*dropped the oldest ping/g)).toHaveLength(2);
    const left = spoolEntries(state);
    expect(left).toHaveLength(1000);
    expect(left[0].name).toBe(names[2]);
    expect(left.at(-1)!.url).toMatch(/\/ping\/00000000-0000-4000-8000-000000000003\/0\?rid=.*&ts=/);
  }, 60_000);

  it('drops the oldest entries beyond 10 MB', async () => {
    const state = tempDir('lubdub-state-');
    const names = prefill(state, 11, 1_000_000);
    const r = await runWrapper(COMBOS[0], [`${downUrl}/ping/00000000-0000-4000-8000-000000000004`, '--', 'sh', '-c', 'exit 0'], { stateDir: state });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/spool full .*dropped the oldest ping/);
    const left = spoolEntries(state);
    expect(left.map((e) => e.name)).not.toContain(names[0]);
    expect(left.map((e) => e.name)).toContain(names[10]);
    const total = left.reduce((n, e) => n + e.url.length + 1 + e.body.length, 0);
    expect(total).toBeLessThanOrEqual(10 * 1024 * 1024);
  }, 60_000);
});
