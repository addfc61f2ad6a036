/**
 * Wiring tests of the desktop shell: the real boot list and setupX() modules, a fake
 * `electron` injected into boot(), and the real service in this process on a fake clock
 * (test/helpers/in-process.ts). The tests drive the service as users and time would:
 * checks created and pinged through the API, the clock advanced, the service stopped and
 * started again on its port.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationJson } from '../../shared/api/types.js';
import { ManualClock } from '../../shared/domain/clock.js';
import { boot, type BootDeps, type Shell } from '../../electron/app/boot.js';
import { CONSOLE_PARTITION } from '../../electron/app/security.js';
import { createFakeElectron, type FakeElectron } from '../helpers/fake-electron.js';
import { harness, KEY, settle, type Harness } from '../helpers/in-process.js';
import { tempDir, waitFor } from '../helpers/serve.js';
import { shellFetch, type ShellFetch } from '../helpers/shell-fetch.js';

const NOW = Date.parse('2025-03-10T12:00:00Z');
const MIN = 60_000;
const ICONS = '/icons';
/** A normal launch: the console window opens at start. */
const SHOWN = ['/opt/lubdub/lubdub'];

/** The real service, which a test can stop and start again on the same port and data. */
interface Svc {
  h: Harness;
  /** its console/API origin (stays the same across restarts) */
  url: string;
  /** open event streams (each is one listener on the service's bus) */
  streams: () => number;
  /** drops every connection to it, as a sleep or a network change would */
  drop: () => void;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** creates a check (no channels unless given) and returns its uuid */
  create: (body: Record<string, unknown>) => Promise<string>;
}

