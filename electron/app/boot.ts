import os from 'node:os';
import path from 'node:path';
import { CONSOLE_PATHS } from '../../shared/api/console-routes.js';
import type { Clock } from '../../shared/domain/clock.js';
import { ServiceClient, type ServiceTarget } from './client.js';
import { ShellConnection, type ConnectionOptions } from './connection.js';
import { findLubdubs, type FoundLubdub } from './discover.js';
import type { ElectronApi, ShellPlatform } from './electron-api.js';
import { consoleOrigin } from './guards.js';
import { appIconFile } from './icons.js';
import { registerIpc } from './ipc.js';
import { startAtLogin, startedAtLogin } from './login-item.js';
import { setupNotifications, setupPairingNotice } from './notifications.js';
import { deskName, pair, pinnedFetch } from './office.js';
import { setupPrompt } from './prompt.js';
import { setupPower } from './power.js';
import { openExternalSafely, setupSecurity } from './security.js';
import { rememberedRemote, SettingsStore, settingsFromEnv, type ShellSettings } from './settings.js';
import { setupTray, type TrayHandle } from './tray.js';
import { timeOfDay, type TrayAction } from './tray-model.js';
import { FIND_WAIT_MS, WatchMenu } from './watch.js';
import { setupWindows, type Windows } from './windows.js';

/** Windows' AppUserModelID: notifications are attributed to it (same as the packaged appId). */
export const APP_ID = 'app.lubdub.desktop';

/** A service started by the app. */
export interface LocalService {
  target: ServiceTarget;
  stop: () => Promise<void>;
  /** calls `listener` each time the service came back after it had died (same target) */
  restarted?: (listener: () => void) => void;
}

/** Everything the boot list needs; main.ts passes the real ones, tests fakes. */
export interface BootDeps {
  electron: ElectronApi;
  platform: ShellPlatform;
  clock: Clock;
  /** starts the local service (its own process in the app) with its data in `userData`; called once Electron is ready */
  startLocalService: (userData: string) => Promise<LocalService>;
  connectionOptions?: ConnectionOptions;
  fetch?: typeof fetch;
  trayRedrawMs?: number;
  powerRetryMs?: number;
  /** "Find on this network…": browses the LAN for Lubdubs (default: mDNS for a few seconds) */
  findLubdubs?: () => Promise<FoundLubdub[]>;
  /** this desk's name in pairing requests (default: user@hostname) */
  deskName?: string;
}

/** The running shell. */
export interface Shell {
  settings: ShellSettings;
  target: ServiceTarget;
  connection: ShellConnection;
  windows: Windows;
  tray: TrayHandle;
  notifications: { shown: () => number };
  /** the Watch menu: search, address, pairing */
  watch: WatchMenu;
  power: { reported: string[] };
  /** stops everything (the `before-quit` path) */
  shutdown: () => Promise<void>;
}

