import fs from 'node:fs';
import path from 'node:path';

/** The folder of one test run (set by the global set-up): temp dirs and recorded processes. */
export const RUN_DIR_ENV = 'LUBDUB_TEST_RUN_DIR';
/** Run folders are `<tmp>/lubdub-run-<pid of the runner>-<random>`. */
export const RUN_PREFIX = 'lubdub-run-';
const PIDS = 'process-groups';

/**
 * Records a detached process group started by a test, so the run's teardown (or, after a
 * killed run, the next run's sweep) ends it even when the test never got to.
 */
export function recordProcessGroup(pgid: number | undefined): void {
  const dir = process.env[RUN_DIR_ENV];
  if (dir && pgid) fs.appendFileSync(path.join(dir, PIDS), `${pgid}\n`);
}

/** The pids of the processes started inside this run (their environment carries its mark). */
function markedProcesses(runDir: string): number[] {
  const mark = `${RUN_DIR_ENV}=${runDir}`;
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(mark)) pids.push(Number(d));
    } catch {}
  }
  return pids;
}

const kill = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
};

/**
 * Ends what the run left and removes its folder. A live run's teardown ends the process
 * groups its tests recorded (its own test workers carry the mark too and are left to the
 * runner); the sweep of an abandoned run ends every process that carries its mark.
 */
export function sweepRun(runDir: string, everything = false): void {
  const marked = new Set(markedProcesses(runDir));
  if (everything) marked.forEach(kill);
  else {
    let groups: number[] = [];
    try {
      groups = fs.readFileSync(path.join(runDir, PIDS), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {}
    // A recycled pid belongs to someone else: only a group led by a marked process is ended.
    for (const g of groups) if (marked.has(g)) kill(-g);
  }
  fs.rmSync(runDir, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sweeps the run folders under `base` whose runner is gone (a run killed before its teardown). */
export function sweepAbandonedRuns(base: string): string[] {
  const swept: string[] = [];
  for (const name of fs.readdirSync(base)) {
    const m = new RegExp(`^${RUN_PREFIX}(\\d+)-`).exec(name);
    if (!m || alive(Number(m[1]))) continue;
    sweepRun(path.join(base, name), true);
    swept.push(name);
  }
  return swept;
}
