import https from 'node:https';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { PAIR_API } from '../../../shared/api/office.js';
import { ApiError } from '../core/api-error.js';
import { contractValidator, on } from '../api/contract.js';
import type { Log } from '../log.js';
import type { ShareIdentity } from './cert.js';
import type { Pairing } from './pairing.js';

/** The open share listener. */
export interface Share {
  port: number;
  close: () => Promise<void>;
}

/** Where the pairing routes live: served before any key exists, so apart from the UI port's app. */
const PAIR_PREFIX = '/api/lubdub/pair/';

/** The pairing routes (no credentials: the code is the credential). */
export async function buildPairApi(pairing: Pairing, log: Log): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: log, bodyLimit: 16 * 1024 });
  app.setValidatorCompiler(contractValidator);
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send({ error: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply.code(status).send({ error: status === 500 ? 'internal error' : err.message });
  });
  on(app, PAIR_API.start, async (req) => pairing.start(req.body.name, req.ip));
  on(app, PAIR_API.exchange, async (req) => pairing.exchange(req.body.session, req.body.ke1));
  on(app, PAIR_API.confirm, async (req) => pairing.confirm(req.body.session, req.body.ke3));
  await app.ready();
  return app;
}

/**
 * Opens the HTTPS share listener. It has no routes of its own: pairing requests go to the
 * pairing app, everything else to the UI port's app, whose auth hook sees the encrypted
 * socket and serves only the device scope to device and read-only keys (api/api.ts).
 */
export async function openShare(opts: { identity: ShareIdentity; host: string; port: number; api: FastifyInstance; pair: FastifyInstance }): Promise<Share> {
  const server = https.createServer({ key: opts.identity.key, cert: opts.identity.cert, minVersion: 'TLSv1.2' }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path.startsWith(PAIR_PREFIX)) opts.pair.routing(req, res);
    else opts.api.routing(req, res);
  });
  // Slowloris defence as on the UI port; event streams turn the socket timeout off themselves.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new Error(`share port ${opts.port} on ${opts.host} is already in use (set --share-port / LUBDUB_SHARE_PORT)`));
      else reject(new Error(`share listener cannot listen on ${opts.host}:${opts.port}: ${e.message}`));
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    port,
    close: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      // open event streams never end by themselves
      server.closeAllConnections();
      await closed;
    },
  };
}
