import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ElectronApi } from './electron-api.js';

/** The flag a login start carries: start in the tray, no window. */
export const HIDDEN_FLAG = '--hidden';

// Characters that make the Desktop Entry spec require an Exec argument to be quoted.
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/**
 * Quotes one argument for a .desktop `Exec=` line (Desktop Entry spec, "The Exec key"):
 * inside double quotes `"`, `` ` ``, `$` and `\` take a backslash; then the value as a
 * whole is a string where `\` is itself escaped, and a literal `%` is written `%%` (else
 * it is a field code). A path with a newline cannot be expressed and is refused.
 */
export function desktopExecArg(arg: string): string {
  if (/[\n\r\u0000]/.test(arg)) throw new Error('a command-line argument in a .desktop file cannot contain a newline');
  let a = arg;
  if (RESERVED.test(a) || a === '') a = `"${a.replace(/(["`$\\])/g, '\\$1')}"`;
  return a.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

/** What an autostart entry starts. */
export interface AutostartEntry {
  /** absolute path of the program (the AppImage file, or the installed binary) */
  exec: string;
  args: string[];
  name: string;
  comment: string;
  icon: string;
}

/**
 * The XDG autostart file (freedesktop "Desktop Application Autostart"): desktops that
 * follow it (GNOME, KDE, Xfce, …) start `Exec` when the user logs in.
 */
export function autostartDesktopEntry(e: AutostartEntry): string {
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${oneLine(e.name)}`,
    `Comment=${oneLine(e.comment)}`,
    `Exec=${[e.exec, ...e.args].map(desktopExecArg).join(' ')}`,
    `Icon=${oneLine(e.icon)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Where the autostart entry lives: `$XDG_CONFIG_HOME/autostart/lubdub.desktop`. */
export function autostartPath(env: NodeJS.ProcessEnv, home = os.homedir()): string {
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(config, 'autostart', 'lubdub.desktop');
}

/**
 * The program to start at login on Linux: inside an AppImage, `process.execPath` points
 * into a temporary mount that is gone after logout, so the AppImage file itself
 * ($APPIMAGE) is what must be started.
 */
export function linuxLoginExec(env: NodeJS.ProcessEnv, execPath: string): string {
  return env.APPIMAGE && path.isAbsolute(env.APPIMAGE) ? env.APPIMAGE : execPath;
}

/** Start at login: Electron's login items on macOS/Windows, an XDG autostart file on Linux. */
export interface StartAtLogin {
  isEnabled(): boolean;
  set(enabled: boolean): void;
}

/** Start-at-login for this platform. */
export function startAtLogin(electron: Pick<ElectronApi, 'app'>, opts: { platform: string; env: NodeJS.ProcessEnv; execPath: string; home?: string }): StartAtLogin {
  const { app } = electron;
  if (opts.platform === 'linux') {
    const file = autostartPath(opts.env, opts.home);
    return {
      isEnabled: () => fs.existsSync(file),
      set(enabled) {
        if (!enabled) {
          fs.rmSync(file, { force: true });
          return;
        }
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const text = autostartDesktopEntry({
          exec: linuxLoginExec(opts.env, opts.execPath),
          args: [HIDDEN_FLAG],
          name: 'Lubdub',
          comment: 'Heartbeat monitor for cron jobs, backups and scripts',
          icon: 'lubdub',
        });
        const tmp = `${file}.tmp-${process.pid}`;
        fs.writeFileSync(tmp, text, { mode: 0o644 });
        fs.renameSync(tmp, file);
      },
    };
  }
  // Windows needs the same args in get and set to find its registry entry.
  const args = opts.platform === 'win32' ? [HIDDEN_FLAG] : undefined;
  return {
    isEnabled: () => app.getLoginItemSettings(args ? { args } : undefined).openAtLogin,
    set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, ...(args ? { args } : {}) }),
  };
}

/** Was this run started at login (so it should stay in the tray without a window)? */
export function startedAtLogin(electron: Pick<ElectronApi, 'app'>, platform: string, argv: string[]): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  return platform === 'darwin' && electron.app.getLoginItemSettings().wasOpenedAtLogin === true;
}
