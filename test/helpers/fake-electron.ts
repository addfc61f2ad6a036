/**
 * A fake of the part of the `electron` module the shell uses (ElectronApi), injected into
 * boot() — no global module mock. It behaves like Electron where the shell relies on it:
 * `before-quit` can be prevented, closing a window emits a preventable `close`, every
 * new window fires `web-contents-created`, IPC `handle` gets an event with `senderFrame`,
 * `utilityProcess.fork` starts a real Node child with `process.parentPort`.
 * Everything the shell did is recorded for the tests to look at.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type { ElectronApi, ShellPlatform } from '../../electron/app/electron-api.js';

type Listener = (...a: any[]) => void;

/** A preventable event as Electron passes it. */
export class FakeEvent {
  defaultPrevented = false;
  constructor(extra: Record<string, unknown> = {}) {
    Object.assign(this, extra);
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeApp extends EventEmitter {
  quitRequests = 0;
  quitted = false;
  exitCode: number | null = null;
  relaunched = false;
  appUserModelId: string | null = null;
  loginItem = { openAtLogin: false, args: undefined as string[] | undefined };
  isPackaged = false;
  constructor(
    private readonly userData: string,
    private readonly lock: boolean,
    private readonly appPath: string,
  ) {
    super();
  }
  requestSingleInstanceLock(): boolean {
    return this.lock;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  getPath(_name: string): string {
    return this.userData;
  }
  getAppPath(): string {
    return this.appPath;
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAtLogin: boolean } {
    return { openAtLogin: this.loginItem.openAtLogin, wasOpenedAtLogin: false };
  }
  setLoginItemSettings(s: { openAtLogin?: boolean; args?: string[] }): void {
    this.loginItem = { openAtLogin: s.openAtLogin ?? false, args: s.args };
  }
  relaunch(): void {
    this.relaunched = true;
  }
  exit(code = 0): void {
    this.exitCode = code;
    this.quitted = true;
  }
  /** Like Electron: `before-quit` listeners may prevent it; otherwise the app is done. */
  quit(): void {
    this.quitRequests++;
    const e = new FakeEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.quitted = true;
  }
  /** What Electron does in the first instance when a second one starts. */
  simulateSecondInstance(argv: string[] = []): void {
    this.emit('second-instance', new FakeEvent(), argv, process.cwd(), {});
  }
}

export class FakeImage {
  constructor(readonly path: string) {}
}

export interface FakeMenu {
  template: any[];
}

export class FakeTray extends EventEmitter {
  static all: FakeTray[] = [];
  image: FakeImage;
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  /** every image and tooltip ever set, oldest first (so a brief state cannot be missed) */
  imageHistory: string[] = [];
  tooltipHistory: string[] = [];
  constructor(image: FakeImage) {
    super();
    this.image = image;
    this.imageHistory.push(image.path);
    FakeTray.all.push(this);
  }
  setImage(i: FakeImage): void {
    this.image = i;
    this.imageHistory.push(i.path);
  }
  setToolTip(t: string): void {
    this.tooltip = t;
    this.tooltipHistory.push(t);
  }
  setContextMenu(m: FakeMenu): void {
    this.menu = m;
  }
  /** how often the app opened the menu itself, and the labels it showed then */
  popUps: string[][] = [];
  popUpContextMenu(): void {
    this.popUps.push(this.labels());
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Every menu label, submenus flattened with " > ". */
  labels(items = this.menu?.template ?? [], prefix = ''): string[] {
    return items.flatMap((i: any) => (i.submenu ? [prefix + i.label, ...this.labels(i.submenu, `${prefix}${i.label} > `)] : i.label ? [prefix + i.label] : []));
  }
  /** Clicks the menu item with this label ("Snooze notifications > For 1 hour"). */
  click(path: string): void {
    const parts = path.split(' > ');
    let items = this.menu?.template ?? [];
    let item: any;
    for (const p of parts) {
      item = items.find((i: any) => i.label === p);
      if (!item) throw new Error(`no menu item "${p}" in ${JSON.stringify(this.labels())}`);
      items = item.submenu ?? [];
    }
    if (item.enabled === false) throw new Error(`menu item "${path}" is disabled`);
    item.click();
  }
}

export class FakeNotification extends EventEmitter {
  static all: FakeNotification[] = [];
  static supported = true;
  shown = false;
  constructor(readonly options: { title?: string; body?: string; icon?: unknown; silent?: boolean }) {
    super();
    FakeNotification.all.push(this);
  }
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  show(): void {
    this.shown = true;
  }
  /** The user clicks it. */
  click(): void {
    this.emit('click', new FakeEvent());
  }
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
  url = '';
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
  getURL(): string {
    return this.url;
  }
  /** A page in this window tries to go to `url` (link, script); true if it was allowed. */
  tryNavigate(url: string, isMainFrame = true): boolean {
    const e = new FakeEvent({ url, isMainFrame });
    this.emit('will-frame-navigate', e);
    return !(e as FakeEvent).defaultPrevented;
  }
  tryRedirect(url: string): boolean {
    const e = new FakeEvent({ url });
    this.emit('will-redirect', e, url);
    return !e.defaultPrevented;
  }
  tryAttachWebview(): boolean {
    const e = new FakeEvent();
    this.emit('will-attach-webview', e, {}, {});
    return !e.defaultPrevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  static app: FakeApp | null = null;
  webContents = new FakeWebContents();
  loads: string[] = [];
  visible = false;
  focused = 0;
  destroyed = false;
  maximized = false;
  minimized = false;
  bounds: { x: number; y: number; width: number; height: number };
  constructor(readonly options: any) {
    super();
    this.bounds = { x: options.x ?? 100, y: options.y ?? 100, width: options.width ?? 800, height: options.height ?? 600 };
    FakeBrowserWindow.all.push(this);
    FakeBrowserWindow.app?.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  loadURL(url: string): Promise<void> {
    this.loads.push(url);
    this.webContents.url = url;
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused++;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  maximize(): void {
    this.maximized = true;
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  /** The user closes it: `close` may be prevented (hide to tray), else it is destroyed. */
  close(): void {
    const e = new FakeEvent();
    this.emit('close', e);
    if (e.defaultPrevented) return;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
  /** The user moves/resizes it. */
  setBoundsByUser(b: { x: number; y: number; width: number; height: number }): void {
    this.bounds = b;
    this.emit('move');
    this.emit('resize');
  }
}

export class FakeSession {
  cookies = {
    set: async (c: any) => {
      this.cookieJar.push(c);
    },
  };
  cookieJar: any[] = [];
  permissionRequest: Listener | null = null;
  permissionCheck: ((...a: any[]) => boolean) | null = null;
  headersListener: Listener | null = null;
  webRequest = {
    onHeadersReceived: (l: Listener) => {
      this.headersListener = l;
    },
  };
  setPermissionRequestHandler(h: Listener): void {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: (...a: any[]) => boolean): void {
    this.permissionCheck = h;
  }
}

const PARENT_PORT_SHIM = new URL('./parent-port-shim.mjs', import.meta.url).href;

/**
 * Electron's `utilityProcess` as a Node child process: `--import` of a shim gives the child
 * `process.parentPort` over Node's IPC channel (a .ts entry also gets tsx), messages travel
 * both ways, `exit` reports the code (128 + signal number when killed by a signal, as a shell would).
 */
export class FakeUtilityProcess extends EventEmitter {
  static all: FakeUtilityProcess[] = [];
  readonly child: ChildProcess;
  pid: number | undefined;
  exitCode: number | null = null;
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: { env?: NodeJS.ProcessEnv; execArgv?: string[]; cwd?: string; stdio?: 'inherit' | 'pipe' | 'ignore'; serviceName?: string },
  ) {
    super();
    const tsx = /\.[cm]?ts$/.test(modulePath) ? ['--import', 'tsx'] : [];
    const out = options.stdio ?? 'inherit';
    this.child = fork(modulePath, args, {
      execArgv: [...tsx, '--import', PARENT_PORT_SHIM, ...(options.execArgv ?? [])],
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', out, out, 'ipc'],
    });
    this.pid = this.child.pid;
    FakeUtilityProcess.all.push(this);
    this.child.on('spawn', () => this.emit('spawn'));
    this.child.on('message', (m) => this.emit('message', m));
    this.child.on('exit', (code, signal) => {
      this.pid = undefined;
      this.exitCode = code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0);
      this.emit('exit', this.exitCode);
    });
  }
  static fork(modulePath: string, args: string[] = [], options: FakeUtilityProcess['options'] = {}): FakeUtilityProcess {
    return new FakeUtilityProcess(modulePath, args, options);
  }
  get stdout() {
    return this.child.stdout;
  }
  get stderr() {
    return this.child.stderr;
  }
  postMessage(message: unknown): void {
    if (this.child.connected) this.child.send(message as never);
  }
  /** SIGTERM, like Electron on POSIX. */
  kill(): boolean {
    return this.child.kill('SIGTERM');
  }
  /** The process dies at once (a crash, the OOM killer): SIGKILL. */
  crash(): void {
    this.child.kill('SIGKILL');
  }
  /** Resolves once the process has ended. */
  exited(): Promise<number> {
    if (this.exitCode !== null) return Promise.resolve(this.exitCode);
    return new Promise((r) => this.once('exit', r));
  }
  /** Kills every fake utility process still running and waits for them (test cleanup). */
  static async killAll(): Promise<void> {
    await Promise.all(
      FakeUtilityProcess.all.map((p) => {
        if (p.exitCode !== null) return;
        const done = p.exited();
        p.crash();
        return done;
      }),
    );
    FakeUtilityProcess.all = [];
  }
}

export class FakeIpcMain {
  handlers = new Map<string, (event: any, payload: unknown) => Promise<unknown>>();
  handle(channel: string, fn: (event: any, payload: unknown) => Promise<unknown>): void {
    this.handlers.set(channel, fn);
  }
  /** A renderer frame at `senderUrl` calls `channel`. */
  invoke(channel: string, payload: unknown, senderUrl: string | null, opts: { subframe?: boolean } = {}): Promise<unknown> {
    const fn = this.handlers.get(channel);
    if (!fn) return Promise.reject(new Error(`no handler for ${channel}`));
    const senderFrame = senderUrl === null ? null : { url: senderUrl, parent: opts.subframe ? { url: senderUrl } : null };
    return fn({ senderFrame }, payload);
  }
}

/** Everything the fake recorded, plus the ElectronApi to inject. */
export interface FakeElectron {
  electron: ElectronApi;
  app: FakeApp;
  trays: FakeTray[];
  notifications: FakeNotification[];
  windows: FakeBrowserWindow[];
  powerMonitor: EventEmitter;
  nativeTheme: EventEmitter & { shouldUseDarkColors: boolean };
  sessions: Map<string, FakeSession>;
  ipcMain: FakeIpcMain;
  /** every utility process forked, oldest first */
  utilityProcesses: FakeUtilityProcess[];
  external: string[];
  openedPaths: string[];
  errors: { title: string; content: string }[];
}

/** A fresh fake Electron for one test. */
export function createFakeElectron(opts: { userData: string; lock?: boolean; appPath?: string; workArea?: { x: number; y: number; width: number; height: number } }): FakeElectron {
  const app = new FakeApp(opts.userData, opts.lock ?? true, opts.appPath ?? process.cwd());
  FakeTray.all = [];
  FakeNotification.all = [];
  FakeNotification.supported = true;
  FakeBrowserWindow.all = [];
  FakeBrowserWindow.app = app;
  const powerMonitor = new EventEmitter();
  const nativeTheme = Object.assign(new EventEmitter(), { shouldUseDarkColors: false });
  const sessions = new Map<string, FakeSession>();
  const ipcMain = new FakeIpcMain();
  const external: string[] = [];
  const openedPaths: string[] = [];
  const errors: { title: string; content: string }[] = [];
  const workArea = opts.workArea ?? { x: 0, y: 0, width: 1920, height: 1080 };
  const fake = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Notification: FakeNotification,
    Menu: { buildFromTemplate: (template: any[]): FakeMenu => ({ template }) },
    nativeImage: { createFromPath: (p: string) => new FakeImage(p) },
    nativeTheme,
    powerMonitor,
    screen: { getAllDisplays: () => [{ workArea }] },
    session: {
      fromPartition: (name: string) => {
        let s = sessions.get(name);
        if (!s) sessions.set(name, (s = new FakeSession()));
        return s;
      },
    },
    shell: {
      openExternal: async (url: string) => {
        external.push(url);
      },
      openPath: async (p: string) => {
        openedPaths.push(p);
        return '';
      },
    },
    ipcMain,
    utilityProcess: { fork: (modulePath: string, args?: string[], options?: FakeUtilityProcess['options']) => FakeUtilityProcess.fork(modulePath, args, options) },
    dialog: {
      showErrorBox: (title: string, content: string) => {
        errors.push({ title, content });
      },
    },
  };
  return {
    electron: fake as unknown as ElectronApi,
    app,
    get trays() {
      return FakeTray.all;
    },
    get notifications() {
      return FakeNotification.all;
    },
    get windows() {
      return FakeBrowserWindow.all;
    },
    powerMonitor,
    nativeTheme,
    sessions,
    ipcMain,
    get utilityProcesses() {
      return FakeUtilityProcess.all;
    },
    external,
    openedPaths,
    errors,
  };
}

/** The platform a shell test boots on: Linux, started at login (tray only), its config under `userData`. */
export function testPlatform(userData: string, over: Partial<ShellPlatform> = {}): ShellPlatform {
  return {
    platform: 'linux',
    env: { XDG_CONFIG_HOME: path.join(userData, 'xdg') },
    argv: ['/opt/lubdub/lubdub', '--hidden'],
    execPath: '/opt/lubdub/lubdub',
    iconsDir: '/icons',
    preloadPath: '/app/dist-electron/electron/preload/preload.cjs',
    timeZone: 'UTC',
    ...over,
  };
}
