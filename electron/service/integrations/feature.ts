import type { FastifyInstance } from 'fastify';
import { API } from '../../../shared/api/routes.js';
import { shownStatus } from '../../../shared/domain/check-state.js';
import type { Status } from '../../../shared/domain/types.js';
import { alertFigures } from '../alerts/store.js';
import { on } from '../api/contract.js';
import type { CheckRow } from '../db/repos.js';
import type { Feature, FeatureDeps } from '../service.js';
import { renderMetrics, type MetricsCheck } from './metrics.js';

/** What the integrations add beyond their defaults (tests pass their own). */
export type IntegrationsOptions = Record<string, never>;

/** Content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Plugs Lubdub into what people already run: `GET /metrics` (Prometheus, API key) on the UI port.
 */
export function integrationsFeature(_opts: IntegrationsOptions = {}): Feature {
  return {
    setup(deps: FeatureDeps) {
      const { repos, runtime, clock } = deps;
      const alerts = alertFigures(repos.db);
      let pingsReceived = 0;

      /** Every check with its shown status (decided by shared/domain), a page at a time. */
      function* statuses(): Generator<{ row: CheckRow; status: Status }> {
        const now = clock.now();
        let after = 0;
        for (;;) {
          const page = repos.checks.page(after, 500);
          if (page.length === 0) return;
          for (const row of page) yield { row, status: shownStatus(row, row.alertAfter, row.hold, now).status };
          after = page[page.length - 1].id;
        }
      }

      const apiRoutes = (app: FastifyInstance) => {
        on(app, API.prometheusMetrics, async (_req, reply) => {
          const checks: MetricsCheck[] = [];
          for (const { row, status } of statuses()) {
            checks.push({ uuid: row.uuid, name: row.name, tags: row.tags, status, started: row.lastStart !== null });
          }
          const a = alerts();
          const text = renderMetrics(checks, {
            pingsReceived,
            alertsSent: a.sent,
            alertsFailed: a.failed,
            outboxDepth: a.depth,
            lastAlertLatency: a.lastLatency,
          });
          return reply.type(PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store').send(text);
        });
      };

      return {
        apiRoutes: [apiRoutes],
        // counted before the ping is queued: once per ping the receiver hands on, whatever its batch does
        prepare: [
          () => {
            pingsReceived++;
          },
        ],
      };
    },
  };
}
