/**
 * Requests whose path has a malformed %-escape (`/%ff`, `/%`). Fastify's router refuses
 * them before any hook runs, with its own JSON 400: no Host guard (421), no security
 * headers, no per-address limit. Both ports rewrite such a URL to this path instead, so
 * the request goes through every guard and gets the port's own error shape.
 */
export const BAD_URL_PATH = '/.lubdub-bad-url';

/** Fastify's `rewriteUrl`: the URL as is, or BAD_URL_PATH when its path cannot be decoded. */
export function rewriteBadUrl(req: { url?: string }): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!path.includes('%')) return url;
  try {
    decodeURIComponent(path);
    return url;
  } catch {
    return BAD_URL_PATH;
  }
}
