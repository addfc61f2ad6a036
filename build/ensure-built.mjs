// Makes a source checkout runnable: builds the console (Vite) and the compiled service (tsc)
// when their output is missing or older than any of their sources, printing one line for
// each. Run by `npm install` (prepare), `npm run serve` and the test set-up, so a new
// clone, a `git pull` and an edit all serve what the sources say. Exits non-zero with the
// build's own output when a build fails.
// Usage: node build/ensure-built.mjs [--force]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');

/** Newest modification time (ms) of the files below these paths; 0 when none exist. */
function newest(paths) {
  let t = 0;
  for (const p of paths) {
    const abs = path.join(root, p);
    if (!fs.existsSync(abs)) continue;
    const st = fs.statSync(abs);
    if (st.isFile()) {
      t = Math.max(t, st.mtimeMs);
      continue;
    }
    for (const e of fs.readdirSync(abs, { recursive: true, withFileTypes: true })) {
      if (e.isFile()) t = Math.max(t, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs);
    }
  }
  return t;
}

const mtime = (p) => (fs.existsSync(path.join(root, p)) ? fs.statSync(path.join(root, p)).mtimeMs : -1);

const parts = [
  {
    what: 'the console',
    output: 'dist/renderer/index.html',
    sources: ['renderer', 'shared', 'vite.config.ts', 'tsconfig.base.json', 'package.json'],
    script: 'build:renderer',
  },
  {
    what: 'the service',
    output: 'dist-electron/electron/service/cli.js',
    sources: ['electron', 'shared', 'tsconfig.electron.json', 'tsconfig.base.json', 'build/copy-assets.mjs', 'package.json'],
    script: 'build:electron',
  },
];

for (const p of parts) {
  const out = mtime(p.output);
  if (!force && out >= 0 && out >= newest(p.sources)) continue;
  console.error(`lubdub: building ${p.what} (${out < 0 ? 'not built yet' : force ? 'asked to' : 'sources changed'})…`);
  const r = spawnSync('npm', ['run', '--silent', p.script], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    console.error(`lubdub: building ${p.what} failed (npm run ${p.script})`);
    process.exit(1);
  }
  // tsc leaves an unchanged file's timestamp alone: mark the build as fresh.
  const now = new Date();
  fs.utimesSync(path.join(root, p.output), now, now);
}