interface Booted {
  fake: FakeElectron;
  svc: Svc;
  /** every request the shell made */
  net: ShellFetch;
  /** the "nightly-backup" check of a default service: every 14 min, 1 min grace, pinged at NOW */
  uuid: string;
  shell: Shell;
  userData: string;
  localStarts: number;
  localStops: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startSvc(config: NonNullable<Parameters<typeof harness>[0]>['config'] = {}): Promise<Svc> {
  let h = await harness({ start: NOW, core: { aliveEveryMs: 0 }, config });
  const dataDir = h.dataDir;
  const port = Number(new URL(h.svc.uiUrl).port);
  let running = true;
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(async () => {
    if (running) await h.stop();
  });
  const svc: Svc = {
    get h() {
      return h;
    },
    url: h.svc.uiUrl,
    streams: () => h.svc.bus.listenerCount('public'),
    drop: () => h.svc.api.server.closeAllConnections(),
    stop: async () => {
      running = false;
      await h.stop();
    },
    start: async () => {
      h = await harness({ clock: h.clock, dataDir, core: { aliveEveryMs: 0 }, config: { ...config, uiPort: port } });
      running = true;
    },
    create: async (body) => {
      const r = await h.api('POST', '/api/v3/checks/', body);
      expect(r.status).toBe(201);
      return r.json.uuid;
    },
  };
  return svc;
}

async function bootShell(
  opts: {
    userData?: string;
    svc?: Svc;
    platform?: NodeJS.Platform;
    env?: NodeJS.ProcessEnv;
    argv?: string[];
    lock?: boolean;
  } = {},
): Promise<Booted> {
  const svc = opts.svc ?? (await startSvc());
  let uuid = '';
  if (!opts.svc) {
    // With the service's desktop channel (seeded on first start), as a new user has it.
    uuid = await svc.create({ name: 'nightly-backup', timeout: 14 * 60, grace: 60 });
    expect(await svc.h.ping(uuid)).toBe(200);
  }
  const userData = opts.userData ?? tempDir('lubdub-shell-');
  if (!opts.userData) cleanups.push(() => fs.rmSync(userData, { recursive: true, force: true }));
  const fake = createFakeElectron({ userData, lock: opts.lock });
  const net = shellFetch();
  const counters = { localStarts: 0, localStops: 0 };
  const deps: BootDeps = {
    electron: fake.electron,
    clock: svc.h.clock,
    platform: {
      platform: opts.platform ?? 'linux',
      env: opts.env ?? { XDG_CONFIG_HOME: path.join(userData, 'xdg') },
      // Started at login (tray only) unless a test asks for the console window at start.
      argv: opts.argv ?? ['/opt/lubdub/lubdub', '--hidden'],
      execPath: '/opt/lubdub/lubdub',
      iconsDir: ICONS,
      preloadPath: '/app/dist-electron/electron/preload/preload.cjs',
      timeZone: 'UTC',
    },
    startLocalService: async () => {
      counters.localStarts++;
      return {
        target: { baseUrl: svc.url, apiKey: KEY },
        stop: async () => {
          counters.localStops++;
        },
      };
    },
    fetch: net.fetch,
    connectionOptions: { minBackoffMs: 20, maxBackoffMs: 100 },
    trayRedrawMs: 5,
    powerRetryMs: 20,
  };
  const shell = await boot(deps);
  if (shell) cleanups.push(() => shell.shutdown());
  return {
    fake,
    svc,
    net,
    uuid,
    shell: shell as Shell,
    userData,
    get localStarts() {
      return counters.localStarts;
    },
    get localStops() {
      return counters.localStops;
    },
  };
}

const tray = (b: Booted) => b.fake.trays[0];
const image = (b: Booted) => path.basename(tray(b).image.path);
const consoleWin = (b: Booted) => b.fake.windows.find((w) => w.options.title === 'Lubdub')!;

/** The nightly backup misses its ping: 14 min, then 1 min of grace, and the scheduler flips it. */
function down(b: Booted): void {
  b.svc.h.timers.advance(15 * MIN);
}
/** Its next ping brings it back. */
async function up(b: Booted): Promise<void> {
  expect(await b.svc.h.ping(b.uuid)).toBe(200);
}
/** The service's desktop channel sends a test notification: a marker after everything before it on the stream. */
async function marker(b: Booted): Promise<void> {
  const channels = (await b.svc.h.api('GET', '/api/lubdub/channels')).json.channels as { id: string; kind: string }[];
  const desktop = channels.find((c) => c.kind === 'desktop')!;
  expect((await b.svc.h.api('POST', `/api/lubdub/channels/${desktop.id}/test`)).json).toEqual({ ok: true, error: null });
}
const TEST_TITLE = 'Lubdub test notification';
/** The service's words for why the check is down, as its API gives them. */
async function why(b: Booted): Promise<string> {
  const c = (await b.svc.h.api('GET', `/api/v3/checks/${b.uuid}`)).json;
  expect(c.status).toBe('down');
  return c.down_reason;
}
describe('desktop shell: tray and notifications from the event stream', () => {
  it('a check going down and up sets the tray image and tooltip and shows exactly one notification each', async () => {
    const b = await bootShell();
    await waitFor(() => tray(b).tooltip === 'All 1 up · next: nightly-backup in 14 min');
    expect(image(b)).toBe('tray-up-light.png');
    expect(b.svc.streams()).toBe(1);

    down(b);
    await waitFor(() => image(b) === 'tray-down-light.png');
    await waitFor(() => b.fake.notifications.length === 1);
    // the same words in the API, the tray menu and the notification
    const words = await why(b);
    expect(words).toMatch(/^no ping for 15 /);
    await waitFor(() => tray(b).labels()[0] === `Down: nightly-backup — ${words}`);
    expect(tray(b).tooltip).toBe('1 down: nightly-backup');
    expect(b.fake.notifications[0].options).toMatchObject({ title: 'nightly-backup is down', body: words, icon: '/icons/icon.png' });
    expect(b.fake.notifications[0].shown).toBe(true);

    await up(b);
    await waitFor(() => image(b) === 'tray-up-light.png');
    await waitFor(() => b.fake.notifications.length === 2);
    expect(tray(b).tooltip).toBe('All 1 up · next: nightly-backup in 14 min');
    expect(b.fake.notifications[1].options).toMatchObject({ title: 'nightly-backup is back up', silent: true });
    expect(b.fake.notifications[1].options.body).toMatch(/^back up/);

    // The same notification seen again (a replay) is not shown twice; nothing else appears
    // before the marker sent after it.
    const sent = (await b.svc.h.api('GET', '/api/lubdub/deliveries')).json.deliveries as { message: string; kind: 'up'; title: string; body: string; check: string }[];
    const last = sent.find((d) => d.kind === 'up')!;
    const replay: NotificationJson = { id: last.message, kind: last.kind, title: last.title, body: last.body, check: last.check };
    b.svc.h.svc.bus.emit('public', { type: 'notification', data: replay });
    await marker(b);
    await waitFor(() => b.fake.notifications.length === 3);
    expect(b.fake.notifications.map((n) => n.options.title)).toEqual(['nightly-backup is down', 'nightly-backup is back up', TEST_TITLE]);
    expect(b.shell.notifications.shown()).toBe(3);
  });

  it('flips and checks without a notification event show no notification (the service decides: snooze, mute)', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    expect((await b.svc.h.api('POST', '/api/lubdub/mute', { seconds: 3600 })).status).toBe(200);
    down(b);
    await waitFor(() => image(b) === 'tray-down-light.png');
    await settle(b.svc.h);
    await marker(b);
    await waitFor(() => b.fake.notifications.length === 1);
    expect(b.fake.notifications[0].options.title).toBe(TEST_TITLE);
  });

  it('clicking a notification opens the check detail in a logged-in console window, no token in the URL', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    expect(b.fake.windows).toHaveLength(0); // started at login: tray only
    down(b);
    await waitFor(() => b.fake.notifications.length === 1);

    b.fake.notifications[0].click();
    await waitFor(() => consoleWin(b)?.loads.length === 1);
    const win = consoleWin(b);
    expect(win.loads).toEqual([`${b.svc.url}/checks/${b.uuid}`]);
    expect(win.visible).toBe(true);
    const session = b.net.to('/api/lubdub/session');
    expect(session.map((r) => [r.method, r.status])).toEqual([['POST', 200]]);
    const cookie = b.fake.sessions.get(CONSOLE_PARTITION)!.cookieJar[0];
    expect(cookie).toMatchObject({ url: b.svc.url, name: 'lubdub_session', httpOnly: true, sameSite: 'strict', secure: false, path: '/' });
    // the session the service issued: it lets the console in
    expect((await fetch(`${b.svc.url}/api/v3/checks/`, { headers: { cookie: `${cookie.name}=${cookie.value}` } })).status).toBe(200);
    expect(win.loads[0]).not.toContain(cookie.value);
    expect(win.loads[0]).not.toMatch(/token|key/i);
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, partition: CONSOLE_PARTITION });
  });

  it('the one summary after a monitor-offline gap is shown once; its click opens the overview', async () => {
    const b = await bootShell({ svc: await startSvc({ catchupWindow: 300 }) });
    const uuid = await b.svc.create({ name: 'nightly-backup', timeout: 14 * 60, grace: 60 });
    expect(await b.svc.h.ping(uuid)).toBe(200);
    await waitFor(() => image(b) === 'tray-up-light.png');
    const power = (event: string) => b.net.to('/api/lubdub/power').find((r) => (r.body as { event: string }).event === event)?.status;
    // The machine sleeps an hour: the shell reports it, the service holds the check it missed
    // for the catch-up window, then counts it as missed while offline.
    b.fake.powerMonitor.emit('suspend');
    await waitFor(() => power('suspend') === 200);
    b.svc.h.timers.sleep(60 * MIN);
    b.fake.powerMonitor.emit('resume');
    await waitFor(() => power('resume') === 200);
    await waitFor(() => tray(b).labels()[0] === 'Late: nightly-backup — Lubdub was offline');
    b.svc.h.timers.advance(300_000);
    await waitFor(() => b.fake.notifications.length === 1);
    expect(b.fake.notifications[0].options).toMatchObject({ title: '1 check missed while Lubdub was offline' });
    await marker(b);
    await waitFor(() => b.fake.notifications.length === 2);
    expect(b.fake.notifications[1].options.title).toBe(TEST_TITLE);
    b.fake.notifications[0].click();
    await waitFor(() => consoleWin(b)?.loads.length === 1);
    expect(consoleWin(b).loads).toEqual([`${b.svc.url}/`]);
  });

  it('a ping body with markup reaches a Linux notification as escaped text', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    expect(await b.svc.h.ping(b.uuid, '/fail', { body: '<img src=x onerror=alert(1)> & more' })).toBe(200);
    await waitFor(() => b.fake.notifications.length === 1);
    expect(b.fake.notifications[0].options.body).toBe('fail signal; last output: &lt;img src=x onerror=alert(1)&gt; &amp; more');
  });

  it('clicking a check in the tray menu opens its detail', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    down(b);
    await waitFor(() => image(b) === 'tray-down-light.png');
    const label = `Down: nightly-backup — ${await why(b)}`;
    await waitFor(() => tray(b).labels()[0] === label);
    tray(b).click(label);
    await waitFor(() => consoleWin(b)?.loads.length === 1);
    expect(consoleWin(b).loads[0]).toBe(`${b.svc.url}/checks/${b.uuid}`);
  });

  it('dark panels get the dark icons, macOS the template images', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    b.fake.nativeTheme.shouldUseDarkColors = true;
    b.fake.nativeTheme.emit('updated');
    await waitFor(() => image(b) === 'tray-up-dark.png');
    expect(tray(b).image.path).toBe(path.join(ICONS, 'tray', 'tray-up-dark.png'));

    const mac = await bootShell({ platform: 'darwin' });
    await waitFor(() => image(mac) === 'tray-upTemplate.png');
  });
});

