/** The check field naming where a check's pings are relayed (any healthchecks-compatible ping URL). */
export const UPSTREAM_FIELD = 'upstream';

/**
 * Why `v` is not a valid ping URL to send to (words after the field name), or null. `null`
 * or "" turns it off. The relay's `upstream` and the "Lubdub itself" heartbeat URL follow it.
 */
export function upstreamError(v: unknown, name: string): string | null {
  if (v === null || v === '') return null;
  if (typeof v !== 'string') return `${name} is not a string`;
  if (v.length > 500) return `${name} is too long`;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return `${name} is not a URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `${name} must be an http or https URL`;
  if (u.username || u.password || u.search || u.hash) return `${name} must be a plain ping URL (no credentials, query or fragment)`;
  return null;
}