/** The login name for the desk's pairing name (a user without a passwd entry still gets one). */
function userName(env: NodeJS.ProcessEnv): string {
  try {
    return os.userInfo().username;
  } catch {
    return env.USER || env.USERNAME || 'desk';
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The boot list. One instance only (a second launch focuses the first); once Electron is
 * ready the local service starts in its own process (or a remote one is watched); then
 * security, windows, tray, notifications, power — one feature a file.
 */
export async function boot(deps: BootDeps): Promise<Shell | null> {
  const { electron, platform: p } = deps;
  const { app } = electron;

  // 1. Single instance: the second launch hands over to the first and leaves.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  let shell: Shell | null = null;
  let secondInstanceEarly = false;
  app.on('second-instance', () => {
    if (shell) void shell.windows.showConsole();
    else secondInstanceEarly = true;
  });
  // A tray app lives on with no window open.
  app.on('window-all-closed', () => {});
  if (p.platform === 'win32') app.setAppUserModelId(APP_ID);

  // 2. Which service: local (a utility process, which Electron forks only once ready) or remote.
  const userData = app.getPath('userData');
  const store = new SettingsStore(userData);
  const loaded = settingsFromEnv(p.env) ?? store.load();
  const settings = loaded.settings;

  await app.whenReady();
  let target: ServiceTarget;
  let started: LocalService | null = null;
  try {
    if (settings.mode === 'remote') target = { baseUrl: settings.url, apiKey: settings.apiKey };
    else target = (started = await deps.startLocalService(userData)).target;
  } catch (e) {
    electron.dialog.showErrorBox('Lubdub could not start', `${errorText(e)}\n\nIf another Lubdub (npm run serve) is running, stop it or set LUBDUB_UI_PORT / LUBDUB_PING_PORT.`);
    app.exit(1);
    return null;
  }
  const origin = consoleOrigin(target.baseUrl);
  if (!origin) throw new Error(`not an http(s) service URL: ${target.baseUrl}`);
  // A paired remote is reached over TLS to its pinned certificate only; another certificate
  // is refused and shown in the tray ("identity changed — pair again"), never accepted.
  let identityChanged = false;
  let refreshTray = () => {};
  let popUpTray = () => {};
  const pin = settings.mode === 'remote' ? settings.pin : undefined;
  const pinned = pin
    ? pinnedFetch(pin, () => {
        if (identityChanged) return;
        identityChanged = true;
        refreshTray();
      })
    : null;
  const client = new ServiceClient(target, pinned ?? deps.fetch);
  const connection = new ShellConnection(client, deps.connectionOptions);
  const local = started;
  // A restarted service answers at once: do not wait out the reconnect backoff.
  local?.restarted?.(() => connection.reconnectNow());
  const appIcon = appIconFile(p.iconsDir);
  const login = startAtLogin(electron, { platform: p.platform, env: p.env, execPath: p.execPath });
  const remote = rememberedRemote(settings);

  // 3. Security first: its web-contents hook must exist before the first window.
  let windows: Windows | null = null;
  const pathOf = (url: string) => {
    const u = new URL(url);
    return u.pathname + u.search + u.hash;
  };
  setupSecurity({ electron, origin: () => origin, openConsoleUrl: (url) => void windows?.showConsole(pathOf(url)) });
  windows = setupWindows({ electron, client, origin, userData, preloadPath: p.preloadPath, appIcon, platform: p.platform });
  const w = windows;
  // The prompt's preload sits next to the console's (compiled from electron/preload/).
  const prompt = setupPrompt({ electron, preloadPath: path.join(path.dirname(p.preloadPath), 'prompt-preload.cjs'), appIcon, platform: p.platform });
  registerIpc(electron.ipcMain, () => origin, {
    'lubdub:open-editor': ({ check }) => w.openEditor(check),
    'lubdub:open-check': ({ check }) => w.openCheck(check),
    'lubdub:open-external': ({ url }) => void openExternalSafely(electron, url),
  });

  const relaunchWith = (next: ShellSettings) => {
    store.save(next);
    app.relaunch();
    app.quit();
  };
  const watch = new WatchMenu({
    prompt,
    deskName: deps.deskName ?? deskName(os.hostname(), userName(p.env)),
    find: deps.findLubdubs ?? (() => findLubdubs(FIND_WAIT_MS)),
    pair,
    // Paired: the device key and the pinned certificate go to shell-settings.json, and the shell watches there.
    watchPaired: (paired) => relaunchWith({ mode: 'remote', url: paired.url, apiKey: paired.key, pin: paired.pin }),
    changed: () => refreshTray(),
    showResults: () => popUpTray(),
    timeOfDay: (at) => timeOfDay(at, deps.clock.now(), p.timeZone),
  });
  const onAction = (action: TrayAction) => {
    switch (action) {
      case 'open':
        // The compact status window first: what is wrong, one line per check; a click opens the detail.
        return void w.showTray();
      case 'new-check':
        return void w.openEditor(null);
      case 'quit':
        return app.quit();
      case 'toggle-start-at-login':
        try {
          login.set(!login.isEnabled());
        } catch (e) {
          electron.dialog.showErrorBox('Lubdub', `Could not change "Start at login": ${errorText(e)}`);
        }
        return tray.refresh();
      case 'reconnect':
        return connection.reconnectNow();
      case 'use-local':
      case 'stop-watching':
        if (settings.mode !== 'local') relaunchWith({ mode: 'local', remote: remote ?? undefined });
        return;
      case 'find-lubdubs':
        return void watch.find();
      case 'enter-address':
        return void watch.enterAddress();
      case 'use-remote':
        if (settings.mode !== 'remote' && remote) relaunchWith({ mode: 'remote', ...remote });
        return;
      case 'edit-connection':
        store.ensure();
        return void electron.shell.openPath(store.file);
    }
  };
  const tray = setupTray({
    electron,
    connection,
    clock: deps.clock,
    platform: p.platform,
    timeZone: p.timeZone,
    iconsDir: p.iconsDir,
    connectionInfo: () => ({ mode: settings.mode, remoteLabel: remote ? new URL(remote.url).host : null, serviceLabel: new URL(origin).host, identityChanged }),
    startAtLogin: () => {
      try {
        return login.isEnabled();
      } catch {
        return false;
      }
    },
    watch: () => watch.state(),
    onAction,
    onFound: (id) => void watch.choose(id),
    onCheck: (uuid) => void w.openCheck(uuid),
    onError: (m) => electron.dialog.showErrorBox('Lubdub', m),
    redrawDelayMs: deps.trayRedrawMs,
  });
  refreshTray = () => tray.refresh();
  popUpTray = () => tray.popUp();
  const notifications = setupNotifications({
    electron,
    platform: p.platform,
    connection,
    appIcon,
    openCheck: (uuid) => void w.openCheck(uuid),
    openOverview: () => void w.showConsole(CONSOLE_PATHS.overview),
  });
  // Only this computer's own service shows its pairing code here (a paired desk's key cannot read it).
  if (settings.mode === 'local') {
    setupPairingNotice({
      electron,
      platform: p.platform,
      connection,
      appIcon,
      timeOfDay: (at) => timeOfDay(at, deps.clock.now(), p.timeZone),
      openSettings: () => void w.showConsole(CONSOLE_PATHS.settings),
    });
  }
  const power = setupPower({ electron, connection, quit: () => app.quit(), retryDelayMs: deps.powerRetryMs });

  // A service that restarted (remote mode) forgot the console session: log in again.
  let wasConnected = false;
  let connectedOnce = false;
  connection.on('change', () => {
    const now = connection.isConnected;
    if (now && !wasConnected && connectedOnce) void w.relogin().catch(() => {});
    if (now) connectedOnce = true;
    wasConnected = now;
  });
  connection.start();

  // Quit: stop the stream, the tray and the local service before Electron exits.
  let stopping: Promise<void> | null = null;
  let stopped = false;
  const shutdown = (): Promise<void> =>
    (stopping ??= (async () => {
      w.setQuitting();
      prompt.close();
      connection.stop();
      tray.destroy();
      await local?.stop();
    })());
  app.on('before-quit', (e) => {
    if (stopped) return;
    e.preventDefault();
    void shutdown()
      .catch((err) => console.error(`lubdub: error while stopping: ${errorText(err)}`))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
  app.on('activate', () => void w.showConsole());

  shell = { settings, target, connection, windows: w, tray, notifications, watch, power, shutdown };
  if (loaded.error) electron.dialog.showErrorBox('Lubdub settings', `${loaded.error}\n\nWatching this computer instead. File: ${store.file}`);
  if (secondInstanceEarly || !startedAtLogin(electron, p.platform, p.argv)) void w.showConsole();
  return shell;
}
