// Part of `npm run build:electron`: tsc compiles electron/service to dist-electron but does
// not copy the files the service reads next to its compiled modules — the SQL migrations
// (db/migrations/*.sql) and the job wrapper script (wrapper/lubdub-run.sh). This copies every
// non-TypeScript file under electron/service to the same place in the output.
// Usage: node build/copy-assets.mjs [outDir]   (outDir defaults to dist-electron)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.resolve(root, process.argv[2] ?? 'dist-electron');
const src = path.join(root, 'electron', 'service');
const dst = path.join(outDir, 'electron', 'service');

// A migration deleted from the source must not linger in the output and be applied.
fs.rmSync(path.join(dst, 'db', 'migrations'), { recursive: true, force: true });
let n = 0;
for (const e of fs.readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!e.isFile() || /\.(c|m)?tsx?$/.test(e.name)) continue;
  const from = path.join(e.parentPath, e.name);
  const to = path.join(dst, path.relative(src, from));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to); // keeps the file mode (the wrapper stays executable)
  n++;
}
console.log(`copied ${n} asset(s) to ${path.relative(root, dst)}`);