describe('desktop shell: connection', () => {
  it('the service going away shows "disconnected"; it comes back on its own', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    const seen = tray(b).imageHistory.length;
    await b.svc.stop();
    await waitFor(() => tray(b).imageHistory.slice(seen).map((p) => path.basename(p)).includes('tray-disconnected-light.png'));
    await waitFor(() => b.net.to('/api/events').some((r) => r.status === null)); // a reconnect refused
    expect(tray(b).tooltipHistory.some((t) => /^Not connected to Lubdub at 127\.0\.0\.1:\d+ · retrying$/.test(t))).toBe(true);
    await b.svc.start();
    await waitFor(() => image(b) === 'tray-up-light.png', 5000);
    expect(tray(b).imageHistory.slice(seen).map((p) => path.basename(p))).toEqual(['tray-disconnected-light.png', 'tray-up-light.png']);
    await waitFor(() => b.svc.streams() === 1);
  });

  it('after a reconnect the console window is logged in again (a restarted service forgot the session)', async () => {
    const b = await bootShell({ argv: SHOWN });
    await waitFor(() => consoleWin(b)?.loads.length === 1);
    const jar = b.fake.sessions.get(CONSOLE_PARTITION)!.cookieJar;
    expect(jar).toHaveLength(1);
    // Connected once before the restart: the first connection is not a reconnect.
    await waitFor(() => b.shell.connection.isConnected);
    await b.svc.stop();
    await b.svc.start();
    await waitFor(() => jar.length === 2, 5000);
    expect(jar[1].value).not.toBe(jar[0].value);
    const withCookie = (c: { name: string; value: string }) => fetch(`${b.svc.url}/api/v3/checks/`, { headers: { cookie: `${c.name}=${c.value}` } });
    expect((await withCookie(jar[0])).status).toBe(401);
    expect((await withCookie(jar[1])).status).toBe(200);
  });

  it('a change while the snapshot loads is not lost', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    // Reconnect; the service answers the snapshot (still "up") but the answer is held until
    // the check has gone down on the stream.
    const held = b.net.hold('/api/v3/checks/');
    b.shell.connection.restart();
    await waitFor(() => held.arrived(), 5000);
    expect(await b.svc.h.ping(b.uuid, '/fail')).toBe(200);
    // The notification is shown before the snapshot; the check event came before it.
    await waitFor(() => b.fake.notifications.length === 1);
    held.release();
    await waitFor(() => image(b) === 'tray-down-light.png');
  });

  it('remote mode: no local service; tray and console use the remote one', async () => {
    const svc = await startSvc();
    await svc.create({ name: 'office-db-dump', timeout: 3600, grace: 600, channels: '' });
    const userData = tempDir('lubdub-shell-');
    cleanups.push(() => fs.rmSync(userData, { recursive: true, force: true }));
    fs.writeFileSync(path.join(userData, 'shell-settings.json'), JSON.stringify({ mode: 'remote', url: svc.url, apiKey: KEY }));
    const uuid = (await svc.h.api('GET', '/api/v3/checks/')).json.checks[0].uuid;
    expect(await svc.h.ping(uuid)).toBe(200);
    svc.h.timers.advance(65 * MIN); // late: 5 min of grace left
    const b = await bootShell({ svc, userData, argv: SHOWN });
    expect(b.localStarts).toBe(0);
    await waitFor(() => image(b) === 'tray-late-light.png');
    expect(tray(b).tooltip).toBe('1 late: office-db-dump');
    expect(tray(b).labels()).toContain(`Watch > Remote: ${new URL(svc.url).host}`);
    expect(tray(b).menu!.template.find((i: any) => i.label === 'Watch').submenu[1]).toMatchObject({ type: 'radio', checked: true });
    await waitFor(() => consoleWin(b)?.loads.length === 1);
    expect(consoleWin(b).loads[0]).toBe(`${svc.url}/`);

    // Switching back to this computer saves the choice (remembering the remote) and relaunches.
    tray(b).click('Watch > This computer');
    expect(b.fake.app.relaunched).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(userData, 'shell-settings.json'), 'utf8'))).toEqual({ mode: 'local', url: svc.url, apiKey: KEY });
  });

  it('"Edit connection settings…" opens an editable settings file', async () => {
    const b = await bootShell();
    await waitFor(() => tray(b).menu !== null);
    tray(b).click('Watch > Edit connection settings…');
    const file = path.join(b.userData, 'shell-settings.json');
    expect(b.fake.openedPaths).toEqual([file]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ mode: 'local', url: '', apiKey: '' });
  });

  it('a broken settings file: watch this computer and say why', async () => {
    const userData = tempDir('lubdub-shell-');
    cleanups.push(() => fs.rmSync(userData, { recursive: true, force: true }));
    fs.writeFileSync(path.join(userData, 'shell-settings.json'), '{"mode":"remote","url":"file:///x","apiKey":"k"}');
    const b = await bootShell({ userData });
    expect(b.localStarts).toBe(1);
    expect(b.fake.errors[0].title).toBe('Lubdub settings');
    expect(b.fake.errors[0].content).toMatch(/remote mode: "url" must be an http\(s\) URL/);
  });
});

