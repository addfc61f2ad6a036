import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteNativeBinding, type BindingRuntime } from '../../../electron/service/db/native-binding.mjs';

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
