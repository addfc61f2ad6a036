/**
 * The desktop shell with the real service in its own process, as main.ts runs it: the
 * supervisor forks electron/app/service-child.ts through the fake `utilityProcess` (a Node
 * child with `process.parentPort`), restarts it when it dies, and stops it on quit.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boot, type Shell } from '../../electron/app/boot.js';
import { ServiceProcess, startServiceProcess, type ServiceProcessOptions } from '../../electron/app/service-process.js';
import { systemClock } from '../../electron/service/clock.js';
import { SERVICE_ENV, SERVICE_NODE_FLAGS } from '../../electron/service/node-flags.js';
import { createFakeElectron, FakeUtilityProcess, type FakeElectron } from '../helpers/fake-electron.js';
import { ROOT, tempDir, waitFor } from '../helpers/serve.js';

const ENTRY = path.join(ROOT, 'electron/app/service-child.ts');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  await FakeUtilityProcess.killAll();
});

function dir(prefix: string): string {
  const d = tempDir(prefix);
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Boots the shell with the service in a forked child; resolves with both. */
async function bootWithServiceProcess(opts: Partial<ServiceProcessOptions> = {}, env: Record<string, string> = {}): Promise<{ fake: FakeElectron; shell: Shell | null; sp: ServiceProcess; userData: string }> {
  const userData = dir('lubdub-desktop-');
  const fake = createFakeElectron({ userData });
  let sp: ServiceProcess | null = null;
  const shell = await boot({
    electron: fake.electron,
    clock: systemClock,
    platform: { platform: 'linux', env: {}, argv: ['lubdub'], execPath: '/x', iconsDir: '/icons', preloadPath: '/p.cjs', timeZone: 'UTC' },
    startLocalService: (dataDir) => {
      sp = new ServiceProcess({
        utilityProcess: fake.electron.utilityProcess,
        entry: ENTRY,
        userData: dataDir,
        env: { ...process.env, LUBDUB_DATA_DIR: '', LUBDUB_PING_HOST: '127.0.0.1', LUBDUB_PING_PORT: '0', LUBDUB_UI_PORT: '0', LUBDUB_LOG_LEVEL: 'warn', ...env },
        restartDelayMs: 100,
        log: () => {},
        ...opts,
      });
      return startServiceProcess(sp);
    },
    connectionOptions: { minBackoffMs: 100, maxBackoffMs: 400 },
    trayRedrawMs: 5,
  });
  if (shell) cleanups.push(() => shell.shutdown());
  return { fake, shell, sp: sp!, userData };
}

function api(shell: Shell, p: string, init: RequestInit = {}): Promise<Response> {
  return fetch(shell.target.baseUrl + p, { ...init, headers: { 'x-api-key': shell.target.apiKey, 'content-type': 'application/json' } });
}

