import { spawn, type SpawnOptions } from 'node:child_process';

/** What a finished command printed and how it ended. */
export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end without blocking this process. Tests use it instead of
 * spawnSync/execFileSync: a blocked event loop lets the service close its idle keep-alive
 * sockets (5 s) unseen, and the next fetch then fails with "other side closed".
 */
export function run(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d) => (stdout += d));
    p.stderr!.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs a command that must succeed; rejects with its output otherwise. */
export async function runOk(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<Ran> {
  const r = await run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r;
}
