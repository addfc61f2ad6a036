import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { checkInputError, type CheckInput } from '../../../shared/api/check-input.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { parsePingPath, parseRid, parseTs } from '../../../shared/domain/ping-url.js';
import type { IngestQueue } from '../core/ingest-queue.js';
import type { IngestRequest } from '../core/pipeline.js';
import { installBadTokenLimit } from './bad-token-limit.js';
import { addPingBodyParser, type PingBody } from './body.js';
import { BAD_URL_PATH, rewriteBadUrl } from '../bad-url.js';
import type { Log } from '../log.js';

/** Requests above this are refused with 413; bodies between the body limit and this are cut. */
export const HARD_BODY_CAP = 10 * 1024 * 1024;

/** What the ping receiver needs. */
export interface ReceiverDeps {
  ingest: Pick<IngestQueue, 'submit'>;
  clock: Clock;
  log: Log;
  /** the current ping key of slug URLs */
  pingKey: () => string;
  bodyLimit: () => number;
  trustedProxies: string[];
  /** extra routes on the ping port (e.g. GET /wrap.sh) */
  extraRoutes?: (app: FastifyInstance) => void;
  /** parse Lubdub extensions from the query (e.g. metrics) into ping extra data, or an error text */
  queryExtensions?: (query: Record<string, string | string[]>) => Record<string, unknown> | null | { error: string };
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Lubdub's auto-create extension: `?create=1&schedule=…&tz=…&grace=…&timeout=…`. */
function createInput(q: Record<string, string | string[]>): CheckInput | { error: string } {
  const input: CheckInput = {};
  const schedule = first(q.schedule);
  const tz = first(q.tz);
  const grace = first(q.grace);
  const timeout = first(q.timeout);
  if (schedule !== undefined) input.schedule = schedule;
  if (tz !== undefined) input.tz = tz;
  if (grace !== undefined) input.grace = /^\d+$/.test(grace) ? Number(grace) : NaN;
  if (timeout !== undefined) input.timeout = /^\d+$/.test(timeout) ? Number(timeout) : NaN;
  // A check created without a schedule of its own learns one from its pings (kept only
  // when the learning feature runs: unknown extension fields are dropped).
  if (schedule === undefined && timeout === undefined) input.learn_schedule = true;
  const err = checkInputError(input);
  return err ? { error: `invalid ${err}` } : input;
}

/**
 * Builds the LAN ping receiver (SPEC §4) without listening, so tests can `inject()`.
 * It serves only ping URLs: no management route, nothing but OK/Created/errors in replies.
 */
export function buildReceiver(deps: ReceiverDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log,
    // The ping path does no logging work per request: no request lines, and no child logger
    // (with its request id) built for each request; errors are logged without a request id.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger) => logger,
    bodyLimit: HARD_BODY_CAP,
    exposeHeadRoutes: false,
    trustProxy: deps.trustedProxies.length ? deps.trustedProxies : false,
    // Slowloris defence: a client gets 10 s for its headers and 30 s for the whole request
    // (checked every second: Node's default check runs every 30 s); a socket silent for 10 s
    // (e.g. one that never sends a byte) is closed; headers over 16 KB → 431.
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    http: { headersTimeout: 10_000, maxHeaderSize: 16 * 1024, connectionsCheckingInterval: 1_000 } as object,
    return503OnClosing: true,
    // close() would wait for a connection that has not finished its request (a stalled client,
    // slowloris) until its timeout: stopping cuts it (lubdub-run spools a ping it could not deliver).
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 600 },
    rewriteUrl: rewriteBadUrl,
  });

  // The body is opaque bytes whatever its content type (healthchecks stores it as sent),
  // cut at the body limit while it streams in; over HARD_BODY_CAP → 413.
  addPingBodyParser(app, deps.bodyLimit, HARD_BODY_CAP);
  const badTokens = installBadTokenLimit(app);

  const text = (reply: FastifyReply, status: number, body: string) =>
    reply
      .code(status)
      .header('content-type', 'text/plain; charset=utf-8')
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'no-cache')
      .header('ping-body-limit', String(deps.bodyLimit()))
      .send(body);

  deps.extraRoutes?.(app);

  app.route({
    method: [...METHODS],
    url: '*',
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const lookup = badTokens.blockedFor(req);
      const blocked = typeof lookup === 'number' ? lookup : await lookup;
      if (blocked) return text(reply.header('retry-after', String(blocked)), 429, 'too many refused ping requests, retry later');
      // Every refused request counts against the address, not only unknown URLs: a flood of
      // 400s (a bad schedule costs a cron parse) must meet the same limit as a flood of 404s.
      const refuse = async (status: number, body: string) => {
        await badTokens.count(req);
        return text(reply, status, body);
      };
      const url = req.url;
      const qpos = url.indexOf('?');
      const path = qpos === -1 ? url : url.slice(0, qpos);
      if (path === BAD_URL_PATH) return refuse(400, 'bad request');
      const parsed = parsePingPath(path);
      const isPush = 'target' in parsed && parsed.target.by === 'push';
      if (!('target' in parsed)) return refuse(parsed.status, parsed.message);
      // The ping key before anything user-supplied is parsed: without it, nothing costs more than a 404.
      if (parsed.target.by === 'slug' && parsed.target.pingKey !== deps.pingKey()) return refuse(404, 'not found');
      const q = req.query as Record<string, string | string[]>;
      const now = deps.clock.now();

      const rid = parseRid(first(q.rid));
      if (rid !== null && typeof rid === 'object') return refuse(400, rid.error);
      const ts = parseTs(first(q.ts), now);
      if (ts !== null && typeof ts === 'object') return refuse(400, ts.error);

      let create: CheckInput | null = null;
      if (parsed.target.by === 'slug' && first(q.create) === '1') {
        const c = createInput(q);
        if ('error' in c) return refuse(400, c.error as string);
        create = c;
      }
      let extra: Record<string, unknown> | null = null;
      if (deps.queryExtensions) {
        const x = deps.queryExtensions(q);
        if (x && 'error' in x) return refuse(400, String(x.error));
        extra = x;
      }

      const received = req.body as PingBody | undefined;
      let body = received?.kept ?? Buffer.alloc(0);
      let bodySize = received?.size ?? 0;
      let action = parsed.action;
      if (isPush) {
        // Uptime Kuma push: status=down is a failure, msg is the message (kept as the body).
        const status = first(q.status);
        if (status !== undefined && status !== 'up' && status !== 'down') {
          await badTokens.count(req);
          return reply.code(400).send({ ok: false, msg: 'status must be up or down' });
        }
        if (status === 'down') action = 'fail';
        const msg = first(q.msg);
        if (bodySize === 0 && msg) {
          body = Buffer.from(msg, 'utf8');
          bodySize = body.length;
        }
      }
      const limit = deps.bodyLimit();
      if (body.length > limit) body = body.subarray(0, limit);

      const ingest: IngestRequest = {
        target: parsed.target,
        action,
        explicit: parsed.explicit || isPush,
        exitStatus: parsed.exitStatus,
        rid,
        at: ts ?? now,
        received: now,
        method: req.method,
        scheme: req.protocol,
        remoteAddr: req.ip ?? '',
        ua: String(req.headers['user-agent'] ?? ''),
        body,
        bodySize,
        create,
        extra,
      };
      const result = await deps.ingest.submit(ingest);
      if (result.status >= 400 && result.status < 500) await badTokens.count(req);
      if (isPush) {
        reply.header('ping-body-limit', String(limit)).header('cache-control', 'no-cache');
        if (result.status === 200) return reply.code(200).send({ ok: true });
        if (result.status === 404) return reply.code(404).send({ ok: false, msg: 'Monitor not found or not active.' });
        return reply.code(result.status).send({ ok: false, msg: result.text });
      }
      return text(reply, result.status, result.text);
    },
  });

  app.setNotFoundHandler(async (req, reply) => {
    await badTokens.count(req);
    return text(reply, 404, 'not found');
  });
  app.setErrorHandler((err: { statusCode?: number; message: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, `ping receiver error: ${err.message}`);
    const msg = status === 413 ? 'request body too large' : status === 500 ? 'internal error' : 'bad request';
    return text(reply, status, msg);
  });
  return app;
}
