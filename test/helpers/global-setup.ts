import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RUN_DIR_ENV, RUN_PREFIX, sweepAbandonedRuns, sweepRun } from './run-dir.js';

/**
 * Vitest and Playwright global set-up.
 * 1. Black-box tests run the compiled service and the built console, as `npm run serve`
 *    does, so both are brought up to date with the sources first.
 * 2. Every temp dir of the run lives in one run folder: TMPDIR points there, so each
 *    `os.tmpdir()` of the tests, their workers and the processes they start lands inside it,
 *    and the teardown removes it with every process group the tests recorded. A run that was
 *    killed before its teardown is swept by the next one.
 */
export default function setup(): () => void {
  const root = path.resolve(import.meta.dirname, '../..');
  const r = spawnSync(process.execPath, ['build/ensure-built.mjs'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the service or the console failed (node build/ensure-built.mjs)');

  const base = os.tmpdir();
  sweepAbandonedRuns(base);
  const runDir = fs.mkdtempSync(path.join(base, `${RUN_PREFIX}${process.pid}-`));
  process.env.TMPDIR = runDir;
  process.env[RUN_DIR_ENV] = runDir;
  const teardown = () => sweepRun(runDir);
  process.once('exit', teardown);
  return teardown;
}
