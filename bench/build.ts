import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../test/helpers/serve.js';

/**
 * Compiles the service with tsc into .tmp/bench-build (inside the project, so node_modules
 * resolve) and returns the command that runs it: the service as a packaged app runs it,
 * without tsx's loader (on Node 20 tsx's module hooks run in a worker thread of their own).
 */
export function buildService(): string[] {
  const out = path.join(ROOT, '.tmp', 'bench-build');
  fs.rmSync(out, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.electron.json', '--outDir', out, '--sourceMap', 'false'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  fs.cpSync(path.join(ROOT, 'electron', 'service', 'db', 'migrations'), path.join(out, 'electron', 'service', 'db', 'migrations'), { recursive: true });
  return [process.execPath, path.join(out, 'electron', 'service', 'cli.js')];
}
