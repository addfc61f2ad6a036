/**
 * The shell against the real service started in the test process the way its service
 * process starts it (startService + defaultFeatures + desktopServiceConfig), with a fake
 * `electron`: the whole feature set, without a process boundary in between.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../electron/service/clock.js';
import { boot, type Shell } from '../../electron/app/boot.js';
import { desktopServiceConfig } from '../../electron/app/local-service.js';
import { CONSOLE_PARTITION } from '../../electron/app/security.js';
import { defaultFeatures } from '../../electron/service/features.js';
import { startService, type RunningService } from '../../electron/service/service.js';
import { createFakeElectron } from '../helpers/fake-electron.js';
import { tempDir, waitFor } from '../helpers/serve.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('desktop shell with the real service', () => {
  it('boots, logs the console in with a session the service accepts, and follows live changes', async () => {
    const userData = tempDir('lubdub-desktop-');
    cleanups.push(() => fs.rmSync(userData, { recursive: true, force: true }));
    const fake = createFakeElectron({ userData });
    let svc: RunningService | null = null;
    const shell = (await boot({
      electron: fake.electron,
      clock: systemClock,
      platform: { platform: 'linux', env: {}, argv: ['lubdub'], execPath: '/x', iconsDir: '/icons', preloadPath: '/p.cjs', timeZone: 'UTC' },
      startLocalService: async (dir) => {
        const config = desktopServiceConfig({ LUBDUB_PING_HOST: '127.0.0.1', LUBDUB_PING_PORT: '0', LUBDUB_UI_PORT: '0', LUBDUB_LOG_LEVEL: 'warn' }, dir);
        svc = await startService(config, systemClock, defaultFeatures());
        return { target: { baseUrl: svc.uiUrl, apiKey: svc.runtime.apiKey }, stop: svc.stop };
      },
      trayRedrawMs: 5,
    })) as Shell;
    cleanups.push(() => shell.shutdown());
    const running = svc as unknown as RunningService;
    expect(running.config.dataDir).toBe(userData);
    expect(running.config.desktopNotifier).toBe(false);

    const tray = fake.trays[0];
    await waitFor(() => tray.tooltip === 'No checks yet');
    expect(path.basename(tray.image.path)).toBe('tray-idle-light.png');

    // The console window: the service's own UI URL, with the session cookie the service issued.
    const win = fake.windows[0];
    await waitFor(() => win.loads.length === 1);
    expect(win.loads[0]).toBe(`${running.uiUrl}/`);
    const cookie = fake.sessions.get(CONSOLE_PARTITION)!.cookieJar[0];
    const viaCookie = await fetch(`${running.uiUrl}/api/v3/checks/`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    expect(viaCookie.status).toBe(200);
    const withoutCookie = await fetch(`${running.uiUrl}/api/v3/checks/`);
    expect(withoutCookie.status).toBe(401);

    // Live: a check created through the API and pinged turns the tray green.
    const api = (p: string, init: RequestInit = {}) => fetch(running.uiUrl + p, { ...init, headers: { 'x-api-key': running.runtime.apiKey, 'content-type': 'application/json' } });
    const created = (await (await api('/api/v3/checks/', { method: 'POST', body: JSON.stringify({ name: 'nightly-backup', timeout: 86400, grace: 3600 }) })).json()) as { uuid: string };
    await waitFor(() => tray.tooltip === '1 new');
    const ping = await fetch(`${running.pingListenUrl}/ping/${created.uuid}`);
    expect(ping.status).toBe(200);
    expect(await ping.text()).toBe('OK');
    await waitFor(() => tray.tooltip === 'All 1 up · next: nightly-backup in 1 day');
    expect(path.basename(tray.image.path)).toBe('tray-up-light.png');

    // The real scheduler and desktop channel: the check goes down when its 1 s + 1 s run
    // out, the tray turns red and the service's notification is shown, once; a ping brings
    // it back with one recovery notification.
    expect((await api(`/api/v3/checks/${created.uuid}`, { method: 'POST', body: JSON.stringify({ timeout: 1, grace: 1 }) })).status).toBe(200);
    expect(await (await fetch(`${running.pingListenUrl}/ping/${created.uuid}`)).text()).toBe('OK');
    await waitFor(() => path.basename(tray.image.path) === 'tray-down-light.png', 15_000);
    await waitFor(() => fake.notifications.length === 1, 10_000);
    expect(tray.tooltip).toMatch(/^1 down: nightly-backup/);
    expect(fake.notifications[0].options.title).toMatch(/nightly-backup/);
    expect(await (await fetch(`${running.pingListenUrl}/ping/${created.uuid}`)).text()).toBe('OK');
    await waitFor(() => fake.notifications.length === 2, 10_000);
    expect(fake.notifications[1].options.title).toMatch(/nightly-backup/);
    fake.notifications[0].click();
    await waitFor(() => win.loads.at(-1) === `${running.uiUrl}/checks/${created.uuid}`);
    const page = await fetch(win.loads.at(-1)!, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    expect(page.status).not.toBe(401);
    await page.text();

    // Snooze and power go to the real routes.
    tray.click('Snooze notifications > For 1 hour');
    await waitFor(() => tray.tooltip.includes('snoozed until'));
    const muted = (await (await api('/api/lubdub/mute')).json()) as { muted_until: string | null };
    expect(muted.muted_until).not.toBeNull();
    fake.powerMonitor.emit('lock-screen');
    await waitFor(() => shell.power.reported.includes('lock'));

    // Quitting stops the service.
    fake.app.quit();
    await waitFor(() => fake.app.quitted);
    await expect(fetch(`${running.uiUrl}/api/v3/status/`)).rejects.toThrow();
  });
});
