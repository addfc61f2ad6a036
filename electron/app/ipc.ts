import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { isCheckUuid, isExternalUrl, isTrustedSender } from './guards.js';

/**
 * Every IPC channel between the console page and the shell, declared once. The preload
 * exposes one named function per channel (never `ipcRenderer` itself); the main process
 * accepts a call only from a console-origin frame and only with a valid payload.
 */
export const IPC_CHANNELS = {
  /** open the check editor window: a check UUID, or null for a new check */
  openEditor: 'lubdub:open-editor',
  /** show one check's detail in the console window */
  openCheck: 'lubdub:open-check',
  /** open an http(s) link in the OS browser */
  openExternal: 'lubdub:open-external',
} as const;

/** A channel name. */
export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** The payload of each channel. */
export interface IpcPayloads {
  'lubdub:open-editor': { check: string | null };
  'lubdub:open-check': { check: string };
  'lubdub:open-external': { url: string };
}

/** What the main process does for each channel. */
export type IpcHandlers = { [C in IpcChannel]: (payload: IpcPayloads[C]) => void | Promise<void> };

/** A payload check's verdict. */
export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

function plainObject(v: unknown): Record<string, unknown> | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null ? (v as Record<string, unknown>) : null;
}

function exactKeys(o: Record<string, unknown>, keys: string[]): boolean {
  const k = Object.keys(o);
  return k.length === keys.length && keys.every((x) => k.includes(x));
}

/** Validates a payload for `channel`; extra keys, wrong types and hostile URLs are refused. */
export function validatePayload<C extends IpcChannel>(channel: C, payload: unknown): Validated<IpcPayloads[C]> {
  const o = plainObject(payload);
  if (!o) return { ok: false, error: 'payload must be an object' };
  switch (channel) {
    case IPC_CHANNELS.openEditor:
      if (!exactKeys(o, ['check']) || (o.check !== null && !isCheckUuid(o.check))) return { ok: false, error: 'check must be a check UUID or null' };
      return { ok: true, value: { check: o.check } as IpcPayloads[C] };
    case IPC_CHANNELS.openCheck:
      if (!exactKeys(o, ['check']) || !isCheckUuid(o.check)) return { ok: false, error: 'check must be a check UUID' };
      return { ok: true, value: { check: o.check } as IpcPayloads[C] };
    case IPC_CHANNELS.openExternal:
      if (!exactKeys(o, ['url']) || !isExternalUrl(o.url)) return { ok: false, error: 'url must be an http(s) URL' };
      return { ok: true, value: { url: o.url } as IpcPayloads[C] };
    default:
      return { ok: false, error: 'unknown channel' };
  }
}

/**
 * The one choke point for IPC: registers a handler per channel that first checks the
 * sender frame's origin (a foreign page that got into a window, or a subframe, cannot
 * drive the shell), then validates the payload, then calls the handler.
 */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, origin: () => string | null, handlers: IpcHandlers): void {
  for (const channel of Object.values(IPC_CHANNELS)) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, payload: unknown) => {
      const frame = event.senderFrame;
      if (!frame || !isTrustedSender(frame.url, origin()) || frame.parent !== null) {
        throw new Error(`${channel}: sender not allowed`);
      }
      const v = validatePayload(channel, payload);
      if (!v.ok) throw new Error(`${channel}: ${v.error}`);
      await (handlers[channel] as (p: unknown) => void | Promise<void>)(v.value);
      return true;
    });
  }
}
