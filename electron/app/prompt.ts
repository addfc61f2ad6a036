import crypto from 'node:crypto';
import type { BrowserWindow } from 'electron';
import type { ElectronApi } from './electron-api.js';
import { registerPromptIpc } from './ipc.js';
import { secureWebPreferences } from './security.js';

/**
 * The prompt window's session: in memory, and not the console's (its page is the shell's
 * own and needs no console cookie).
 */
export const PROMPT_PARTITION = 'lubdub-prompt';

/** One question (or message) the prompt window shows. */
export interface PromptPage {
  title: string;
  message: string;
  /** shown above the field, as an alert (a wrong code, an unreachable address) */
  error?: string;
  /** the text field; without one the page is a message whose button answers "" */
  field?: { label: string; kind: 'address' | 'code'; value?: string };
  /** the button's words (default "OK") */
  submit?: string;
  /** a Cancel button (default: with a field) */
  cancel?: boolean;
}

/** The prompt window: one question at a time, answered by the user or cancelled (null). */
export interface Prompt {
  /** shows `page` and resolves with what the user typed, or null if they cancelled or closed it */
  ask(page: PromptPage): Promise<string | null>;
  /** closes the window (a pending question answers null) */
  close(): void;
  /** the page the window shows now (a `data:` URL), or null */
  currentPage(): string | null;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// No script at all: the preload wires the form (it runs in its own isolated world), so the
// page's policy can forbid every script, connection, frame and form target.
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

const STYLE = `body{font:14px system-ui,sans-serif;margin:0;padding:20px;color:#1b1f24;background:#fff}
h1{font-size:16px;margin:0 0 8px}p{margin:0 0 12px;line-height:1.4}.error{color:#b3261e;font-weight:600}
label{display:block;font-weight:600;margin-bottom:4px}input{width:100%;box-sizing:border-box;font-size:18px;padding:6px 8px}
input.code{letter-spacing:.3em;font-variant-numeric:tabular-nums}.buttons{display:flex;justify-content:flex-end;gap:8px;margin-top:16px}
button{font-size:14px;padding:6px 14px}
@media (prefers-color-scheme:dark){body{background:#1e1f22;color:#e6e6e6}.error{color:#ff8a80}}`;

/** The page's HTML: escaped text only, a form the preload answers, a nonce so each page has its own URL. */
export function promptHtml(page: PromptPage, nonce: string): string {
  const f = page.field;
  const input = f
    ? `<label for="answer">${esc(f.label)}</label><input id="answer" name="answer" autofocus required ${
        f.kind === 'code'
          ? 'class="code" inputmode="numeric" autocomplete="one-time-code" maxlength="7" pattern="[0-9]{3} ?[0-9]{3}" placeholder="123456"'
          : 'autocomplete="off" spellcheck="false" maxlength="300" placeholder="nas.local or 192.168.1.20:8422"'
      } value="${esc(f.value ?? '')}">`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}">
<meta name="lubdub-prompt" content="${esc(nonce)}"><title>${esc(page.title)}</title><style>${STYLE}</style></head>
<body><form id="prompt"><h1>${esc(page.title)}</h1><p>${esc(page.message)}</p>${page.error ? `<p class="error" role="alert">${esc(page.error)}</p>` : ''}
${input}<div class="buttons">${(page.cancel ?? !!f) ? '<button type="button" id="cancel">Cancel</button>' : ''}<button type="submit" id="ok">${esc(page.submit ?? 'OK')}</button></div></form></body></html>`;
}

/** What the prompt window needs. */
export interface PromptContext {
  electron: Pick<ElectronApi, 'BrowserWindow' | 'ipcMain'>;
  /** the compiled prompt preload (prompt-preload.cjs) */
  preloadPath: string;
  appIcon: string;
  platform: string;
}

/**
 * A small window that asks for one line (an address, a six-digit code): Electron has no
 * native text prompt. Its page is a `data:` URL the shell writes (escaped text, no script,
 * a strict policy); the sandboxed preload sends the answer on the one prompt channel, which
 * accepts it only from the page shown now.
 */
export function setupPrompt(ctx: PromptContext): Prompt {
  let win: BrowserWindow | null = null;
  let current: string | null = null;
  let pending: ((v: string | null) => void) | null = null;

  const answer = (v: string | null) => {
    const p = pending;
    pending = null;
    p?.(v);
  };

  registerPromptIpc(
    ctx.electron.ipcMain,
    (url) => win !== null && !win.isDestroyed() && url === current,
    (a) => answer(a.value),
  );

  const create = (): BrowserWindow => {
    const w = new ctx.electron.BrowserWindow({
      title: 'Lubdub',
      width: 440,
      height: 300,
      resizable: false,
      minimizable: false,
      maximizable: false,
      fullscreenable: false,
      show: false,
      icon: ctx.platform === 'darwin' ? undefined : ctx.appIcon,
      autoHideMenuBar: true,
      webPreferences: { ...secureWebPreferences(ctx.preloadPath), partition: PROMPT_PARTITION },
    });
    w.on('closed', () => {
      if (win === w) {
        win = null;
        current = null;
      }
      answer(null);
    });
    return w;
  };

  return {
    ask(page) {
      answer(null);
      const w = (win && !win.isDestroyed() ? win : null) ?? (win = create());
      const url = `data:text/html;charset=utf-8;base64,${Buffer.from(promptHtml(page, crypto.randomBytes(12).toString('base64url'))).toString('base64')}`;
      current = url;
      const result = new Promise<string | null>((resolve) => (pending = resolve));
      w.show();
      w.focus();
      void w.loadURL(url).catch(() => {});
      return result;
    },
    close() {
      answer(null);
      current = null;
      if (win && !win.isDestroyed()) win.close();
      win = null;
    },
    currentPage: () => current,
  };
}
