import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_DIR_ENV, RUN_PREFIX, sweepAbandonedRuns, sweepRun } from '../helpers/run-dir.js';
import { serve, tempDir, waitFor } from '../helpers/serve.js';

const base = tempDir('lubdub-hygiene-');
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A stand-in test runner: makes its run folder as the global set-up does, starts a detached
 * service-like child (a sleeper that carries the run's mark) and a file, then reports both.
 */
function startRunner(): Promise<{ runner: number; child: number; runDir: string; exited: Promise<unknown> }> {
  const script = `
    const fs = require('node:fs'), path = require('node:path'), { spawn } = require('node:child_process');
    const runDir = fs.mkdtempSync(path.join(${JSON.stringify(base)}, ${JSON.stringify(RUN_PREFIX)} + process.pid + '-'));
    fs.writeFileSync(path.join(runDir, 'lubdub.db'), 'x');
    const c = spawn('sleep', ['600'], { detached: true, stdio: 'ignore', env: { ...process.env, ${RUN_DIR_ENV}: runDir } });
    console.log(JSON.stringify({ runner: process.pid, child: c.pid, runDir }));
    setInterval(() => {}, 1000);`;
  const p = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => p.once('exit', r));
  return new Promise((res) => p.stdout.once('data', (d) => res({ ...JSON.parse(String(d)), exited })));
}

describe('test runs clean up after themselves', () => {
  it('a run killed before its teardown is swept by the next: its processes end and its folder goes', async () => {
    const { runner, child, runDir, exited } = await startRunner();
    expect(sweepAbandonedRuns(base)).toEqual([]); // its runner still runs: left alone
    expect(alive(child)).toBe(true);
    process.kill(runner, 'SIGKILL');
    await exited;
    expect(sweepAbandonedRuns(base)).toEqual([path.basename(runDir)]);
    // the child is not ours to wait for: SIGKILLed, it is gone once its new parent reaps it
    await waitFor(() => !alive(child), 20_000, 20);
    expect(fs.existsSync(runDir)).toBe(false);
  });

  it('a live run ends only the process groups it recorded that carry its mark', async () => {
    const runDir = fs.mkdtempSync(path.join(base, 'live-'));
    const marked = spawn('sleep', ['600'], { detached: true, stdio: 'ignore', env: { ...process.env, [RUN_DIR_ENV]: runDir } });
    const stranger = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    fs.writeFileSync(path.join(runDir, 'process-groups'), `${marked.pid}\n${stranger.pid}\n`);
    const markedExit = new Promise((r) => marked.once('exit', r));
    sweepRun(runDir);
    await markedExit;
    expect(alive(stranger.pid!)).toBe(true);
    process.kill(stranger.pid!, 'SIGKILL');
    expect(fs.existsSync(runDir)).toBe(false);
  });

  it('this run keeps its temp dirs inside its own run folder', () => {
    const runDir = process.env[RUN_DIR_ENV]!;
    expect(path.basename(runDir).startsWith(RUN_PREFIX)).toBe(true);
    expect(path.dirname(base)).toBe(runDir);
  });

  // The bench runs real services outside any test run (no run folder to sweep): the helper
  // itself must leave no data dir and no process behind.
  it('serve().dispose() ends the service and its process group and removes the data dir it made; a failed start leaves nothing', async () => {
    const tmp = fs.mkdtempSync(path.join(base, 'serve-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const s = await serve();
      expect(path.dirname(s.dataDir)).toBe(tmp);
      const group = s.proc.pid!;
      await s.dispose();
      expect(fs.readdirSync(tmp)).toEqual([]);
      expect(() => process.kill(-group, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));

      await expect(serve({ args: ['--ping-port', 'not-a-port'] })).rejects.toThrow(/service did not start/);
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      process.env.TMPDIR = saved;
    }
  });
});
