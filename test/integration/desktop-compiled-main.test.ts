/**
 * The compiled app as `npm start` runs it (package.json "main" → dist-electron/…/main.js),
 * under Node with a fake `electron` module: proves the build output is complete — ESM
 * main, the service process entry, the sandboxed preload, the SQL migrations the service
 * reads, the icons.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ROOT, tempDir } from '../helpers/serve.js';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const outDir = path.join(ROOT, '.tmp', `electron-build-${process.pid}`);

beforeAll(() => {
  // What `npm run build:electron` does, into a private directory (tests run in parallel).
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.electron.json', '--outDir', outDir], { cwd: ROOT });
  execFileSync(process.execPath, ['build/copy-assets.mjs', outDir], { cwd: ROOT });
}, 120_000);
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe('compiled desktop main', () => {
  it('boots the shell and its service process from the build output, then quits cleanly', () => {
    const main = path.join(outDir, path.relative('dist-electron', pkg.main));
    expect(fs.existsSync(main)).toBe(true);
    const userData = tempDir('lubdub-compiled-');
    onTestFinished(() => fs.rmSync(userData, { recursive: true, force: true }));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/compiled/run-main.ts', main], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        LUBDUB_TEST_USERDATA: userData,
        LUBDUB_TEST_APP_PATH: ROOT,
        LUBDUB_PING_HOST: '127.0.0.1',
        LUBDUB_PING_PORT: '0',
        LUBDUB_UI_PORT: '0',
        LUBDUB_DATA_DIR: '',
      },
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('REPORT '));
    expect(line, r.stdout + r.stderr).toBeTruthy();
    const report = JSON.parse(line!.slice(7));
    expect(report.errors).toEqual([]);
    expect(report.tooltip).toBe('No checks yet');
    expect(report.trayImage).toBe(path.join(ROOT, 'build/icons/tray/tray-idle-light.png'));
    expect(fs.existsSync(report.trayImage)).toBe(true);
    expect(report.loads).toHaveLength(1);
    expect(report.loads[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(report.sessionCookies).toEqual(['lubdub_session']);
    // The preload the window uses is the compiled sandbox-ready CommonJS file.
    expect(report.webPreferences.preload).toBe(path.join(outDir, 'electron/preload/preload.cjs'));
    expect(fs.readFileSync(report.webPreferences.preload, 'utf8')).toContain('require("electron")');
    expect(report.quitted).toBe(true);
    // The service ran in its own (utility) process, forked from the compiled entry, and
    // ended by itself when the app quit.
    expect(report.utilityProcesses).toEqual([{ modulePath: path.join(outDir, 'electron/app/service-child.js'), exitCode: 0 }]);
    // The service kept its data in userData (SQLite created by the compiled migrations).
    expect(fs.existsSync(path.join(userData, 'lubdub.db'))).toBe(true);
  });
});
