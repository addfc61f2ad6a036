// Part of `npm start` and `npm run dist`: makes better-sqlite3's build for Electron's ABI
// beside the Node build in node_modules, which stays as it is (`serve` and the tests load it;
// Electron refuses it with a NODE_MODULE_VERSION error).
//
// 1. Skip if native/electron-<version>-<platform>-<arch>/better_sqlite3.node exists.
// 2. Copy the better-sqlite3 package (without its build/) to a temp dir and run its
//    prebuild-install there for the installed electron: it downloads the prebuilt Electron
//    binary from better-sqlite3's GitHub releases.
// 3. If that fails and the project depends on @electron/rebuild, compile it there against Electron's
//    headers instead.
// 4. Move the binary into place (rename: a half-written file is never picked up), or exit 1
//    with one line that says what is needed.
//
// Usage: node build/electron-sqlite.mjs [--base <dir>]   (dir holding native/; the project by default)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { electronBindingFile, BINDING_FILE } from '../electron/service/db/native-binding.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireHere = createRequire(path.join(root, 'package.json'));
// A blackholed network must not hang `npm start` for long; the download is a few MB.
const DOWNLOAD_TIMEOUT_MS = 120_000;

/** A failure with the one line to print. */
class StepError extends Error {}

function fail(line) {
  throw new StepError(line);
}

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

let electronVersion;
try {
  electronVersion = JSON.parse(fs.readFileSync(requireHere.resolve('electron/package.json'), 'utf8')).version;
} catch {
  console.error('lubdub: electron is not installed; run npm install first');
  process.exit(1);
}
const { platform, arch } = process;
const base = path.resolve(argValue('--base') ?? root);
const target = electronBindingFile(base, electronVersion, platform, arch);
if (fs.existsSync(target)) process.exit(0);

const sqliteDir = path.dirname(requireHere.resolve('better-sqlite3/package.json'));
const sqliteVersion = JSON.parse(fs.readFileSync(path.join(sqliteDir, 'package.json'), 'utf8')).version;
const what = `the Electron build of better-sqlite3 ${sqliteVersion} (electron ${electronVersion}, ${platform}-${arch})`;
const again = process.env.npm_lifecycle_event ? `npm ${process.env.npm_lifecycle_event === 'start' ? 'start' : `run ${process.env.npm_lifecycle_event}`}` : 'this';

/** Runs prebuild-install in `dir`; resolves to null on success, else the reason it gave. */
function prebuildInstall(dir) {
  const bin = createRequire(path.join(sqliteDir, 'package.json')).resolve('prebuild-install/bin.js');
  // npm's package metadata of the project must not reach it (it skips git-installed packages).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_package_|^npm_lifecycle_/.test(k)));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, '--runtime', 'electron', '--target', electronVersion, '--platform', platform, '--arch', arch], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\nprebuild-install warn install no answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`;
      child.kill('SIGKILL');
    }, DOWNLOAD_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && fs.existsSync(path.join(dir, 'build', 'Release', BINDING_FILE))) return resolve(null);
      const warn = out.split('\n').filter((l) => /\b(warn|ERR!|error)\b/.test(l)).at(-1);
      resolve((warn ?? out.trim().split('\n').at(-1) ?? `exit ${code}`).replace(/^prebuild-install (warn|error) (install )?/, '').trim());
    });
  });
}

/**
 * Compiles it with @electron/rebuild when the project depends on it; null when it does not
 * (electron-builder pulls in a copy of its own, which is not ours to rely on).
 */
async function electronRebuild(appDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (!pkg.dependencies?.['@electron/rebuild'] && !pkg.devDependencies?.['@electron/rebuild']) return null;
  const { rebuild } = await import(pathToFileURL(requireHere.resolve('@electron/rebuild')).href);
  await rebuild({ buildPath: appDir, electronVersion, arch, onlyModules: ['better-sqlite3'], force: true });
  return true;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lubdub-electron-sqlite-'));
try {
  // An app folder with only better-sqlite3 in it: the layout both tools expect.
  const pkgDir = path.join(tmp, 'node_modules', 'better-sqlite3');
  fs.cpSync(sqliteDir, pkgDir, { recursive: true, filter: (src) => path.relative(sqliteDir, src).split(path.sep)[0] !== 'build' });
  fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'lubdub-electron-sqlite', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }));

  const reason = await prebuildInstall(pkgDir);
  if (reason !== null) {
    let rebuilt = null;
    try {
      rebuilt = await electronRebuild(tmp);
    } catch (e) {
      fail(`${what} could not be downloaded (${reason}) nor compiled with @electron/rebuild (${String(e?.message ?? e).split('\n')[0]}); connect to the internet and run ${again} again`);
    }
    if (rebuilt === null) {
      const missing = /No prebuilt binaries found/.test(reason)
        ? `has no prebuilt download (${reason}); it needs @electron/rebuild (npm install --save-dev @electron/rebuild) and the Electron headers from the internet`
        : `needs a download from better-sqlite3's GitHub releases, which failed (${reason}); connect to the internet and run ${again} again`;
      fail(`${what} ${missing}`);
    }
  }
  const built = path.join(pkgDir, 'build', 'Release', BINDING_FILE);
  if (!fs.existsSync(built)) fail(`${what} was not produced by the build (no ${BINDING_FILE})`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.tmp`;
  fs.copyFileSync(built, partial);
  fs.renameSync(partial, target);
  console.log(`lubdub: ${what} is in ${path.relative(process.cwd(), target) || target}`);
} catch (e) {
  if (!(e instanceof StepError)) throw e;
  console.error(`lubdub: ${e.message}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
