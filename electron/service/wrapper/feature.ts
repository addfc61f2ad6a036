import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Core, Feature } from '../service.js';
import { discoveryRoute } from './discovery.js';

/** Where the job wrapper lives in the repo (and beside the compiled module in a build). */
export const WRAPPER_PATH = new URL('./lubdub-run.sh', import.meta.url);

/** Content type of `GET /wrap.sh`: a shell script, shown as text by browsers. */
export const WRAPPER_CONTENT_TYPE = 'text/x-shellscript; charset=utf-8';

/**
 * Serves lubdub-run unauthenticated at `GET /wrap.sh` on the ping port, so a NAS
 * with only BusyBox wget can install it from the Lubdub it reports to. The file is read
 * once at setup: a request never touches the disk. `POST /discover/<ping-key>` reads the
 * crontabs and systemd timers lubdub-run --discover sends and creates their checks (see discovery.ts).
 */
export function wrapperFeature(scriptPath: URL | string = WRAPPER_PATH): Feature {
  return {
    setup({ runtime, clock }) {
      const script = fs.readFileSync(scriptPath);
      const route = (app: FastifyInstance) => {
        app.route({
          method: ['GET', 'HEAD'],
          url: '/wrap.sh',
          handler: async (_req, reply) =>
            reply
              .code(200)
              .header('content-type', WRAPPER_CONTENT_TYPE)
              .header('content-disposition', 'inline; filename="lubdub-run"')
              .header('cache-control', 'no-cache')
              .header('x-content-type-options', 'nosniff')
              .send(script),
        });
      };
      const discovery = (app: FastifyInstance, core: Core) =>
        discoveryRoute({ pingKey: () => runtime.pingKey, pingBase: () => runtime.urls.ping, ingest: core.ingest, clock })(app);
      return { receiverRoutes: [route, discovery] };
    },
  };
}
