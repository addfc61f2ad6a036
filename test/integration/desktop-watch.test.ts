import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boot, type BootDeps } from '../../electron/app/boot.js';
import type { FoundLubdub } from '../../electron/app/discover.js';
import { PROMPT_CHANNEL } from '../../electron/app/ipc.js';
import { pair } from '../../electron/app/office.js';
import { settingsFeature } from '../../electron/service/api/settings.js';
import { officeFeature } from '../../electron/service/office/feature.js';
import { API } from '../../shared/api/routes.js';
import { createFakeElectron, type FakeBrowserWindow, type FakeElectron, testPlatform } from '../helpers/fake-electron.js';
import { harness, KEY, recordEvents, type Harness } from '../helpers/in-process.js';
import { tempDir, waitFor } from '../helpers/serve.js';

/**
 * Tray → Watch on the desk, driven through the fake `electron` against the real service
 * with sharing on over real TLS: "Enter an address…" and "Find on this network…" (an
 * injected browser; the real mDNS is covered in the network-namespace tests), the code
 * prompt (its page answered on the prompt channel as its preload would), a wrong code and
 * its retry, the lockout, and the server's own shell showing the code in a notification.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const T0 = Date.parse('2025-03-10T12:00:00Z');

async function office(): Promise<{ h: Harness; sharePort: number }> {
  const h = await harness({ start: T0, core: { aliveEveryMs: 0 }, features: [settingsFeature(), officeFeature()], config: { share: true, sharePort: 0, shareHost: '127.0.0.1' } });
  cleanups.push(() => fs.rmSync(h.dataDir, { recursive: true, force: true }));
  cleanups.push(() => h.stop());
  return { h, sharePort: (await h.api('GET', API.office.path)).json.share.port };
}

const code = async (h: Harness): Promise<string> => (await waitFor(async () => (await h.api('GET', API.office.path)).json.pairing)).code;

/** A shell booted on `own` as its local service (or from `settings` in the file). */
async function bootShell(own: Harness, opts: { settings?: unknown; find?: () => Promise<FoundLubdub[]>; name?: string } = {}) {
  const userData = tempDir('lubdub-desk-');
  cleanups.push(() => fs.rmSync(userData, { recursive: true, force: true }));
  if (opts.settings) fs.writeFileSync(path.join(userData, 'shell-settings.json'), JSON.stringify(opts.settings));
  const fake = createFakeElectron({ userData });
  const deps: BootDeps = {
    electron: fake.electron,
    clock: own.clock,
    platform: testPlatform(userData),
    startLocalService: async () => ({ target: { baseUrl: own.svc.uiUrl, apiKey: KEY }, stop: async () => {} }),
    connectionOptions: { minBackoffMs: 20, maxBackoffMs: 100 },
    trayRedrawMs: 5,
    findLubdubs: opts.find,
    deskName: opts.name ?? 'ana@desk',
  };
  const shell = (await boot(deps))!;
  expect(shell).not.toBeNull();
  cleanups.push(() => shell.shutdown());
  await waitFor(() => shell.connection.isConnected);
  return { fake, shell, userData, file: path.join(userData, 'shell-settings.json') };
}

/** The desk's own local Lubdub (what it watches before pairing). */
async function deskService(): Promise<Harness> {
  const h = await harness({ start: T0, core: { aliveEveryMs: 0 } });
  cleanups.push(() => fs.rmSync(h.dataDir, { recursive: true, force: true }));
  cleanups.push(() => h.stop());
  return h;
}

function promptWindow(fake: FakeElectron): FakeBrowserWindow | undefined {
  return fake.windows.filter((w) => w.options.webPreferences?.partition === 'lubdub-prompt' && !w.destroyed).at(-1);
}
/** The text of the page the prompt window shows now. */
function promptText(fake: FakeElectron): string {
  const url = promptWindow(fake)?.webContents.url ?? '';
  if (!url.startsWith('data:text/html;charset=utf-8;base64,')) return '';
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').toString('utf8');
}
/** Waits for a page containing `text` and answers it as the prompt preload would. */
async function answer(fake: FakeElectron, text: string, value: string | null): Promise<void> {
  await waitFor(() => promptText(fake).includes(text));
  await fake.ipcMain.invoke(PROMPT_CHANNEL, { value }, promptWindow(fake)!.webContents.url);
}
const watchLabels = (fake: FakeElectron) => fake.trays[0].labels().filter((l) => l.startsWith('Watch > '));

