import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { Summary, ServiceEvent } from '../../../shared/api/types.js';
import { API, type Params, type RouteName } from '../../../shared/api/routes.js';
import { scopeAllows, type KeyScope, type Surface } from '../../../shared/api/office.js';
import type { KeyStore } from './key-store.js';
import { contractValidator, on } from './contract.js';
import { isoSeconds } from '../../../shared/api/format.js';
import { isAllowedHost } from '../../../shared/security/host.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { ApiError } from '../core/api-error.js';
import type { CheckService } from '../core/checks.js';
import type { Runtime } from '../core/runtime.js';
import type { Repos } from '../db/repos.js';
import type { Bus } from '../events.js';
import { checkJson, flipJson, pingJson, type ReadContext } from '../serialize.js';
import { CSRF_HEADER, readCookie, safeEqual, SESSION_COOKIE, sessionCookie, type Sessions } from './auth.js';
import type { Overview } from './overview.js';
import { isStorageError, storageHint } from '../db/storage-error.js';
import { BAD_URL_PATH, rewriteBadUrl } from '../bad-url.js';
import type { Log } from '../log.js';

/** What the management API needs. */
export interface ApiDeps {
  checks: CheckService;
  /** the console's overview (windows and the summary) */
  overview: Overview;
  /** the ping log and flips, read by their routes */
  repos: Repos;
  bus: Bus;
  runtime: Runtime;
  readContext: () => ReadContext;
  clock: Clock;
  log: Log;
  sessions: Sessions;
  apiKey: () => string;
  /** read-only and device keys; absent: only the full API key */
  keys?: KeyStore;
  /** the listening port, for the Host guard; null turns the guard off (bound to a LAN address) */
  guardPort: () => number | null;
  /** channels for GET /api/v3/channels/ */
  channels?: () => { id: string; name: string; kind: string }[];
  mutedUntil?: () => number | null;
  /** more routes: Lubdub's own API beside v3, and the console */
  plugins?: ((app: FastifyInstance) => void)[];
  version?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** how the request authenticated */
    authBy?: 'key' | 'session';
    /** the scope of the key or session it authenticated with */
    scope?: KeyScope;
    /** the stored key it authenticated with (read-only or device), for revocation */
    keyId?: string;
  }
}

/** Paths outside /api/ that still need credentials (a scrape target holds the same data as the API). */
const PRIVATE_OUTSIDE_API = new Set<string>([API.prometheusMetrics.path]);

/**
 * Where a request arrived. The share listener (electron/service/office/) hands its TLS
 * requests to this app's router: an encrypted socket is the share port, as the UI port
 * itself only listens in plain HTTP on loopback.
 */
export function surfaceOf(req: FastifyRequest): Surface {
  return (req.raw.socket as { encrypted?: boolean }).encrypted === true ? 'share' : 'ui';
}

/** The declared route `method` + matched `url` is, or null. */
const ROUTE_NAMES = new Map<string, RouteName>(Object.entries(API).map(([name, r]) => [`${r.method} ${r.path}`, name as RouteName]));
function routeName(method: string, url: string | undefined): RouteName | null {
  if (url === undefined) return null;
  return ROUTE_NAMES.get(`${method === 'HEAD' ? 'GET' : method} ${url}`) ?? null;
}

const NOT_SHARED = 'not shared: this port serves only what a paired device may do';

/** Paths served without credentials. */
function isPublic(path: string): boolean {
  return path === API.status.path || path === API.login.path || (!path.startsWith('/api/') && !PRIVATE_OUTSIDE_API.has(path));
}

