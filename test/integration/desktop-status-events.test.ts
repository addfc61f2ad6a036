/**
 * The shell (real boot list, fake `electron`) against the real service in-process on a fake
 * clock: the tray follows status changes from the event stream alone and makes no request
 * while nothing but time passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boot, type Shell } from '../../electron/app/boot.js';
import { createFakeElectron } from '../helpers/fake-electron.js';
import { harness, KEY, type Harness } from '../helpers/in-process.js';
import { tempDir, waitFor } from '../helpers/serve.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const MIN = 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function create(h: Harness, body: Record<string, unknown>): Promise<string> {
  const r = await h.api('POST', '/api/v3/checks/', { channels: '', ...body });
  expect(r.status).toBe(201);
  return r.json.uuid;
}

describe('desktop shell on the real service and a fake clock', () => {
  it('a job running for 10 minutes costs no request beyond the event stream; its end arrives as an event', async () => {
    const h = await harness({ start: T0, core: { aliveEveryMs: 0 } });
    const userData = tempDir('lubdub-shell-');
    cleanups.push(() => {
      fs.rmSync(h.dataDir, { recursive: true, force: true });
      fs.rmSync(userData, { recursive: true, force: true });
    });
    cleanups.push(() => h.stop());

    const backup = await create(h, { name: 'backup', timeout: 86400, grace: 3600 });
    const heartbeat = await create(h, { name: 'heartbeat', timeout: 300, grace: 120 });
    await h.ping(backup);
    await h.ping(heartbeat);
    expect(await h.ping(backup, '/start')).toBe(200);

    // Every request the shell makes goes through this fetch.
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    const fake = createFakeElectron({ userData });
    const shell = (await boot({
      electron: fake.electron,
      clock: h.clock,
      platform: {
        platform: 'linux',
        env: { XDG_CONFIG_HOME: path.join(userData, 'xdg') },
        argv: ['/opt/lubdub/lubdub', '--hidden'], // started at login: tray only, no console session
        execPath: '/opt/lubdub/lubdub',
        iconsDir: '/icons',
        preloadPath: '/p.cjs',
        timeZone: 'UTC',
      },
      startLocalService: async () => ({ target: { baseUrl: h.svc.uiUrl, apiKey: KEY }, stop: async () => {} }),
      fetch: counting,
      trayRedrawMs: 5,
    })) as Shell;
    cleanups.push(() => shell.shutdown());
    const tray = fake.trays[0];
    await waitFor(() => /^All 2 up/.test(tray.tooltip));
    expect(shell.connection.checks.find((c) => c.uuid === backup)?.status).toBe('started');
    // One snapshot per connection: the stream, the summary and the checks.
    expect([...requests].sort()).toEqual(['GET /api/events', 'GET /api/lubdub/summary', 'GET /api/v3/checks/']);

    // Ten minutes of fake time, a minute at a time. Meanwhile the heartbeat turns late
    // (5 min) and down (7 min): the tray shows both, from the service's events.
    for (let m = 1; m <= 10; m++) {
      h.timers.advance(MIN);
      if (m === 5) await waitFor(() => /^1 late: heartbeat/.test(tray.tooltip));
      if (m === 7) await waitFor(() => /^1 down: heartbeat/.test(tray.tooltip));
    }
    expect(shell.connection.checks.find((c) => c.uuid === backup)?.status).toBe('started');
    expect(tray.tooltipHistory.some((t) => /^1 late: heartbeat/.test(t))).toBe(true);

    // The job ends: its success reaches the tray as an event.
    expect(await h.ping(backup)).toBe(200);
    await waitFor(() => tray.tooltip === '1 down: heartbeat · next: backup in 1 day');
    expect(shell.connection.checks.find((c) => c.uuid === backup)).toMatchObject({ status: 'up', started: false, last_duration: 600 });
    expect(requests).toHaveLength(3);
  });
});