describe('Tray → Watch on the desk', () => {
  it('Enter an address → the code → paired: the device key and the pinned certificate are stored and the desk watches the office Lubdub', async () => {
    const { h, sharePort } = await office();
    const c = await h.api('POST', API.createCheck.path, { name: 'office-db-dump', timeout: 3600, grace: 600 });
    expect(await h.ping(c.json.uuid)).toBe(200);
    const { fake, file } = await bootShell(await deskService());
    expect(watchLabels(fake)).toEqual(['Watch > This computer', 'Watch > Find on this network…', 'Watch > Enter an address…', 'Watch > Edit connection settings…']);

    fake.trays[0].click('Watch > Enter an address…');
    // a typo first: said so, nothing sent
    await answer(fake, 'Watch another Lubdub', 'ftp://office');
    await answer(fake, 'Office mode pairs over https only', `127.0.0.1:${sharePort}`);
    const page = await waitFor(() => promptText(fake).includes('six-digit code') && promptText(fake));
    expect(page).toContain(`Pair with 127.0.0.1:${sharePort}`);
    expect(page).toContain('&quot;ana@desk&quot;');
    // the server's certificate as the desk sees it, to compare with Settings there
    const state = (await h.api('GET', API.office.path)).json;
    expect(page).toContain(state.share.fingerprint.slice(0, 23));
    expect(state.pairing.desk).toBe('ana@desk');
    await answer(fake, 'six-digit code', state.pairing.code);

    await waitFor(() => fake.app.relaunched);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(saved).toMatchObject({ mode: 'remote', url: `https://127.0.0.1:${sharePort}`, pin: { fingerprint: state.share.fingerprint } });
    expect(saved.pin.cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(promptWindow(fake)).toBeUndefined();
    const keys = (await h.api('GET', API.officeKeys.path)).json.keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ name: 'ana@desk', scope: 'device' });

    // the relaunched desk watches the office Lubdub over the pinned connection; "Stop watching" goes back
    const again = await bootShell(await deskService(), { settings: saved });
    await waitFor(() => again.fake.trays[0]?.tooltip.startsWith('All 1 up'));
    expect(watchLabels(again.fake)).toContain('Watch > Stop watching (back to this computer)');
    again.fake.trays[0].click('Watch > Stop watching (back to this computer)');
    expect(again.fake.app.relaunched).toBe(true);
    expect(JSON.parse(fs.readFileSync(again.file, 'utf8'))).toMatchObject({ mode: 'local', url: `https://127.0.0.1:${sharePort}`, pin: saved.pin });
  });

  it('a wrong code shows the error and asks for the new code; the right one pairs', async () => {
    const { h, sharePort } = await office();
    const { fake, file } = await bootShell(await deskService());
    fake.trays[0].click('Watch > Enter an address…');
    await answer(fake, 'Watch another Lubdub', `127.0.0.1:${sharePort}`);
    const first = await code(h);
    await answer(fake, 'six-digit code', first === '000000' ? '111111' : '000000');
    // the server counted it and shows a new code (the prompt asks for it once the new request is made)
    await waitFor(() => promptText(fake).includes('role="alert"'));
    expect(promptText(fake)).toMatch(/Not paired: .*shows a new code now; type that one/);
    const second = await code(h);
    expect((await h.api('GET', API.officeKeys.path)).json.keys).toEqual([]);
    await answer(fake, 'shows a new code now', second);
    await waitFor(() => fake.app.relaunched);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ mode: 'remote', url: `https://127.0.0.1:${sharePort}` });
  });

  it('cancelling the code prompt pairs nothing and stores nothing', async () => {
    const { h, sharePort } = await office();
    const { fake, file } = await bootShell(await deskService());
    fake.trays[0].click('Watch > Enter an address…');
    await answer(fake, 'Watch another Lubdub', `127.0.0.1:${sharePort}`);
    await code(h);
    await answer(fake, 'six-digit code', null);
    await waitFor(() => promptWindow(fake) === undefined);
    // the menu is usable again (no pairing under way)
    await waitFor(() => fake.trays[0].menu!.template.find((i: any) => i.label === 'Watch').submenu.find((i: any) => i.label === 'Enter an address…').enabled);
    expect(fs.existsSync(file)).toBe(false);
    expect(fake.app.relaunched).toBe(false);
    expect((await h.api('GET', API.officeKeys.path)).json.keys).toEqual([]);
  });

  it('five wrong codes: the lockout is shown, not retried', async () => {
    const { h, sharePort } = await office();
    const { fake } = await bootShell(await deskService());
    fake.trays[0].click('Watch > Enter an address…');
    await answer(fake, 'Watch another Lubdub', `127.0.0.1:${sharePort}`);
    for (let i = 0; i < 5; i++) {
      const right = await code(h);
      const before = promptWindow(fake)!.webContents.url;
      await answer(fake, 'six-digit code', right === '000000' ? '111111' : '000000');
      await waitFor(() => promptWindow(fake)?.webContents.url !== before);
    }
    await waitFor(() => promptText(fake).includes('is locked'));
    expect(promptText(fake)).toMatch(/Too many wrong codes: 127\.0\.0\.1:\d+ refuses pairing until 12:10\. Try again then\./);
    expect((await h.api('GET', API.office.path)).json.locked_until).toBe('2025-03-10T12:10:00+00:00');
    await answer(fake, 'is locked', '');
    await waitFor(() => promptWindow(fake) === undefined);
    expect(fake.app.relaunched).toBe(false);
  });

  it('Find on this network lists what it found (name and host, "none found" stated) and pairs with the chosen one', async () => {
    const { h, sharePort } = await office();
    const instance = (await h.api('GET', API.office.path)).json;
    let results: FoundLubdub[] = [];
    let release: () => void = () => {};
    const find = () => new Promise<FoundLubdub[]>((r) => (release = () => r(results)));
    const { fake, file } = await bootShell(await deskService(), { find });

    fake.trays[0].click('Watch > Find on this network…');
    await waitFor(() => watchLabels(fake).includes('Watch > Searching this network…'));
    expect(() => fake.trays[0].click('Watch > Find on this network…')).toThrow(/disabled/);
    release();
    await waitFor(() => watchLabels(fake).includes('Watch > No Lubdub found on this network'));
    // the search's menu item closed the menu: it opens again with the outcome
    await waitFor(() => fake.trays[0].popUps.length === 1);
    expect(fake.trays[0].popUps[0]).toContain('Watch > No Lubdub found on this network');

    const found = (name: string, host: string, share: number | null, id: string): FoundLubdub => ({
      name, host, addresses: ['127.0.0.1'], pingPort: 8420, sharePort: share, instance: id, version: '0.1.0', fingerprintPrefix: instance.share.fingerprint.replace(/:/g, '').slice(0, 16).toLowerCase(),
    });
    results = [found('Lubdub on office', 'office.local', sharePort, 'i-office'), found('Lubdub on nas', 'nas.local', null, 'i-nas')];
    fake.trays[0].click('Watch > Find on this network…');
    release();
    await waitFor(() => watchLabels(fake).includes('Watch > Lubdub on office — office.local'));
    expect(watchLabels(fake)).toContain('Watch > Lubdub on nas — nas.local (not shared)');
    expect(() => fake.trays[0].click('Watch > Lubdub on nas — nas.local (not shared)')).toThrow(/disabled/);

    fake.trays[0].click('Watch > Lubdub on office — office.local');
    await waitFor(() => promptText(fake).includes('Pair with Lubdub on office'));
    await answer(fake, 'six-digit code', await code(h));
    await waitFor(() => fake.app.relaunched);
    // paired at the address the announcement gave (a LAN without .local resolution still works)
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ mode: 'remote', url: `https://127.0.0.1:${sharePort}`, pin: { fingerprint: instance.share.fingerprint } });
  });

  it('the prompt channel answers only the page the prompt shows now', async () => {
    const { sharePort } = await office();
    const { fake } = await bootShell(await deskService());
    fake.trays[0].click('Watch > Enter an address…');
    await waitFor(() => promptText(fake).includes('Watch another Lubdub'));
    const url = promptWindow(fake)!.webContents.url;
    await expect(fake.ipcMain.invoke(PROMPT_CHANNEL, { value: `127.0.0.1:${sharePort}` }, 'http://127.0.0.1:8421/')).rejects.toThrow(/sender not allowed/);
    await expect(fake.ipcMain.invoke(PROMPT_CHANNEL, { value: 'x' }, url, { subframe: true })).rejects.toThrow(/sender not allowed/);
    await expect(fake.ipcMain.invoke(PROMPT_CHANNEL, { value: 'x', extra: 1 }, url)).rejects.toThrow(/payload/);
    await expect(fake.ipcMain.invoke(PROMPT_CHANNEL, { value: 'x'.repeat(301) }, url)).rejects.toThrow(/at most 300/);
    // none of these was taken as an answer: the same page still waits
    expect(promptWindow(fake)!.webContents.url).toBe(url);
    await fake.ipcMain.invoke(PROMPT_CHANNEL, { value: null }, url);
    await waitFor(() => promptWindow(fake) === undefined);
  });
});

