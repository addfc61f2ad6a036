import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boot, type BootDeps } from '../../electron/app/boot.js';
import { pair } from '../../electron/app/office.js';
import { IDENTITY_CHANGED } from '../../electron/app/tray-model.js';
import { settingsFeature } from '../../electron/service/api/settings.js';
import { loadOrCreateIdentity } from '../../electron/service/office/cert.js';
import { officeFeature } from '../../electron/service/office/feature.js';
import { API } from '../../shared/api/routes.js';
import { createFakeElectron, testPlatform } from '../helpers/fake-electron.js';
import { harness, type Harness } from '../helpers/in-process.js';
import { tempDir, waitFor } from '../helpers/serve.js';

/**
 * A desk pairs with the office Lubdub and watches it from the tray: the real boot list with
 * a fake `electron`, the real service in this process with sharing on over real TLS, the
 * desk's pairing run from the shell's code. A certificate other than the pinned one is
 * refused and the tray says so.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function office(): Promise<{ h: Harness; shareUrl: string }> {
  const h = await harness({ start: Date.parse('2025-03-10T12:00:00Z'), core: { aliveEveryMs: 0 }, features: [settingsFeature(), officeFeature()], config: { share: true, sharePort: 0, shareHost: '127.0.0.1' } });
  cleanups.push(() => fs.rmSync(h.dataDir, { recursive: true, force: true }));
  cleanups.push(() => h.stop());
  const port = (await h.api('GET', API.office.path)).json.share.port;
  return { h, shareUrl: `https://127.0.0.1:${port}` };
}

async function bootDesk(h: Harness, settings: unknown) {
  const userData = tempDir('lubdub-desk-');
  cleanups.push(() => fs.rmSync(userData, { recursive: true, force: true }));
  fs.writeFileSync(path.join(userData, 'shell-settings.json'), JSON.stringify(settings));
  const fake = createFakeElectron({ userData });
  const deps: BootDeps = {
    electron: fake.electron,
    clock: h.clock,
    platform: testPlatform(userData),
    startLocalService: async () => {
      throw new Error('a paired desk starts no local service');
    },
    connectionOptions: { minBackoffMs: 20, maxBackoffMs: 100 },
    trayRedrawMs: 5,
  };
  const shell = await boot(deps);
  expect(shell).not.toBeNull();
  cleanups.push(() => shell!.shutdown());
  return { fake, shell: shell! };
}

describe('a paired desk', () => {
  it('pairs with the code and shows the office checks in its tray over the pinned connection', async () => {
    const { h, shareUrl } = await office();
    const c = await h.api('POST', API.createCheck.path, { name: 'office-db-dump', timeout: 3600, grace: 600 });
    expect(await h.ping(c.json.uuid)).toBe(200);
    const paired = await pair(shareUrl, 'ana@desk', async () => (await h.api('GET', API.office.path)).json.pairing.code);

    const { fake } = await bootDesk(h, { mode: 'remote', url: paired.url, apiKey: paired.key, pin: paired.pin });
    const tray = () => fake.trays[0];
    await waitFor(() => tray()?.tooltip.startsWith('All 1 up'));
    expect(path.basename(tray().image.path)).toBe('tray-up-light.png');
    expect(tray().labels()).toContain('Watch > Remote: 127.0.0.1:' + new URL(shareUrl).port);
    // live over the share port's event stream: the check turns late, the tray follows
    h.timers.advance(65 * 60_000);
    await waitFor(() => tray().tooltip === '1 late: office-db-dump');
    // the device key was used from this desk
    const keys = (await h.api('GET', API.officeKeys.path)).json.keys;
    expect(keys[0]).toMatchObject({ name: 'ana@desk', scope: 'device', last_from: '127.0.0.1' });
  });

  it('refuses another certificate and says "identity changed — pair again"', async () => {
    const { h, shareUrl } = await office();
    const paired = await pair(shareUrl, 'ana@desk', async () => (await h.api('GET', API.office.path)).json.pairing.code);
    // the pin of some other Lubdub: what an impostor on this address would present
    const dir = tempDir('lubdub-other-');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const other = await loadOrCreateIdentity(dir, 'Lubdub elsewhere', Date.now());
    const streamsBefore = h.svc.bus.listenerCount('public');
    const { fake } = await bootDesk(h, { mode: 'remote', url: paired.url, apiKey: paired.key, pin: { fingerprint: other.fingerprint, cert: other.cert } });
    await waitFor(() => fake.trays[0]?.tooltip === IDENTITY_CHANGED);
    expect(fake.trays[0].labels()[0]).toBe(IDENTITY_CHANGED);
    expect(path.basename(fake.trays[0].image.path)).toBe('tray-disconnected-light.png');
    // nothing was accepted: no event stream was opened with the key
    expect(h.svc.bus.listenerCount('public')).toBe(streamsBefore);
  });
});
