import type { BrowserWindow, Rectangle } from 'electron';
import { CONSOLE_PATHS } from '../../shared/api/console-routes.js';
import type { ServiceClient } from './client.js';
import type { ElectronApi } from './electron-api.js';
import { isConsoleUrl } from './guards.js';
import { CONSOLE_PARTITION, secureWebPreferences } from './security.js';
import { captureWindowState, MIN_WINDOW, restoreWindowState, WindowStateFile, type WindowState } from './window-state.js';

/** The shell's windows, as the tray, notifications and IPC use them. */
export interface Windows {
  /** shows the console window (creating it, logging it in), at `path` if given */
  showConsole(path?: string): Promise<void>;
  /** shows the compact status window (about the size of a tray pop-up) with the tray view */
  showTray(): Promise<void>;
  /** shows a check's detail */
  openCheck(uuid: string): Promise<void>;
  /** opens the check editor window for a check, or a new one (null) */
  openEditor(uuid: string | null): Promise<void>;
  /** the console window, if it exists */
  consoleWindow(): BrowserWindow | null;
  /**
   * Logs the windows in again (after a reconnect: a restarted service forgot its sessions).
   * The new cookie applies to the pages' next requests; nothing is reloaded.
   */
  relogin(): Promise<void>;
  /** from now on closing really closes (app quitting) */
  setQuitting(): void;
}

/** What the windows need. */
export interface WindowsContext {
  electron: ElectronApi;
  client: ServiceClient;
  /** the console origin, e.g. http://127.0.0.1:8421 */
  origin: string;
  userData: string;
  preloadPath: string;
  appIcon: string;
  platform: string;
}

const SAVE_DELAY_MS = 500;

/**
 * The console window (closing hides it to the tray) and the check editor window. Both load
 * the console from the service's UI port. The shell logs the window in by asking the
 * service for a session with its API key and putting the cookie into the window's
 * partition: no token ever appears in a URL, history or the page.
 */
export function setupWindows(ctx: WindowsContext): Windows {
  const { BrowserWindow, screen, session } = ctx.electron;
  const ses = session.fromPartition(CONSOLE_PARTITION);
  let sessionReady: Promise<void> | null = null;
  let quitting = false;
  let consoleWin: BrowserWindow | null = null;
  let editorWin: BrowserWindow | null = null;
  let trayWin: BrowserWindow | null = null;

  const login = (): Promise<void> => {
    sessionReady ??= (async () => {
      const { cookie, value } = await ctx.client.session();
      await ses.cookies.set({
        url: ctx.origin,
        name: cookie,
        value,
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: ctx.origin.startsWith('https:'),
      });
    })().catch((e) => {
      sessionReady = null;
      throw e;
    });
    return sessionReady;
  };

  const workAreas = (): Rectangle[] => screen.getAllDisplays().map((d) => d.workArea);

  const remember = (win: BrowserWindow, file: WindowStateFile): void => {
    let timer: NodeJS.Timeout | null = null;
    const save = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (win.isDestroyed()) return;
      try {
        file.write(captureWindowState(win.getNormalBounds(), win.isMaximized()));
      } catch {
        // A read-only profile must not break the window; it just is not remembered.
      }
    };
    const later = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, SAVE_DELAY_MS);
    };
    win.on('resize', later);
    win.on('move', later);
    win.on('maximize', save);
    win.on('unmaximize', save);
    win.on('close', save);
  };

  const create = (kind: 'console' | 'editor' | 'tray', title: string, defaults: WindowState, min = MIN_WINDOW): BrowserWindow => {
    const file = new WindowStateFile(ctx.userData, kind);
    const state = restoreWindowState(file.read(), workAreas(), defaults, min);
    const win = new BrowserWindow({
      title,
      x: state.x,
      y: state.y,
      width: state.width,
      height: state.height,
      minWidth: min.width,
      minHeight: min.height,
      show: false,
      icon: ctx.platform === 'darwin' ? undefined : ctx.appIcon,
      autoHideMenuBar: true,
      webPreferences: secureWebPreferences(ctx.preloadPath),
    });
    if (state.maximized) win.maximize();
    remember(win, file);
    return win;
  };

  const reveal = (win: BrowserWindow) => {
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };

  const load = async (win: BrowserWindow, path: string) => {
    const url = new URL(path, ctx.origin).href;
    // Only console pages are ever loaded into a window carrying the preload bridge.
    if (!isConsoleUrl(url, ctx.origin)) throw new Error(`refusing to load ${url}`);
    try {
      await login();
    } catch (e) {
      // Unreachable service or refused key: the page still loads and shows what is wrong.
      console.error(`lubdub: could not open a console session: ${(e as Error).message}`);
    }
    try {
      await win.loadURL(url);
    } catch {
      // The page shows Chromium's error (service unreachable); the window stays usable.
    }
  };

  // Closing the console or the status window hides it: Lubdub keeps watching from the tray.
  const hideOnClose = (win: BrowserWindow) =>
    win.on('close', (e) => {
      if (quitting) return;
      e.preventDefault();
      win.hide();
    });

  const windows: Windows = {
    async showConsole(path = CONSOLE_PATHS.overview) {
      if (!consoleWin || consoleWin.isDestroyed()) {
        const win = create('console', 'Lubdub', { width: 1100, height: 760, maximized: false });
        consoleWin = win;
        hideOnClose(win);
        win.on('closed', () => {
          if (consoleWin === win) consoleWin = null;
        });
      }
      const win = consoleWin;
      reveal(win);
      await load(win, path);
    },
    async showTray() {
      if (!trayWin || trayWin.isDestroyed()) {
        // the size of a tray pop-up: problems first, a click opens the detail in the same window
        const win = create('tray', 'Lubdub status', { width: 360, height: 520, maximized: false }, { width: 360, height: 400 });
        trayWin = win;
        hideOnClose(win);
        win.on('closed', () => {
          if (trayWin === win) trayWin = null;
        });
      }
      const win = trayWin;
      reveal(win);
      await load(win, CONSOLE_PATHS.tray);
    },
    openCheck(uuid) {
      return windows.showConsole(CONSOLE_PATHS.check(uuid));
    },
    async openEditor(uuid) {
      const path = uuid ? CONSOLE_PATHS.editCheck(uuid) : CONSOLE_PATHS.newCheck;
      if (!editorWin || editorWin.isDestroyed()) {
        const win = create('editor', uuid ? 'Edit check — Lubdub' : 'New check — Lubdub', { width: 720, height: 820, maximized: false });
        editorWin = win;
        win.on('closed', () => {
          if (editorWin === win) editorWin = null;
        });
      }
      const win = editorWin;
      reveal(win);
      await load(win, path);
    },
    consoleWindow: () => (consoleWin && !consoleWin.isDestroyed() ? consoleWin : null),
    async relogin() {
      sessionReady = null;
      if (consoleWin || editorWin || trayWin) await login();
    },
    setQuitting() {
      quitting = true;
    },
  };
  return windows;
}