describe('the server shows the code', () => {
  it('its own shell notifies "‹desk› wants to watch this Lubdub — code …"; the event stream never carries the code', async () => {
    const { h, sharePort } = await office();
    recordEvents(h);
    const server = await bootShell(h);
    const notes = () => server.fake.notifications.filter((n) => n.options.title?.includes('wants to watch'));
    const paired = await pair(`https://127.0.0.1:${sharePort}`, 'ana@desk', async () => {
      const note = await waitFor(() => notes()[0]);
      return /code (\d{6})$/.exec(note.options.title!)![1];
    });
    expect(paired.pin.fingerprint).toBe((await h.api('GET', API.office.path)).json.share.fingerprint);
    const [note] = notes();
    expect(note.shown).toBe(true);
    expect(note.options.title).toMatch(/^ana@desk wants to watch this Lubdub — code \d{6}$/);
    expect(note.options.body).toBe('Type this code on that computer before 12:02.');
    const theCode = note.options.title!.slice(-6);
    const officeEvents = h.events.filter((e) => e.type === 'office');
    expect(officeEvents.some((e) => (e.data as { pairing_pending: boolean }).pairing_pending)).toBe(true);
    expect(JSON.stringify(h.events)).not.toContain(theCode);
    // a click opens Settings, where the code is shown too
    note.click();
    await waitFor(() => server.fake.windows.some((w) => w.loads.some((u) => u.endsWith('/settings'))));
    expect(notes()).toHaveLength(1);
  });
});
