// Part of `npm run build:electron`: tsc compiles electron/service to dist-electron but does
// not copy the SQL migrations the service reads next to its compiled migrate.js.
// Usage: node build/copy-migrations.mjs [outDir]   (outDir defaults to dist-electron)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.resolve(root, process.argv[2] ?? 'dist-electron');
const from = path.join(root, 'electron', 'service', 'db', 'migrations');
const to = path.join(outDir, 'electron', 'service', 'db', 'migrations');
fs.rmSync(to, { recursive: true, force: true });
fs.mkdirSync(to, { recursive: true });
const files = fs.readdirSync(from).filter((f) => f.endsWith('.sql'));
for (const f of files) fs.copyFileSync(path.join(from, f), path.join(to, f));
console.log(`copied ${files.length} migration(s) to ${path.relative(root, to)}`);
