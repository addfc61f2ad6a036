import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, StoreError } from '../../../electron/service/db/open.js';
import { sqliteNativeBinding, type BindingRuntime } from '../../../electron/service/db/native-binding.mjs';
import { ROOT, tempDir } from '../../helpers/serve.js';

const base: Omit<BindingRuntime, 'versions'> = { platform: 'linux', arch: 'x64', packaged: false, resourcesPath: '/opt/Lubdub/resources', appPath: '/home/me/lubdub' };

describe('which better-sqlite3 build a runtime loads', () => {
  it.each<[string, BindingRuntime, string | undefined]>([
    ['Node (serve, tests): the build in node_modules', { ...base, versions: {} }, undefined],
    ['Node, even with packaged set', { ...base, versions: {}, packaged: true }, undefined],
    ['Electron in development: the project\'s native/ folder', { ...base, versions: { electron: '45.5.0' } }, '/home/me/lubdub/native/electron-45.5.0-linux-x64/better_sqlite3.node'],
    [
      'Electron packaged: the app\'s resources',
      { ...base, versions: { electron: '45.5.0' }, packaged: true },
      '/opt/Lubdub/resources/native/electron-45.5.0-linux-x64/better_sqlite3.node',
    ],
    [
      'another Electron version, platform and CPU get their own file',
      { ...base, versions: { electron: '46.0.1' }, platform: 'darwin', arch: 'arm64', packaged: true, resourcesPath: '/Applications/Lubdub.app/Contents/Resources' },
      '/Applications/Lubdub.app/Contents/Resources/native/electron-46.0.1-darwin-arm64/better_sqlite3.node',
    ],
    ['an empty electron version is not Electron', { ...base, versions: { electron: '' } }, undefined],
  ])('%s', (_name, rt, expected) => {
    const got = sqliteNativeBinding(rt);
    expect(got).toBe(expected === undefined ? undefined : path.join(expected));
  });

  it('this test process (Node) loads the build in node_modules', () => {
    expect(sqliteNativeBinding({ ...base, versions: process.versions })).toBeUndefined();
  });
});

describe('openDb loads the binding it is given', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('an addon file that exists (here: the Node build) opens and migrates the database', () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = openDb(dir, { nativeBinding: path.join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node') });
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    db.close();
  });

  it('a missing addon file refuses to open, naming the file, and creates nothing', () => {
    const dir = tempDir();
    dirs.push(dir);
    const missing = path.join(dir, 'native/electron-45.5.0-linux-x64/better_sqlite3.node');
    expect(() => openDb(dir, { nativeBinding: missing })).toThrow(StoreError);
    expect(() => openDb(dir, { nativeBinding: missing })).toThrow(missing);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
