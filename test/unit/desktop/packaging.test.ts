import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { expandMacro } from 'app-builder-lib/out/util/macroExpander.js';
import { resolveFunction } from 'app-builder-lib/out/util/resolve.js';
import { DebugLogger } from 'builder-util/out/util.js';
import { Minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { electronBindingFile, NATIVE_DIR, sqliteNativeBinding } from '../../../electron/service/db/native-binding.mjs';
import { electronBinaryPath, lubdubFuses } from '../../../build/after-pack.mjs';
import { ROOT, tempDir } from '../../helpers/serve.js';

const CONFIG = 'build/electron-builder.json';
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('electron-builder config', () => {
  it('passes electron-builder\'s own schema validation', async () => {
    const cfg = await getConfig(ROOT, CONFIG, null);
    await expect(validateConfiguration(cfg, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('names the app, builds AppImage+deb, dmg and nsis, outside Vite\'s dist/', async () => {
    const cfg = await getConfig(ROOT, CONFIG, null);
    expect(cfg.appId).toBe('app.lubdub.desktop');
    expect(cfg.productName).toBe('Lubdub');
    expect(cfg.linux?.target).toEqual(['AppImage', 'deb']);
    expect(cfg.mac?.target).toEqual(['dmg']);
    expect(cfg.win?.target).toEqual(['nsis']);
    expect(cfg.directories?.output).toBe('release');
    expect(path.resolve(ROOT, cfg.directories!.output!).startsWith(path.resolve(ROOT, 'dist') + path.sep)).toBe(false);
    // better-sqlite3 cannot be rebuilt for Electron's ABI on this offline machine (docs/desktop-runtime.md).
    expect(cfg.npmRebuild).toBe(false);
    expect(cfg.asarUnpack).toContain('**/*.node');
    for (const p of [cfg.linux?.icon, cfg.mac?.icon, cfg.win?.icon]) expect(fs.existsSync(path.join(ROOT, p as string))).toBe(true);
    expect(cfg.extraResources).toEqual([
      { from: 'build/icons', to: 'icons', filter: ['**/*.png'] },
      { from: 'native', to: 'native', filter: ['electron-*-${platform}-${arch}/better_sqlite3.node'] },
    ]);
  });

  it('packs the Electron build of better-sqlite3 where the packaged app looks for it', async () => {
    const cfg = await getConfig(ROOT, CONFIG, null);
    const set = (cfg.extraResources as { from: string; to: string; filter: string[] }[]).find((r) => r.from === NATIVE_DIR)!;
    // What build/electron-sqlite.mjs writes, relative to the project …
    const made = electronBindingFile(ROOT, '45.5.0', process.platform, 'x64');
    const rel = path.relative(path.join(ROOT, set.from), made).split(path.sep).join('/');
    // … matches the filter as electron-builder expands it for this arch (and not for another) …
    expect(new Minimatch(expandMacro(set.filter[0], 'x64', {} as never)).match(rel)).toBe(true);
    expect(new Minimatch(expandMacro(set.filter[0], 'arm64', {} as never)).match(rel)).toBe(false);
    // … and lands in resources/ where the packaged app's binding choice points.
    const resources = '/opt/Lubdub/resources';
    const loaded = sqliteNativeBinding({ versions: { electron: '45.5.0' }, platform: process.platform, arch: 'x64', packaged: true, resourcesPath: resources, appPath: '/x' });
    expect(loaded).toBe(path.join(resources, set.to, rel));
    // The Node build (and SQLite's sources) stay out of the app: only the Electron build loads there.
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, CONFIG), 'utf8')).files).toContain('!**/node_modules/better-sqlite3/{build,deps,src}/**');
  });

  it('package.json "main" is where tsc puts electron/app/main.ts', () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.electron.json'), 'utf8'));
    expect(tsconfig.compilerOptions.rootDir).toBe('.');
    expect(pkg.main).toBe(path.posix.join(tsconfig.compilerOptions.outDir, 'electron/app/main.js'));
    // The Electron build of better-sqlite3 is made before Electron starts or is packed.
    expect(pkg.scripts.start).toMatch(/^node build\/electron-sqlite\.mjs && .* && electron \.$/);
    expect(pkg.scripts.dist).toMatch(/^node build\/electron-sqlite\.mjs && npm run build && electron-builder /);
    expect(pkg.scripts['build:electron']).toContain('node build/copy-assets.mjs');
    expect(pkg.scripts.typecheck).toContain('tsc --noEmit -p tsconfig.electron.json');
  });
});

