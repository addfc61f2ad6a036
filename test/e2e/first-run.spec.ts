import { expect, test } from '@playwright/test';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { API_KEY, createCheck, ROOT, serve, tempDir, type Served } from '../helpers/serve.js';

/**
 * Lubdub as a newcomer meets it: a fresh clone, the README's two commands, the printed login
 * URL in a browser; then the packed npm tarball installed into an empty folder with
 * production dependencies only. Real npm, real git, the real registry cache.
 */
test.describe.configure({ mode: 'serial' });

const npmEnv = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const version: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, env: npmEnv, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test.describe('first run', () => {
  const dirs: string[] = [];
  let clone = '';
  let served: Served | null = null;

  test.beforeAll(() => {
    test.setTimeout(15 * 60_000);
    const parent = tempDir('lubdub-first-run-');
    dirs.push(parent);
    clone = path.join(parent, 'lubdub');
    // What is committed, as a new user's `git clone` gets it: no node_modules, no dist.
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone]);
    run('npm', ['ci', '--prefer-offline'], clone);
  });
  test.afterEach(async () => {
    await served?.stop();
    served = null;
  });
  test.afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  test('npm ci, npm run serve: the login URL opens the console, which lists a check made through the API', async ({ page }) => {
    test.setTimeout(5 * 60_000);
    expect(fs.existsSync(path.join(clone, 'dist', 'renderer', 'index.html'))).toBe(true);
    served = await serve({ cwd: clone, command: ['npm', 'run', 'serve', '--'], timeoutMs: 120_000 });
    // The install built everything: serve had nothing left to build.
    expect(served.output()).not.toMatch(/lubdub: building/);
    await createCheck(served, { name: 'first-run backup', timeout: 3600, grace: 60 });
    await page.goto(served.loginUrl);
    await expect(page).toHaveURL(served.uiUrl + '/');
    await expect(page.getByText('first-run backup').first()).toBeVisible();
    await expect(page.getByText('Console not built')).toHaveCount(0);
  });

  test('npm run serve rebuilds the console when its sources changed, printing one line', async () => {
    test.setTimeout(5 * 60_000);
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(path.join(clone, 'renderer', 'main.tsx'), later, later);
    served = await serve({ cwd: clone, command: ['npm', 'run', 'serve', '--'], timeoutMs: 120_000 });
    expect(served.output().match(/lubdub: building [^\n]*/g)).toEqual(['lubdub: building the console (sources changed)…']);
    const r = await fetch(served.uiUrl + '/api/v3/status/');
    expect(await r.text()).toBe('OK');
  });

  test('npm pack, installed into an empty folder: npx lubdub serve answers, lubdub --version prints the version', async () => {
    test.setTimeout(10 * 60_000);
    const out = tempDir('lubdub-pack-');
    dirs.push(out);
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out], clone)) as { filename: string; files: { path: string }[] }[];
    const files = packed[0].files.map((f) => f.path);
    expect(files).toContain('dist/renderer/index.html');
    expect(files).toContain('dist-electron/electron/service/cli.js');
    // Only the service and the console: no sources, tests or the desktop shell (npm always
    // packs package.json's "main", the shell's entry, which Electron and electron-builder need).
    expect(files.filter((f) => /^(test|renderer|electron)\//.test(f) || f.startsWith('dist-electron/electron/app/'))).toEqual(['dist-electron/electron/app/main.js']);

    const app = path.join(out, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'lubdub-user', private: true }));
    run('npm', ['install', '--omit=dev', '--prefer-offline', path.join(out, packed[0].filename)], app);
    const installed = fs.readdirSync(path.join(app, 'node_modules'));
    for (const dev of ['typescript', 'vite', 'vitest', 'tsx', 'electron', 'react']) expect(installed).not.toContain(dev);

    expect(run('npx', ['--no-install', 'lubdub', '--version'], app).trim()).toBe(version);
    expect(run('npx', ['--no-install', 'lubdub', '--help'], app)).toMatch(/lubdub serve|serve\s+run the ping receiver/);

    served = await serve({ cwd: app, command: ['npx', '--no-install', 'lubdub', 'serve'], timeoutMs: 60_000 });
    const r = await fetch(served.uiUrl + '/api/v3/status/', { headers: { 'x-api-key': API_KEY } });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('OK');
    // The console ships inside the package: its page is served, not the "not built" notice.
    const login = await fetch(served.loginUrl, { redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const page = await fetch(served.uiUrl + '/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
  });
});