/** The key of `Authorization: Bearer <key>` (how Prometheus and Grafana send credentials), or undefined. */
function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * Builds the management API (healthchecks v3 + Lubdub's additions) and event stream,
 * without listening. Loopback only by default; every request passes the Host guard.
 */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const { checks, repos, bus, runtime } = deps;
  const app = Fastify({
    loggerInstance: deps.log,
    // no line per request: only what goes wrong is logged
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // a socket silent for 10 s is closed (the event stream turns this off for its own socket)
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    // Slowloris defence (no idle-socket timeout: the event stream is long-lived): headers
    // within 10 s, checked every second (Node's default check runs every 30 s); over 16 KB → 431.
    http: { headersTimeout: 10_000, maxHeaderSize: 16 * 1024, connectionsCheckingInterval: 1_000 } as object,
    return503OnClosing: false,
    // close() waits for every open connection: an event stream never ends by itself, and a
    // browser's preconnected socket or a stalled request holds it until a timeout. Stopping
    // (quit, SIGTERM) cuts them; the console and the desktop shell reconnect.
    forceCloseConnections: true,
    rewriteUrl: rewriteBadUrl,
  });
  app.setValidatorCompiler(contractValidator);

  // healthchecks parses the body as JSON whatever its content type (curl -d sends
  // x-www-form-urlencoded). Prototype poisoning keys are refused with 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      const parsed = JSON.parse(text, (k, v) => {
        if (k === '__proto__' || k === 'constructor' || k === 'prototype') throw new Error('forbidden key');
        return v;
      });
      // `null` is not an empty body: healthchecks refuses any JSON root that is not an object
      if (parsed === null) return done(new ApiError(400, 'json validation error: json root is not an object') as unknown as Error, undefined);
      done(null, parsed);
    } catch {
      done(new ApiError(400, 'could not parse request body') as unknown as Error, undefined);
    }
  });

  // 1. DNS-rebinding guard (421) before anything else.
  app.addHook('onRequest', async (req, reply) => {
    // The share port answers LAN names and addresses by design; it takes keys only, never cookies.
    if (surfaceOf(req) === 'share') {
      // Only the device scope exists there: anything else (settings, keys, channels, the
      // console's pages) is refused whoever asks, before its body is even read.
      const name = routeName(req.method, req.routeOptions.url);
      if (name === null || !scopeAllows('device', name, 'GET', 'share')) return reply.code(403).type('application/json').send({ error: NOT_SHARED });
      return;
    }
    const port = deps.guardPort();
    if (port !== null && !isAllowedHost(req.headers.host, port)) {
      return reply.code(421).type('application/json').send({ error: 'misdirected request: Host must be localhost, 127.0.0.1 or [::1]' });
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send({ error: err.message });
    if (isStorageError(err)) {
      // Disk full or database unwritable: the request was not applied; say so, keep running.
      req.log.error(`storage error, API change not saved, answered 503: ${storageHint(err.message)}`);
      return reply.code(503).send({ error: 'storage error' });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, `api error: ${err.message}`);
    return reply.code(status).send({ error: status === 500 ? 'internal error' : err.message });
  });
  // healthchecks answers a wrong method on an existing route with 405 and Allow (Django's
  // require_http_methods). The router only knows "no route", so the routes are recorded
  // here as they are added; catch-all routes (the console's pages) do not count.
  const routes: { re: RegExp; method: string }[] = [];
  app.addHook('onRoute', (r) => {
    if (r.url.includes('*')) return;
    const re = new RegExp(`^${r.url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '[^/]+')}$`);
    for (const m of [r.method].flat()) routes.push({ re, method: m });
  });
  // 2. Authentication: X-Api-Key (scripts) or the console session cookie (+ CSRF header for changes).
  const authenticate = async (req: FastifyRequest, reply: FastifyReply) => {
    // The matched route, not the raw URL: the router decodes `/%61pi/…` to `/api/…`, so a
    // raw-URL test would let such a request past authentication (auth bypass).
    const path = req.routeOptions.url ?? req.url.split('?')[0];
    const surface = surfaceOf(req);
    const name = routeName(req.method, req.routeOptions.url);
    if (surface === 'share') {
      if (name === null || !scopeAllows('device', name, 'GET', 'share')) return reply.code(403).send({ error: NOT_SHARED });
      if (name === 'status') return;
    } else if (isPublic(path)) {
      return;
    }
    const key = req.headers['x-api-key'] ?? bearer(req.headers.authorization) ?? (req.body as Record<string, unknown> | undefined)?.api_key;
    if (typeof key === 'string' && key !== '') {
      if (surface === 'ui' && safeEqual(key, deps.apiKey())) {
        req.authBy = 'key';
        req.scope = 'full';
        return;
      }
      const stored = deps.keys?.find(key);
      if (!stored) return reply.code(401).send({ error: surface === 'share' ? 'wrong device key' : 'wrong api key' });
      if (!scopeAllows(stored.scope, name, req.method, surface)) {
        return reply.code(403).send({ error: stored.scope === 'read' ? 'this key is read-only' : 'not allowed for a paired device' });
      }
      deps.keys!.seen(stored, req.ip);
      req.authBy = 'key';
      req.scope = stored.scope;
      req.keyId = stored.id;
      return;
    }
    if (surface === 'share') return reply.code(401).send({ error: 'missing device key' });
    const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (sid && deps.sessions.valid(sid, deps.clock.now())) {
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.headers[CSRF_HEADER] !== '1') {
        return reply.code(403).send({ error: `missing ${CSRF_HEADER} header` });
      }
      req.authBy = 'session';
      req.scope = 'full';
      return;
    }
    return reply.code(401).send({ error: 'missing api key' });
  };
  // Before the request schemas are checked, so a caller without credentials learns nothing
  // from them; again before the handler of a request handed to "not found" by a handler
  // (the console's catch-all), which skips the validation hooks.
  app.addHook('preValidation', authenticate);
  app.addHook('preHandler', async (req, reply) => {
    if (req.authBy === undefined) return authenticate(req, reply);
  });

  // The router lets a last parameter be empty (`DELETE /api/v3/checks/` would match
  // `/api/v3/checks/:code`): an empty parameter is no route.
  app.addHook('preValidation', async (req, reply) => {
    const params = req.params as Record<string, string> | undefined;
    if (params && Object.entries(params).some(([k, v]) => k !== '*' && v === '')) return reply.callNotFound();
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const allow = [...new Set(routes.filter((r) => r.re.test(path)).map((r) => r.method))];
    if (allow.length > 0) return reply.code(405).header('allow', allow.sort().join(', ')).send({ error: 'method not allowed' });
    return reply.code(404).send({ error: 'not found' });
  });

  // a check's uuid from the path (its form was checked against the route's params schema)
  const uuidParam = (req: FastifyRequest): string => (req.params as Params<'getCheck'>).code;
  const ctx = deps.readContext;

  app.all(BAD_URL_PATH, async () => {
    throw new ApiError(400, 'bad request: malformed percent-escape in the URL');
  });

  // ---- healthchecks v3 ----
  on(app, API.status, async (_req, reply) => reply.type('text/plain; charset=utf-8').send('OK'));

  on(app, API.listChecks, async (req, reply) => {
    const q = req.query as { tag?: string | string[]; slug?: string };
    const tags = q.tag === undefined ? [] : Array.isArray(q.tag) ? q.tag : [q.tag];
    const c = ctx();
    // Streamed a page at a time: the same JSON, without holding 10,000 checks in memory.
    function* json(): Generator<string> {
      yield '{"checks":[';
      let sep = '';
      for (const page of checks.pages({ tags, slug: q.slug })) {
        if (page.length === 0) continue;
        yield sep + page.map((x) => JSON.stringify(checkJson(x, c))).join(',');
        sep = ',';
      }
      yield ']}';
    }
    return reply.type('application/json; charset=utf-8').send(Readable.from(json(), { highWaterMark: 1 }));
  });
  on(app, API.createCheck, async (req, reply) => {
    await checks.validateAsync(req.body ?? {});
    const { check, created } = checks.create(req.body ?? {});
    return reply.code(created ? 201 : 200).send(checkJson(check, ctx()));
  });
  on(app, API.getCheck, async (req) => checkJson(checks.get(uuidParam(req)), ctx()));
  on(app, API.updateCheck, async (req) => {
    const uuid = uuidParam(req);
    await checks.validateAsync(req.body ?? {});
    return checkJson(checks.update(uuid, req.body ?? {}), ctx());
  });
  on(app, API.deleteCheck, async (req) => checkJson(checks.delete(uuidParam(req)), ctx()));
  on(app, API.pauseCheck, async (req) => checkJson(checks.pause(uuidParam(req)), ctx()));
  on(app, API.resumeCheck, async (req) => checkJson(checks.resume(uuidParam(req)), ctx()));
  on(app, API.listPings, async (req) => {
    const c = checks.get(uuidParam(req));
    const q = req.query as { limit?: string };
    const limit = q.limit && /^\d+$/.test(q.limit) ? Math.min(Number(q.limit), 10_000) : runtime.pingLogLimit;
    return { pings: repos.pings.list(c.id, limit).map((p) => pingJson(p, c.uuid, runtime.urls)) };
  });
  on(app, API.pingBody, async (req, reply) => {
    const c = checks.get(uuidParam(req));
    const n = req.params.n;
    const p = repos.pings.byN(c.id, Number(n));
    if (!p || !p.body) throw new ApiError(404, 'not found');
    // Served as an attachment of opaque bytes: a browser never renders a ping body as a page.
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="ping-${c.uuid}-${p.n}.txt"`)
      .header('x-content-type-options', 'nosniff')
      .send(p.body);
  });
  on(app, API.listFlips, async (req) => {
    const c = checks.get(uuidParam(req));
    const q = req.query;
    const now = deps.clock.now();
    let from = 0;
    let to = Number.MAX_SAFE_INTEGER;
    if (q.seconds) from = now - Number(q.seconds) * 1000;
    if (q.start) from = Math.max(from, Number(q.start) * 1000);
    if (q.end) to = Number(q.end) * 1000;
    return repos.flips.list(c.id, from, to).map(flipJson);
  });
  on(app, API.listIntegrations, async () => ({ channels: deps.channels?.() ?? [] }));

  // ---- Lubdub ----
  const mutedIso = (now: number) => {
    const muted = deps.mutedUntil?.() ?? null;
    return muted !== null && muted > now ? isoSeconds(muted) : null;
  };
  const { overview } = deps;
  on(app, API.summary, async (): Promise<Summary> => {
    const now = ctx().now;
    return overview.summary(now, mutedIso(now));
  });
  on(app, API.overview, async (req) => {
    const c = ctx();
    return overview.window(c, req.query, mutedIso(c.now));
  });

  // Server-Sent Events: check changes, pings, flips, deliveries (live console and tray).
  on(app, API.events, (req, reply) => {
    reply.hijack();
    req.raw.socket.setTimeout(0); // long-lived: its keep-alive comments are 25 s apart
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (e: ServiceEvent) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
    send({ type: 'hello', data: { server_time: new Date(deps.clock.now()).toISOString(), version: deps.version ?? '0' } });
    bus.on('public', send);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    keepAlive.unref();
    // A revoked key's stream ends at once (the key is refused from the next request on).
    const revoked = (id: string) => {
      if (id === req.keyId) res.end();
    };
    if (req.keyId) deps.keys?.on('revoked', revoked);
    const close = () => {
      clearInterval(keepAlive);
      bus.off('public', send);
      deps.keys?.off('revoked', revoked);
    };
    req.raw.on('close', close);
    res.on('error', close);
  });

  // One-time console login: trades the printed token for an HttpOnly, SameSite=Strict cookie.
  on(app, API.login, async (req, reply) => {
    const token = (req.query as { token?: string }).token ?? '';
    const sid = deps.sessions.redeem(token, deps.clock.now());
    if (!sid) {
      return reply
        .code(403)
        .type('text/plain; charset=utf-8')
        .send('This login link was already used or is not valid. Restart Lubdub or run `npm run serve` to get a new one.');
    }
    return reply
      .header('set-cookie', sessionCookie(sid))
      .header('cache-control', 'no-store')
      .redirect('/', 303);
  });

  // The desktop shell (holding the API key) opens a console session without a token in any URL.
  on(app, API.session, async (req, reply) => {
    if (req.authBy !== 'key' || req.scope !== 'full') throw new ApiError(403, 'api key required');
    const sid = deps.sessions.create(deps.clock.now());
    return reply.send({ cookie: SESSION_COOKIE, value: sid });
  });

  // Logs out this console session, or with { everywhere: true } every session (a lost laptop,
  // a shared browser). With the API key only "everywhere" means anything.
  on(app, API.logout, async (req, reply) => {
    const everywhere = req.body.everywhere;
    if (everywhere) {
      deps.sessions.endAll();
    } else {
      const sid = req.authBy === 'session' ? readCookie(req.headers.cookie, SESSION_COOKIE) : undefined;
      if (!sid) throw new ApiError(400, 'no console session to log out (use {"everywhere": true})');
      deps.sessions.end(sid);
    }
    return reply.header('set-cookie', sessionCookie('')).header('cache-control', 'no-store').send({ logged_out: everywhere ? 'everywhere' : 'this session' });
  });

  for (const p of deps.plugins ?? []) p(app);
  return app;
}

export type { FastifyReply };
