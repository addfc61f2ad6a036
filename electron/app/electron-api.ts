import type * as Electron from 'electron';

/**
 * The part of the `electron` module the shell uses. main.ts passes the real module; tests
 * pass a fake, so no test needs a global `electron` mock and every setupX() is exercised
 * as it runs in the app. Typed from the real electron.d.ts, so `tsc` checks our calls.
 */
export type ElectronApi = Pick<
  typeof Electron,
  | 'app'
  | 'BrowserWindow'
  | 'dialog'
  | 'ipcMain'
  | 'Menu'
  | 'nativeImage'
  | 'nativeTheme'
  | 'Notification'
  | 'powerMonitor'
  | 'screen'
  | 'session'
  | 'shell'
  | 'Tray'
  | 'utilityProcess'
>;

/** Facts about the machine that decide platform behaviour, injectable for tests. */
export interface ShellPlatform {
  /** `process.platform` */
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  argv: string[];
  /** the executable to start at login (`process.execPath`, or the AppImage file) */
  execPath: string;
  /** directory with the tray and app icons (build/icons, or resources/icons when packaged) */
  iconsDir: string;
  /** the compiled preload script */
  preloadPath: string;
  /** the machine's IANA time zone, for "snoozed until 14:00" and "tomorrow 09:00" */
  timeZone: string;
}
