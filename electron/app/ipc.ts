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

/**
 * The prompt window's one channel ("Enter an address…", the pairing code). Its page is the
 * shell's own, not the console, so it has its own sender rule: only the page the prompt
 * window shows right now, in its main frame. Console pages cannot call it (their preload
 * does not expose it, and their URL is never the prompt's).
 */
export const PROMPT_CHANNEL = 'lubdub:prompt-answer';
/** The prompt channel's name, for the prompt preload's compile-time check. */
export type PromptChannel = typeof PROMPT_CHANNEL;

/** What the prompt page sends: the typed text, or null when the user cancelled. */
export interface PromptAnswer {
  value: string | null;
}

/** The longest answer a prompt takes (an address or a code is far shorter). */
const PROMPT_MAX = 300;

/** Validates a prompt answer: exactly `{value}`, a short string or null. */
export function validatePromptAnswer(payload: unknown): Validated<PromptAnswer> {
  const o = plainObject(payload);
  if (!o || !exactKeys(o, ['value'])) return { ok: false, error: 'payload must be {value}' };
  if (o.value !== null && (typeof o.value !== 'string' || o.value.length > PROMPT_MAX)) return { ok: false, error: `value must be null or a string of at most ${PROMPT_MAX} characters` };
  return { ok: true, value: { value: o.value } };
}

/** Registers the prompt channel: the sender must be the prompt's current page (`isPromptPage`). */
export function registerPromptIpc(ipcMain: Pick<IpcMain, 'handle'>, isPromptPage: (url: string) => boolean, handler: (answer: PromptAnswer) => void): void {
  ipcMain.handle(PROMPT_CHANNEL, async (event: IpcMainInvokeEvent, payload: unknown) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !isPromptPage(frame.url)) throw new Error(`${PROMPT_CHANNEL}: sender not allowed`);
    const v = validatePromptAnswer(payload);
    if (!v.ok) throw new Error(`${PROMPT_CHANNEL}: ${v.error}`);
    handler(v.value);
    return true;
  });
}
