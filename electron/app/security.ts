import type { Session, WebContents, WebPreferences } from 'electron';
import type { ElectronApi } from './electron-api.js';
import { isConsoleUrl, isExternalUrl } from './guards.js';

/**
 * The session of every Lubdub window. Not `persist:`: it lives in memory, so the console
 * session cookie the shell sets is never written to disk, and nothing a page stores
 * outlives the app.
 */
export const CONSOLE_PARTITION = 'lubdub-console';

/**
 * A baseline Content-Security-Policy the shell adds to every console response. The
 * console sends its own strict policy; when both are present the browser enforces both,
 * so this can only tighten: no inline or foreign script, no plugins, no framing, no
 * foreign connections, no <base> hijack.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Response headers with our CSP added next to any the server sent (case-insensitive name). */
export function withCsp(headers: Record<string, string[] | string> | undefined, csp = CONSOLE_CSP): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let key = 'Content-Security-Policy';
  for (const [k, v] of Object.entries(headers ?? {})) {
    out[k] = Array.isArray(v) ? [...v] : [v];
    if (k.toLowerCase() === 'content-security-policy') key = k;
  }
  out[key] = [...(out[key] ?? []), csp];
  return out;
}

/**
 * Which web permissions a console page gets: only writing to the clipboard ("copy ping
 * URL"), and only from the console's origin. Camera, microphone, geolocation, notifications
 * (the shell shows those), clipboard reading, HID/USB/serial and the rest are refused.
 */
export function isPermissionAllowed(permission: string, requestingUrl: string | undefined, origin: string | null): boolean {
  return permission === 'clipboard-sanitized-write' && isConsoleUrl(requestingUrl, origin);
}

/**
 * webPreferences of every Lubdub window (Electron security checklist): isolated, sandboxed
 * renderer without Node, no <webview>, no insecure content, in the in-memory partition.
 */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    partition: CONSOLE_PARTITION,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/** What security setup needs from the rest of the shell. */
export interface SecurityContext {
  electron: ElectronApi;
  /** the console origin now (null before the service is known) */
  origin: () => string | null;
  /** shows a console URL in the console window (used for console-origin `window.open`) */
  openConsoleUrl: (url: string) => void;
}

/** Opens `url` in the OS browser if it is http(s); anything else is dropped. */
export function openExternalSafely(electron: Pick<ElectronApi, 'shell'>, url: string): boolean {
  if (!isExternalUrl(url)) return false;
  // Re-serialised by the parser: what the browser gets is exactly what was checked.
  void electron.shell.openExternal(new URL(url).href).catch(() => {});
  return true;
}

/** Hardens one WebContents: navigation, redirects, new windows and <webview>. */
export function hardenContents(contents: WebContents, ctx: SecurityContext): void {
  // Any frame leaving the console (link, script, form) is stopped; a main-frame link to
  // an http(s) page opens in the OS browser instead, where it has no preload bridge.
  contents.on('will-frame-navigate', (e) => {
    if (isConsoleUrl(e.url, ctx.origin())) return;
    e.preventDefault();
    if (e.isMainFrame) openExternalSafely(ctx.electron, e.url);
  });
  contents.on('will-redirect', (e) => {
    if (!isConsoleUrl(e.url, ctx.origin())) e.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isConsoleUrl(url, ctx.origin())) ctx.openConsoleUrl(url);
    else openExternalSafely(ctx.electron, url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

/**
 * Installs the app-wide guards before any window exists: every WebContents is hardened
 * as it is created, the console partition refuses permissions and gets the CSP.
 */
export function setupSecurity(ctx: SecurityContext): Session {
  const { app, session } = ctx.electron;
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, ctx));
  const ses = session.fromPartition(CONSOLE_PARTITION);
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl, ctx.origin()));
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin, ctx.origin()));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
  return ses;
}