// Each test forks the service through tsx (seconds on a busy machine).
describe('the service in a utility process', { timeout: 90_000 }, () => {
  it('the shell boots against the forked service and lists a check created through the API', async () => {
    const { fake, shell, sp, userData } = await bootWithServiceProcess();
    expect(shell).not.toBeNull();
    const child = fake.utilityProcesses.at(-1)!;
    expect(child.modulePath).toBe(ENTRY);
    expect(sp.pid).toBe(child.pid);
    expect(sp.pid).not.toBe(process.pid);
    expect(shell!.target).toEqual(sp.target);
    // The child's node runs with the service's heap flags (RSS after a load).
    if (process.platform === 'linux') {
      const argv = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      for (const flag of SERVICE_NODE_FLAGS) expect(argv).toContain(flag);
      // …and its environment caps glibc's malloc arenas (idle RSS)
      const environ = fs.readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
      for (const [k, v] of Object.entries(SERVICE_ENV)) expect(environ).toContain(`${k}=${v}`);
    }

    const tray = fake.trays[0];
    await waitFor(() => tray.tooltip === 'No checks yet');
    const created = await api(shell!, '/api/v3/checks/', { method: 'POST', body: JSON.stringify({ name: 'nightly-backup', timeout: 86400, grace: 3600 }) });
    expect(created.status).toBe(201);
    await waitFor(() => tray.tooltip === '1 new');
    expect(shell!.connection.checks.map((c) => c.name)).toEqual(['nightly-backup']);
    // The child keeps its data in userData, and the console window shows its UI.
    expect(fs.existsSync(path.join(userData, 'lubdub.db'))).toBe(true);
    await waitFor(() => fake.windows[0]?.loads[0] === `${shell!.target.baseUrl}/`);
  });

  it('a killed service shows "cannot reach" until the supervisor restarts it on the same ports, then the shell reconnects', async () => {
    const { fake, shell, sp } = await bootWithServiceProcess();
    const tray = fake.trays[0];
    const created = await api(shell!, '/api/v3/checks/', { method: 'POST', body: JSON.stringify({ name: 'db-dump', timeout: 86400, grace: 3600 }) });
    expect(created.status).toBe(201);
    await waitFor(() => tray.tooltip === '1 new');
    const first = fake.utilityProcesses.at(-1)!;
    const target = sp.target;
    const pingUrl = sp.pingUrl;
    const host = new URL(target!.baseUrl).host;

    const exited = once(sp, 'exit');
    const restarted = once(sp, 'ready');
    first.crash();
    const [exit] = await exited;
    expect(exit.expected).toBe(false);
    expect(alive(first.child.pid!)).toBe(false);
    // Down: the connection lost its stream; the tray says so.
    await waitFor(() => tray.tooltip === `Not connected to Lubdub at ${host} · retrying`);
    expect(tray.labels()).toContain(`Cannot reach Lubdub at ${host}`);
    expect(shell!.connection.isConnected).toBe(false);

    // Back: a new process, same URL and key, the check still there (SQLite survived the kill).
    const [again] = await restarted;
    expect(again).toEqual(target);
    expect(sp.pingUrl).toBe(pingUrl);
    const second = fake.utilityProcesses.at(-1)!;
    expect(second).not.toBe(first);
    expect(sp.pid).toBe(second.pid);
    await waitFor(() => tray.tooltip === '1 new');
    expect(shell!.connection.isConnected).toBe(true);
    expect(shell!.connection.checks.map((c) => c.name)).toEqual(['db-dump']);
    // The console window is logged in again (the restarted service forgot its sessions).
    const cookies = () => [...fake.sessions.values()].flatMap((s) => s.cookieJar);
    await waitFor(() => cookies().length === 2);
    const viaCookie = await fetch(`${target!.baseUrl}/api/v3/checks/`, { headers: { cookie: `${cookies()[1].name}=${cookies()[1].value}` } });
    expect(viaCookie.status).toBe(200);
  });

  it('quitting stops the service process: it exits by itself and none is left', async () => {
    const { fake, shell, sp } = await bootWithServiceProcess();
    await waitFor(() => fake.trays[0].tooltip === 'No checks yet');
    const child = fake.utilityProcesses.at(-1)!;
    const exited = once(sp, 'exit');
    fake.app.quit();
    const [exit] = await exited;
    expect(exit).toEqual({ code: 0, expected: true });
    await waitFor(() => fake.app.quitted);
    expect(alive(child.child.pid!)).toBe(false);
    expect(fake.utilityProcesses.every((p) => p.exitCode !== null)).toBe(true);
    await expect(fetch(`${shell!.target.baseUrl}/api/v3/status/`)).rejects.toThrow();
  });

  it('gives up after too many crashes in a row and leaves the tray at "cannot reach"', async () => {
    const { fake, sp } = await bootWithServiceProcess({ maxRestarts: 0 });
    const tray = fake.trays[0];
    await waitFor(() => tray.tooltip === 'No checks yet');
    const gaveUp = once(sp, 'gave-up');
    fake.utilityProcesses.at(-1)!.crash();
    const [why] = await gaveUp;
    expect(why).toMatch(/ended 1 times in a row .*not restarting/);
    await waitFor(() => tray.tooltip.startsWith('Not connected to Lubdub'));
    expect(fake.utilityProcesses).toHaveLength(1);
    expect(sp.pid).toBeUndefined();
  });

  it('a service that cannot start (port taken) is the shell\'s start error, and its process is gone', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => taken.close(() => r())));
    const port = (taken.address() as net.AddressInfo).port;
    const { fake, shell } = await bootWithServiceProcess({}, { LUBDUB_UI_PORT: String(port) });
    expect(shell).toBeNull();
    expect(fake.app.exitCode).toBe(1);
    expect(fake.errors).toHaveLength(1);
    expect(fake.errors[0].title).toBe('Lubdub could not start');
    expect(fake.errors[0].content).toContain(`console port ${port} on 127.0.0.1 is already in use`);
    const child = fake.utilityProcesses.at(-1)!;
    expect(child.exitCode).not.toBeNull();
    expect(fake.utilityProcesses).toHaveLength(1);
  });

  it('a missing Electron build of SQLite is named in the start error', async () => {
    const missing = path.join(dir('lubdub-native-'), 'native/electron-0.0.0-linux-x64/better_sqlite3.node');
    const { fake, shell } = await bootWithServiceProcess({ nativeBinding: missing });
    expect(shell).toBeNull();
    expect(fake.errors[0].content).toContain(`the Electron build of better-sqlite3 is missing (${missing}); npm start makes it`);
    expect(fake.utilityProcesses.at(-1)!.exitCode).not.toBeNull();
  });
});