/** A stand-in Electron binary: some bytes, the fuse sentinel, wire version 1, and Electron's default fuse wire. */
function fakeElectronBinary(file: string): void {
  const defaults = [0x31, 0x30, 0x31, 0x31, 0x30, 0x30, 0x30, 0x31, 0x31]; // '1' enabled, '0' disabled
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat([Buffer.alloc(4096, 7), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, defaults.length, ...defaults]), Buffer.alloc(4096, 9)]));
}

describe('afterPack: Electron fuses', () => {
  it('the hook, loaded the way electron-builder loads it, burns the fuses into the packed binary', async () => {
    const cfg = await getConfig(ROOT, CONFIG, null);
    expect(cfg.afterPack).toBe('./build/after-pack.mjs');
    const hook = await resolveFunction<(ctx: unknown) => Promise<void>>(undefined, path.join(ROOT, cfg.afterPack as string), 'afterPack', ROOT);
    const appOutDir = tempDir('lubdub-pack-');
    const binary = path.join(appOutDir, 'lubdub');
    fakeElectronBinary(binary);
    const before = await getCurrentFuseWire(binary);
    expect(before[FuseV1Options.RunAsNode]).toBe(0x31);

    await hook({ appOutDir, electronPlatformName: 'linux', arch: 1, packager: { executableName: 'lubdub', appInfo: { productFilename: 'Lubdub' } } });

    const wire = await getCurrentFuseWire(binary);
    const on = 0x31;
    const off = 0x30;
    expect(wire[FuseV1Options.RunAsNode]).toBe(off);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(off);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(off);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(on);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(on);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(off);
    // untouched: left as Electron ships them
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(off);
    expect(wire[FuseV1Options.WasmTrapHandlers]).toBe(on);
  });

  it('finds the binary on each platform', () => {
    const packager = { executableName: 'lubdub', appInfo: { productFilename: 'Lubdub' } };
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'linux', packager })).toBe('/o/lubdub');
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'win32', packager })).toBe('/o/Lubdub.exe');
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'darwin', packager })).toBe('/o/Lubdub.app');
  });

  it('re-signs ad hoc only on macOS', () => {
    expect(lubdubFuses('darwin').resetAdHocDarwinSignature).toBe(true);
    expect(lubdubFuses('linux').resetAdHocDarwinSignature).toBe(false);
    expect(lubdubFuses('win32').resetAdHocDarwinSignature).toBe(false);
  });
});

describe('build: service assets next to the compiled service', () => {
  it('copy-assets puts the SQL migrations and the wrapper script where the compiled modules look', () => {
    const out = tempDir('lubdub-build-');
    const stale = path.join(out, 'electron/service/db/migrations/0999_deleted.sql');
    fs.mkdirSync(path.dirname(stale), { recursive: true });
    fs.writeFileSync(stale, 'DROP TABLE checks;');
    execFileSync(process.execPath, [path.join(ROOT, 'build/copy-assets.mjs'), out], { cwd: ROOT });

    const src = fs.readdirSync(path.join(ROOT, 'electron/service/db/migrations')).filter((f) => f.endsWith('.sql'));
    expect(src.length).toBeGreaterThan(0);
    const dst = path.join(out, 'electron/service/db/migrations');
    // exactly the current migrations: one deleted from the source is not left to be applied
    expect(fs.readdirSync(dst).sort()).toEqual(src.sort());
    for (const f of src) expect(fs.readFileSync(path.join(dst, f), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'electron/service/db/migrations', f), 'utf8'));

    const assets = fs
      .readdirSync(path.join(ROOT, 'electron/service'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !/\.(c|m)?tsx?$/.test(e.name)) // TypeScript, declarations (.d.mts) included
      .map((e) => path.relative(path.join(ROOT, 'electron/service'), path.join(e.parentPath, e.name)));
    for (const a of assets) {
      const from = fs.statSync(path.join(ROOT, 'electron/service', a));
      const to = fs.statSync(path.join(out, 'electron/service', a));
      expect({ a, size: to.size, mode: to.mode & 0o777 }).toEqual({ a, size: from.size, mode: from.mode & 0o777 });
    }
    expect(fs.existsSync(path.join(out, 'electron/service/service.ts'))).toBe(false);
    // The binding layout is plain JavaScript shared with build/electron-sqlite.mjs: it ships as is.
    expect(fs.existsSync(path.join(out, 'electron/service/db/native-binding.mjs'))).toBe(true);
  });
});
