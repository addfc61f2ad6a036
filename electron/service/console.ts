import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { readCookie, SESSION_COOKIE } from './api/auth.js';
import { heartbeatRoutes } from './api/heartbeats.js';
import { packageRoot } from './package-info.js';
import type { Core, Feature, FeatureDeps } from './service.js';

/**
 * Content-Security-Policy of every UI-port response. No inline script and no `eval`
 * (an injected `<script>` or `onerror=` in a ping body cannot run even if it reached
 * the DOM), data only from this origin, and no framing (clickjacking).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The Vite build output of renderer/: `<package root>/dist/renderer`. */
function defaultConsoleDir(from = import.meta.dirname): string {
  return path.join(packageRoot(from), 'dist', 'renderer');
}

const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
  `<title>${title} · Lubdub</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;

const LOGIN_NEEDED = page(
  'Log in to Lubdub',
  'This console needs a session. Open the one-time login URL that <code>npm run serve</code> printed at start ' +
    '(“log in once: http://127.0.0.1:8421/login?token=…”), or use “Open console” in the Lubdub tray menu. ' +
    'Restarting Lubdub prints a new one.',
);
const NOT_BUILT = page('Console not built', 'This copy of Lubdub has no console build. In a source checkout, <code>npm run serve</code> builds it; otherwise run <code>npm run build</code> and reload.');

/**
 * Serves the console (the Vite build of renderer/) on the UI port: hashed assets are
 * public, the app page only with a console session; other paths fall back
 * to the app page so deep links (/checks/<uuid>) work. Also the heartbeat route.
 */
export function consoleFeature(opts: { dir?: string } = {}): Feature {
  const dir = opts.dir ?? defaultConsoleDir();
  const plugin = (app: FastifyInstance, { clock, sessions, repos }: Pick<FeatureDeps, 'clock' | 'sessions' | 'repos'>, { overview }: Pick<Core, 'overview'>) => {
    // Security headers on every UI-port answer: API replies, assets and pages alike.
    app.addHook('onSend', async (_req, reply, payload) => {
      reply.header('content-security-policy', CONSOLE_CSP);
      reply.header('x-frame-options', 'DENY');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cross-origin-opener-policy', 'same-origin');
      reply.header('cross-origin-resource-policy', 'same-origin');
      return payload;
    });

    const indexFile = path.join(dir, 'index.html');
    const built = fs.existsSync(indexFile);
    if (built) {
      app.register(fastifyStatic, {
        root: path.join(dir, 'assets'),
        prefix: '/assets/',
        index: false,
        // Vite puts a content hash in every asset name: cache them for good.
        immutable: true,
        maxAge: 365 * 86400 * 1000,
      });
    }
    const favicon = path.join(dir, 'favicon.svg');
    app.get('/favicon.svg', async (_req, reply) => {
      if (!fs.existsSync(favicon)) return reply.code(404).send({ error: 'not found' });
      return reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(fs.readFileSync(favicon));
    });

    const appPage = async (req: FastifyRequest, reply: FastifyReply) => {
      const p = req.url.split('?')[0];
      // the API's own answer (404, or 405 for a known route with another method)
      if (p.startsWith('/api/') || p.startsWith('/assets/')) return reply.callNotFound();
      reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
      // The page is the console's door: without a session it says how to log in and
      // nothing else (no app shell, no data).
      const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (!sessions.valid(sid, clock.now())) return reply.code(401).send(LOGIN_NEEDED);
      if (!built) return reply.code(503).send(NOT_BUILT);
      // Every page of the console opens on the counts of every check, and the overview on its
      // first window: every check is read once the page is sent, while the browser loads and runs its script.
      reply.raw.once('finish', () => overview.prepare(clock.now()));
      return reply.send(fs.createReadStream(indexFile));
    };
    app.get('/', appPage);
    app.get('/*', appPage);
    heartbeatRoutes(repos)(app);
  };

  return {
    setup: (deps) => ({ apiRoutes: [(app, core) => plugin(app, deps, core)] }),
  };
}
