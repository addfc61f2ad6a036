import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startReference } from '../../bench/against-reference.js';
import { formatSummary, summarise, type CpuProfile } from '../../bench/profile-summary.js';
import { hasWrk, wrk } from '../../bench/util.js';
import { tempDir } from '../helpers/serve.js';

const dirs: string[] = [];
const dir = (prefix: string) => {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs `source` under `node --cpu-prof` and returns the profile it wrote. */
async function profileOf(source: string): Promise<CpuProfile> {
  const d = dir('lubdub-test-profile-');
  fs.writeFileSync(path.join(d, 'work.mjs'), source);
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${d}`, path.join(d, 'work.mjs')], { stdio: 'ignore' });
  const code = await new Promise((r) => child.on('exit', r));
  expect(code).toBe(0);
  const file = fs.readdirSync(d).find((f) => f.endsWith('.cpuprofile'))!;
  return JSON.parse(fs.readFileSync(path.join(d, file), 'utf8')) as CpuProfile;
}

describe('bench:profile summary', () => {
  it('finds the function that burns the CPU, and a window leaves out what ran outside it', async () => {
    const profile = await profileOf(
      `function burnCpu(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) for (let i = 0; i < 1e5; i++) x = (x * 31 + i) | 0; return x; }
       burnCpu(400);
       await new Promise((r) => setTimeout(r, 400));`,
    );
    const all = summarise(profile);
    expect(all.topFunctions.slice(0, 3).map((f) => f.name)).toContain('burnCpu');
    const burn = all.topFunctions.find((f) => f.name === 'burnCpu')!;
    expect(burn.module).toMatch(/work\.mjs:1$/);
    expect(burn.ms).toBeGreaterThan(200);
    expect(all.busyMs).toBeGreaterThan(200);
    expect(all.areas.find((a) => a.name.startsWith('waiting'))!.ms).toBeGreaterThan(200);
    expect(formatSummary(all)).toMatch(/burnCpu/);

    // the last 300 ms are the timer's wait: burnCpu ran before them
    const lastMs = (profile.endTime - profile.startTime) / 1000;
    const tail = summarise(profile, { windowMs: [lastMs - 300, lastMs] });
    expect(tail.topFunctions.some((f) => f.name === 'burnCpu')).toBe(false);
    expect(tail.totalMs).toBeLessThanOrEqual(310);
  });
});

describe('reference receiver', () => {
  it('answers a ping after its row is committed, and stops with nothing left running', async () => {
    const ref = await startReference(dir('lubdub-test-reference-'));
    let pid: number;
    try {
      expect(ref.rows()).toBe(0);
      const r = await fetch(`${ref.url}/ping/5a2e7c1e-0000-4000-8000-000000000001`);
      expect(r.status).toBe(200);
      expect(await r.text()).toBe('OK');
      expect(ref.rows()).toBe(1);
      pid = ref.pid;
    } finally {
      await ref.stop();
    }
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it.skipIf(!hasWrk())('under wrk, every 2xx answer is a committed row', async () => {
    const ref = await startReference(dir('lubdub-test-reference-'));
    try {
      const w = await wrk(`${ref.url}/ping/x`, 10, 1);
      expect(w).not.toBeNull();
      expect(w!.non2xx).toBe(0);
      expect(w!.requests).toBeGreaterThan(0);
      expect(ref.rows()).toBeGreaterThanOrEqual(w!.requests);
      expect(ref.rows()).toBeLessThanOrEqual(w!.requests + 10);
    } finally {
      await ref.stop();
    }
  });
});
