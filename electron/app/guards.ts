import { UUID_RE } from '../../shared/domain/ping-url.js';

/**
 * Security predicates of the desktop shell, pure and table-tested. Every URL is parsed
 * with the WHATWG `URL` parser (the one Chromium uses) and compared by its parsed parts,
 * never with `includes`/`startsWith` on the raw string: `http://127.0.0.1:8421@evil.com`
 * and `http://127.0.0.1:8421.evil.com` both *start with* the console origin.
 */

/** Parses `raw` as an absolute URL; null for anything unparsable or too long. */
export function parseUrl(raw: unknown): URL | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 4096) return null;
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/**
 * The origin of the console a window may show: an http(s) base URL without userinfo.
 * Returns the normalised origin ("http://127.0.0.1:8421") or null.
 */
export function consoleOrigin(base: string): string | null {
  const u = parseUrl(base);
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) return null;
  if (u.username !== '' || u.password !== '') return null;
  return u.origin;
}

/**
 * May a Lubdub window navigate to (or a frame be at) `raw`? Only pages of the console's own
 * origin: same scheme, host and port, http(s), no userinfo. Stops a page that was tricked
 * into navigating (link, redirect, `location=`) from loading foreign content into a window
 * that carries the preload bridge. `blob:`, `data:`, `file:`, `javascript:` and custom
 * schemes are refused even though a `blob:` URL reports the console's origin.
 */
export function isConsoleUrl(raw: unknown, origin: string | null): boolean {
  if (!origin) return false;
  const u = parseUrl(raw);
  if (!u) return false;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (u.username !== '' || u.password !== '') return false;
  return u.origin === origin;
}

/**
 * May `raw` be handed to the OS browser (`shell.openExternal`)? Only http(s) with a host
 * and without userinfo: `file:`, `smb:`, `ms-msdt:`-style handlers and `javascript:` can
 * run code or leak credentials outside the sandbox (the classic openExternal RCE).
 */
export function isExternalUrl(raw: unknown): boolean {
  const u = parseUrl(raw);
  if (!u) return false;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (u.username !== '' || u.password !== '') return false;
  return u.hostname !== '';
}

/**
 * Is an IPC message from a frame we trust? The sender frame must exist (a frame that
 * navigated away or was destroyed has none) and be a console page: a compromised or
 * foreign page in any frame cannot call the shell's handlers.
 */
export function isTrustedSender(senderUrl: unknown, origin: string | null): boolean {
  return isConsoleUrl(senderUrl, origin);
}

/** Is `v` a check UUID as the service issues them? */
export function isCheckUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID_RE.test(v);
}
