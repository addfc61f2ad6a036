/**
 * The base URL of ping URLs (`--base-url`, `LUBDUB_BASE_URL`, the console's setting) is
 * pasted into shell, PowerShell, Python, crontab and systemd snippets that users run.
 * Security predicate: only `http(s)://host[:port][/path]` made of characters no shell,
 * crontab (`%`) or systemd (`%`, `$`) line gives a meaning, so a hostile value (`;`, `$()`,
 * quotes, spaces, newlines) can never become a command on whoever pastes a snippet.
 */

/** Longest base URL accepted. */
export const MAX_BASE_URL_LENGTH = 300;

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const BASE_URL_RE = new RegExp(
  `^https?://(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9A-Fa-f:.]{2,45}\\])(?::([0-9]{1,5}))?((?:/[A-Za-z0-9._~-]*)*)$`,
);

/** Why `raw` is not an acceptable base URL, or null. A trailing slash is allowed (and dropped by callers). */
export function baseUrlError(raw: unknown): string | null {
  if (typeof raw !== 'string') return 'base_url is not a string';
  if (raw.length > MAX_BASE_URL_LENGTH) return 'base_url is too long';
  const m = BASE_URL_RE.exec(raw);
  if (!m) {
    return 'base_url must be http(s)://host[:port][/path] with letters, digits and . _ ~ - only (no credentials, query, fragment, spaces or quotes)';
  }
  if (m[1] !== undefined && (Number(m[1]) < 1 || Number(m[1]) > 65535)) return 'base_url has an invalid port';
  if (m[2].split('/').some((seg) => seg === '.' || seg === '..')) return 'base_url must not contain . or .. path segments';
  try {
    // IPv6 literals: the pattern only bounds their characters, the URL parser checks them
    new URL(raw);
  } catch {
    return 'base_url is not a valid URL';
  }
  return null;
}