describe('desktop shell: snooze, start at login, power', () => {
  const mutes = (b: Booted) => b.net.to('/api/lubdub/mute');

  it('snoozing from the tray posts the mute and the tray shows it; "Off" ends it', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    tray(b).click('Snooze notifications > For 1 hour');
    await waitFor(() => tray(b).tooltip.includes('snoozed until 13:00'));
    expect(mutes(b).map((r) => [r.body, r.status])).toEqual([[{ until: '2025-03-10T13:00:00.000Z' }, 200]]);
    expect((await b.svc.h.api('GET', '/api/lubdub/mute')).json).toEqual({ muted_until: '2025-03-10T13:00:00+00:00' });
    expect(tray(b).labels()).toContain('Notifications snoozed > Snoozed until 13:00');

    tray(b).click('Notifications snoozed > Off');
    await waitFor(() => tray(b).tooltip === 'All 1 up · next: nightly-backup in 14 min');
    expect(mutes(b).at(-1)!.body).toEqual({ until: null });
    expect((await b.svc.h.api('GET', '/api/lubdub/mute')).json).toEqual({ muted_until: null });
  });

  it('snooze "until tomorrow" asks for 09:00 the next day', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    tray(b).click('Snooze notifications > Until tomorrow 09:00');
    await waitFor(() => mutes(b).some((r) => r.status === 200));
    expect(mutes(b)[0].body).toEqual({ until: '2025-03-11T09:00:00.000Z' });
    expect((await b.svc.h.api('GET', '/api/lubdub/mute')).json).toEqual({ muted_until: '2025-03-11T09:00:00+00:00' });
  });

  it('a failed snooze is reported, not swallowed', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    b.net.failNext('/api/lubdub/mute', 500);
    tray(b).click('Snooze notifications > For 4 hours');
    await waitFor(() => b.fake.errors.length === 1);
    expect(b.fake.errors[0].content).toMatch(/^Could not change the snooze: POST \/api\/lubdub\/mute: 500/);
    expect((await b.svc.h.api('GET', '/api/lubdub/mute')).json).toEqual({ muted_until: null });
  });

  it('"Start at login" on Linux writes the XDG autostart entry and shows the tick', async () => {
    const b = await bootShell();
    await waitFor(() => tray(b).menu !== null);
    tray(b).click('Start at login');
    const file = path.join(b.userData, 'xdg', 'autostart', 'lubdub.desktop');
    expect(fs.readFileSync(file, 'utf8')).toContain('Exec=/opt/lubdub/lubdub --hidden\n');
    expect(tray(b).menu!.template.find((i: any) => i.label === 'Start at login')).toMatchObject({ type: 'checkbox', checked: true });
    tray(b).click('Start at login');
    expect(fs.existsSync(file)).toBe(false);
  });

  it('suspend, resume, lock and unlock reach the service', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    const power = () => b.net.to('/api/lubdub/power');
    const events = () => power().map((r) => (r.body as { event: string }).event);
    b.fake.powerMonitor.emit('suspend');
    await waitFor(() => power()[0]?.status === 200);
    b.svc.drop(); // the stream died while asleep
    b.fake.powerMonitor.emit('resume');
    b.fake.powerMonitor.emit('lock-screen');
    b.fake.powerMonitor.emit('unlock-screen');
    // A request on a connection that died with the stream fails and is tried again.
    await waitFor(() => b.shell.power.reported.length === 4);
    const answered = power().filter((r) => r.status === 200);
    expect(answered.map((r) => (r.body as { event: string }).event).sort()).toEqual(['lock', 'resume', 'suspend', 'unlock']);
    expect(events()[0]).toBe('suspend');
    for (const r of power()) expect(r.headers['x-api-key']).toBe(KEY);
    await waitFor(() => b.svc.streams() === 1);
  });

  it('resume is retried while the service is not reachable yet', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    await b.svc.stop();
    b.fake.powerMonitor.emit('resume');
    await waitFor(() => b.net.to('/api/lubdub/power').filter((r) => r.status === null).length >= 2);
    await b.svc.start();
    await waitFor(() => b.shell.power.reported.includes('resume'));
    const tries = b.net.to('/api/lubdub/power');
    expect(tries.every((r) => (r.body as { event: string }).event === 'resume')).toBe(true);
    expect(tries.slice(0, -1).every((r) => r.status === null)).toBe(true);
    expect(tries.at(-1)!.status).toBe(200);
  });

  it('a system shutdown is reported, then the app quits and stops the local service', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    b.fake.powerMonitor.emit('shutdown');
    await waitFor(() => b.fake.app.quitted);
    expect(b.net.to('/api/lubdub/power').map((r) => [(r.body as { event: string }).event, r.status])).toEqual([['shutdown', 200]]);
    expect(b.localStops).toBe(1);
  });
});

