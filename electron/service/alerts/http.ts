import http from 'node:http';
import https from 'node:https';
import { outgoingUrlError } from '../../../shared/alerts/channel-input.js';
import type { SendResult } from './channels/types.js';
import { formatRunSeconds } from '../../../shared/domain/duration.js';

/** Limits of outgoing alert requests (10 s timeout, at most 3 redirects). */
export const HTTP_TIMEOUT_MS = 10_000;
/** Redirects followed before giving up (each hop re-checked by outgoingUrlError). */
export const MAX_REDIRECTS = 3;

/** An outgoing POST of an alert. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  timeoutMs?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials: never sent on to another origin. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** `headers` without credentials (a redirect to another origin, or https → http). */
function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.has(k.toLowerCase())));
}

function describe(e: unknown, timeoutMs: number): string {
  const err = e as NodeJS.ErrnoException;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `timed out after ${formatRunSeconds(timeoutMs / 1000)}`;
  if (err.code && err.message) return err.message.startsWith(err.code) ? err.message : `${err.code}: ${err.message}`;
  return err.message || String(e);
}

/**
 * Keep-alive agents for alert requests. Why node:http and not fetch: a wave of alerts (a
 * thousand deadlines in one second) spends most of its CPU in fetch's stream machinery,
 * and only the status and the Location header are ever read.
 */
const AGENTS = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }) };

/** One HTTP exchange; the answer's body is drained unread. */
function exchange(url: URL, method: string, headers: Record<string, string>, body: string | Uint8Array | undefined, signal: AbortSignal): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const h = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = mod.request(url, { method, headers: h, signal, agent: AGENTS[url.protocol as 'http:' | 'https:'] }, (res) => {
      res.resume();
      const loc = res.headers.location;
      resolve({ status: res.statusCode ?? 0, location: Array.isArray(loc) ? loc[0] : loc });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * POSTs an alert, following at most MAX_REDIRECTS redirects by hand so that every hop
 * passes the same URL rule (http/https only, no credentials): a redirect cannot send an
 * alert to file:, to another scheme, or loop forever. 303, and 301/302 after POST, continue
 * as GET without body (as fetch and curl do); 307/308 repeat the POST. A hop to another
 * origin (host, port or scheme, so https → http too) loses the credential headers, as
 * fetch drops Authorization: a token must not follow a redirect to someone else.
 * The whole exchange, redirects included, has one timeout.
 */
export async function postAlert(req: OutgoingRequest): Promise<SendResult> {
  const timeoutMs = req.timeoutMs ?? HTTP_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let url = req.url;
  let method = 'POST';
  let headers = req.headers;
  for (let hop = 0; ; hop++) {
    const bad = outgoingUrlError(url);
    if (bad) return { ok: false, error: hop === 0 ? bad : `redirect refused: ${bad}`, permanent: true };
    let res: { status: number; location: string | undefined };
    try {
      const post = method === 'POST';
      res = await exchange(new URL(url), method, post ? headers : { 'user-agent': headers['user-agent'] ?? 'Lubdub' }, post ? req.body : undefined, signal);
    } catch (e) {
      return { ok: false, error: describe(e, timeoutMs) };
    }
    if (REDIRECTS.has(res.status)) {
      const loc = res.location;
      if (!loc) return { ok: false, error: `HTTP ${res.status} without Location` };
      if (hop >= MAX_REDIRECTS) return { ok: false, error: `more than ${MAX_REDIRECTS} redirects`, permanent: true };
      let next: URL;
      try {
        next = new URL(loc, url);
      } catch {
        return { ok: false, error: 'redirect to an invalid URL', permanent: true };
      }
      if (next.origin !== new URL(url).origin) headers = withoutCredentials(headers);
      url = next.toString();
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) method = 'GET';
      continue;
    }
    // The reply's body is never read into an error: a channel URL may point at a loopback or
    // link-local service, and its answer must not come back through the channel test or the
    // delivery log (a server-side request forgery read-back). The status is what counts.
    if (res.status >= 200 && res.status < 300) return { ok: true, error: null };
    // A 4xx other than timeout/rate limit will not get better by retrying the same request.
    const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
    return { ok: false, error: `HTTP ${res.status}`, permanent };
  }
}
