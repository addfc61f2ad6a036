/**
 * The console window's preload. Sandboxed preloads run as CommonJS with a `require` that
 * knows only Electron's own modules, so this file is self-contained (compiled to
 * preload.cjs) and imports nothing but `electron`; channel names are checked against the
 * shell's IPC registry at compile time through a type-only import.
 *
 * It exposes `window.lubdub` with named functions only — never `ipcRenderer` itself, so a
 * page cannot pick a channel or listen to the shell's messages.
 */
import electron = require('electron');
import type { IpcChannel, IpcPayloads } from '../app/ipc.js' with { 'resolution-mode': 'import' };

const CHANNELS = {
  openEditor: 'lubdub:open-editor',
  openCheck: 'lubdub:open-check',
  openExternal: 'lubdub:open-external',
} as const satisfies Record<string, IpcChannel>;

function invoke<C extends IpcChannel>(channel: C, payload: IpcPayloads[C]): Promise<boolean> {
  return electron.ipcRenderer.invoke(channel, payload) as Promise<boolean>;
}

/** What the console can ask of the desktop shell (`window.lubdub`, absent in a browser). */
const lubdubDesktop = {
  /** true: the console runs inside the desktop app */
  desktop: true,
  /** opens the check editor window, for a check or (null) a new one */
  openEditor: (check: string | null) => invoke(CHANNELS.openEditor, { check }),
  /** shows a check's detail in the console window */
  openCheck: (check: string) => invoke(CHANNELS.openCheck, { check: String(check) }),
  /** opens an http(s) link in the system browser */
  openExternal: (url: string) => invoke(CHANNELS.openExternal, { url: String(url) }),
};

electron.contextBridge.exposeInMainWorld('lubdub', lubdubDesktop);