describe('desktop shell: lifecycle and windows', () => {
  it('a second instance quits at once without starting a service or a tray', async () => {
    const b = await bootShell({ lock: false });
    expect(b.shell).toBeNull();
    expect(b.fake.app.quitRequests).toBe(1);
    expect(b.localStarts).toBe(0);
    expect(b.fake.trays).toHaveLength(0);
  });

  it('a second launch focuses the first instance\'s console window', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    expect(b.fake.windows).toHaveLength(0);
    b.fake.app.simulateSecondInstance(['/opt/lubdub/lubdub']);
    await waitFor(() => consoleWin(b)?.visible === true);
    const focused = consoleWin(b).focused;
    consoleWin(b).hide();
    b.fake.app.simulateSecondInstance();
    await waitFor(() => consoleWin(b).visible && consoleWin(b).focused > focused);
    expect(b.fake.windows).toHaveLength(1);
    await waitFor(() => consoleWin(b).loads.length === 2);
  });

  it('closing the console hides it to the tray; Quit stops the stream, the tray and the local service', async () => {
    const b = await bootShell({ argv: SHOWN });
    await waitFor(() => consoleWin(b)?.loads.length === 1);
    expect(consoleWin(b).loads).toEqual([`${b.svc.url}/`]);
    consoleWin(b).close();
    expect(consoleWin(b).destroyed).toBe(false);
    expect(consoleWin(b).visible).toBe(false);
    // "Open Lubdub" shows the compact status window, tray-sized, with the tray view.
    tray(b).click('Open Lubdub');
    const status = () => b.fake.windows.find((w) => w.options.title === 'Lubdub status');
    await waitFor(() => status()?.visible === true);
    expect(status()!.bounds).toMatchObject({ width: 360, height: 520 });
    await waitFor(() => status()!.loads.at(-1) === `${b.svc.url}/tray`);
    expect(consoleWin(b).visible).toBe(false);
    status()!.close();
    expect(status()!.visible).toBe(false);

    tray(b).click('Quit Lubdub');
    await waitFor(() => b.fake.app.quitted);
    expect(b.localStops).toBe(1);
    expect(tray(b).destroyed).toBe(true);
    await waitFor(() => b.svc.streams() === 0);
    consoleWin(b).close();
    expect(consoleWin(b).destroyed).toBe(true);
  });

  it('"New check…" opens the editor window on the console origin, sandboxed', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    tray(b).click('New check…');
    await waitFor(() => b.fake.windows.length === 1 && b.fake.windows[0].loads.length === 1);
    const editor = b.fake.windows[0];
    expect(editor.options.title).toBe('New check — Lubdub');
    expect(editor.loads).toEqual([`${b.svc.url}/checks/new`]);
    expect(editor.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    // Closing the editor really closes it.
    editor.close();
    expect(editor.destroyed).toBe(true);
  });

  it('the console window comes back where it was left', async () => {
    const userData = tempDir('lubdub-shell-');
    cleanups.push(() => fs.rmSync(userData, { recursive: true, force: true }));
    const first = await bootShell({ userData, argv: SHOWN });
    await waitFor(() => consoleWin(first)?.loads.length === 1);
    consoleWin(first).setBoundsByUser({ x: 300, y: 200, width: 1000, height: 700 });
    consoleWin(first).close(); // hide; the state is saved on close
    await first.shell.shutdown();

    const second = await bootShell({ userData, argv: SHOWN });
    await waitFor(() => consoleWin(second)?.loads.length === 1);
    expect(consoleWin(second).options).toMatchObject({ x: 300, y: 200, width: 1000, height: 700 });
  });

  it('a start error is shown and the app exits', async () => {
    const userData = tempDir('lubdub-shell-');
    cleanups.push(() => fs.rmSync(userData, { recursive: true, force: true }));
    const fake = createFakeElectron({ userData });
    const shell = await boot({
      electron: fake.electron,
      clock: new ManualClock(NOW),
      platform: { platform: 'linux', env: {}, argv: [], execPath: '/x', iconsDir: ICONS, preloadPath: '/p', timeZone: 'UTC' },
      startLocalService: async () => {
        throw new Error('console port 8421 on 127.0.0.1 is already in use (set --ui-port / LUBDUB_UI_PORT)');
      },
    });
    expect(shell).toBeNull();
    expect(fake.app.exitCode).toBe(1);
    expect(fake.errors[0]).toMatchObject({ title: 'Lubdub could not start' });
    expect(fake.errors[0].content).toMatch(/already in use/);
    expect(fake.trays).toHaveLength(0);
  });

  it('Windows: notifications are attributed to the app id; a left click on the tray opens the status window', async () => {
    const b = await bootShell({ platform: 'win32' });
    expect(b.fake.app.appUserModelId).toBe('app.lubdub.desktop');
    tray(b).emit('click');
    const status = () => b.fake.windows.find((w) => w.options.title === 'Lubdub status');
    await waitFor(() => status()?.loads.length === 1);
    expect(status()!.visible).toBe(true);
    expect(status()!.loads).toEqual([`${b.svc.url}/tray`]);
  });

  it('Linux: a click on the tray does not open a window (indicators show the menu)', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    tray(b).emit('click');
    // a marker after it: the editor window, opened from the menu, is the only window
    tray(b).click('New check…');
    await waitFor(() => b.fake.windows.length === 1 && b.fake.windows[0].loads.length === 1);
    expect(b.fake.windows.map((w) => w.options.title)).toEqual(['New check — Lubdub']);
  });
});

