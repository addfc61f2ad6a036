import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Vitest and Playwright global set-up: black-box tests run the compiled service and the built
 * console, as `npm run serve` does, so bring both up to date with the sources first.
 */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  const r = spawnSync(process.execPath, ['build/ensure-built.mjs'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the service or the console failed (node build/ensure-built.mjs)');
}
