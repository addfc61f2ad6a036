import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Refused ping requests (404s, 400s) one address may cause per window before it is refused for the rest of it. */
export const BAD_TOKEN_MAX = 60;
/** The window of BAD_TOKEN_MAX, in ms. */
export const BAD_TOKEN_WINDOW_MS = 60_000;

/** Per-address accounting of unknown-token 404s on the ping port. */
export interface BadTokenLimit {
  /**
   * seconds until the address may ping again, or 0 when it is not blocked; synchronous
   * (no limiter lookup) for an address with no refused request in the last window
   */
  blockedFor(req: FastifyRequest): number | Promise<number>;
  /** counts one refused request (4xx) answered to the address */
  count(req: FastifyRequest): Promise<void>;
}

/**
 * Stops token guessing and 404 floods from one LAN address (@fastify/rate-limit, keyed by
 * `req.ip`, which is the socket address unless a trusted proxy is configured, so a forged
 * X-Forwarded-For cannot dodge it). Only refused requests count (unknown URLs, bad
 * parameters): a busy host with valid pings is never limited. An address over the limit gets 429 for everything until its window ends; other
 * addresses are unaffected.
 */
export function installBadTokenLimit(app: FastifyInstance, max = BAD_TOKEN_MAX, windowMs = BAD_TOKEN_WINDOW_MS): BadTokenLimit {
  app.register(rateLimit, { global: false });
  let limiter: ReturnType<FastifyInstance['createRateLimit']> | null = null;
  app.addHook('onReady', async () => {
    limiter = app.createRateLimit({ max, timeWindow: windowMs });
  });
  // When each address was last counted. Why: only an address refused within the last window
  // can be over the limit, so every valid ping from any other address skips the limiter's
  // asynchronous lookup.
  const lastRefused = new Map<string, number>();
  let lastSweep = Date.now();
  const refusedLately = (ip: string, now: number) => {
    const t = lastRefused.get(ip);
    return t !== undefined && now - t < windowMs;
  };
  const blockedFor = async (req: FastifyRequest) => {
    if (!limiter) return 0;
    const r = await limiter(req, { increment: false });
    if (r.isAllowed || r.remaining > 0) return 0;
    return Math.max(1, r.ttlInSeconds);
  };
  return {
    blockedFor(req) {
      return refusedLately(req.ip, Date.now()) ? blockedFor(req) : 0;
    },
    async count(req) {
      const now = Date.now();
      lastRefused.set(req.ip, now);
      if (now - lastSweep >= windowMs) {
        lastSweep = now;
        for (const [ip, t] of lastRefused) if (now - t >= windowMs) lastRefused.delete(ip);
      }
      if (limiter) await limiter(req);
    },
  };
}