describe('desktop shell: security wiring', () => {
  it('console windows cannot leave the console origin; links open in the OS browser, only http(s)', async () => {
    const b = await bootShell({ argv: SHOWN });
    await waitFor(() => consoleWin(b)?.loads.length === 1);
    const wc = consoleWin(b).webContents;
    expect(wc.tryNavigate(`${b.svc.url}/checks`)).toBe(true);
    expect(wc.tryNavigate('http://localhost.evil.com/')).toBe(false);
    expect(wc.tryNavigate(`http://${new URL(b.svc.url).host}@evil.com/`)).toBe(false);
    expect(wc.tryNavigate('file:///etc/passwd')).toBe(false);
    expect(wc.tryNavigate('https://evil.com/', false)).toBe(false); // a subframe: blocked, not opened
    expect(wc.tryRedirect('http://evil.com/')).toBe(false);
    expect(wc.tryRedirect(`${b.svc.url}/`)).toBe(true);
    expect(wc.tryAttachWebview()).toBe(false);
    expect(b.fake.external).toEqual(['http://localhost.evil.com/']);

    expect(wc.windowOpenHandler!({ url: 'https://healthchecks.io/docs/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler!({ url: 'file:///C:/Windows/System32/calc.exe' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(b.fake.external).toEqual(['http://localhost.evil.com/', 'https://healthchecks.io/docs/']);
    // window.open of a console page shows it in the console window instead of a new window.
    expect(wc.windowOpenHandler!({ url: `${b.svc.url}/checks/${b.uuid}` })).toEqual({ action: 'deny' });
    await waitFor(() => consoleWin(b).loads.at(-1) === `${b.svc.url}/checks/${b.uuid}`);
    expect(b.fake.windows).toHaveLength(1);
  });

  it('the console partition denies permissions and adds the CSP', async () => {
    const b = await bootShell();
    const ses = b.fake.sessions.get(CONSOLE_PARTITION)!;
    const ask = (perm: string, url: string) => new Promise<boolean>((r) => ses.permissionRequest!(null, perm, r, { requestingUrl: url, isMainFrame: true }));
    expect(await ask('media', `${b.svc.url}/`)).toBe(false);
    expect(await ask('geolocation', `${b.svc.url}/`)).toBe(false);
    expect(await ask('clipboard-sanitized-write', `${b.svc.url}/`)).toBe(true);
    expect(await ask('clipboard-sanitized-write', 'http://evil.com/')).toBe(false);
    expect(ses.permissionCheck!(null, 'notifications', b.svc.url, {})).toBe(false);
    const headers = await new Promise<any>((r) => ses.headersListener!({ responseHeaders: { 'Content-Type': ['text/html'] } }, r));
    expect(headers.responseHeaders['Content-Security-Policy'][0]).toContain("script-src 'self'");
  });

  it('IPC answers only console frames with valid payloads', async () => {
    const b = await bootShell();
    await waitFor(() => image(b) === 'tray-up-light.png');
    const page = `${b.svc.url}/checks`;
    await expect(b.fake.ipcMain.invoke('lubdub:open-check', { check: b.uuid }, page)).resolves.toBe(true);
    await waitFor(() => consoleWin(b)?.loads.at(-1) === `${b.svc.url}/checks/${b.uuid}`);
    await expect(b.fake.ipcMain.invoke('lubdub:open-check', { check: b.uuid }, 'http://localhost.evil.com/')).rejects.toThrow(/sender not allowed/);
    await expect(b.fake.ipcMain.invoke('lubdub:open-check', { check: b.uuid }, null)).rejects.toThrow(/sender not allowed/);
    await expect(b.fake.ipcMain.invoke('lubdub:open-check', { check: b.uuid }, page, { subframe: true })).rejects.toThrow(/sender not allowed/);
    await expect(b.fake.ipcMain.invoke('lubdub:open-check', { check: '../etc' }, page)).rejects.toThrow(/check must be a check UUID/);
    await expect(b.fake.ipcMain.invoke('lubdub:open-external', { url: 'file:///etc/passwd' }, page)).rejects.toThrow(/http\(s\)/);
    await expect(b.fake.ipcMain.invoke('lubdub:open-external', { url: 'https://example.com/' }, page)).resolves.toBe(true);
    expect(b.fake.external).toEqual(['https://example.com/']);
    await expect(b.fake.ipcMain.invoke('lubdub:open-editor', { check: b.uuid }, page)).resolves.toBe(true);
    const editor = b.fake.windows.find((w) => w.options.title === 'Edit check — Lubdub')!;
    expect(editor.loads).toEqual([`${b.svc.url}/checks/${b.uuid}/edit`]);
  });
});
