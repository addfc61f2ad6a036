import type { FastifyInstance, FastifyReply } from 'fastify';
import { API } from '../../../shared/api/routes.js';
import { ALL_CHECKS_TAG, badgeSummary, onBadge } from '../../../shared/domain/badges.js';
import { shownStatus } from '../../../shared/domain/check-state.js';
import type { Status } from '../../../shared/domain/types.js';
import { alertFigures } from '../alerts/store.js';
import { safeEqual } from '../api/auth.js';
import { on } from '../api/contract.js';
import type { CheckRow } from '../db/repos.js';
import type { Feature, FeatureDeps } from '../service.js';
import { badgeJson, badgeSvg, parseBadgeFile } from './badges.js';
import { renderMetrics, type MetricsCheck } from './metrics.js';
import { httpSender, Relay, SelfHeartbeat, UPSTREAM_FIELD, upstreamError, type Sender } from './relay.js';

/** What the integrations add beyond their defaults (tests pass their own). */
export interface IntegrationsOptions {
  /** the label of the all-checks badge (healthchecks' MASTER_BADGE_LABEL) */
  allChecksLabel?: string;
  /** "Lubdub itself": a ping URL the service pings every `everyMs` while it runs */
  heartbeat?: { url: string; everyMs: number } | null;
  /** how relayed pings and heartbeats are sent (default: HTTP POST) */
  send?: Sender;
}

/** Content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Plugs Lubdub into what people already run: `GET /metrics` (Prometheus, API key) on the UI
 * port, healthchecks-compatible status badges on the ping port (`/badge/<badge key>/…`), the
 * relay of each check's pings to its `upstream` ping URL, and the "Lubdub itself" heartbeat.
 */
export function integrationsFeature(opts: IntegrationsOptions = {}): Feature {
  return {
    setup(deps: FeatureDeps) {
      const { repos, runtime, clock, scheduler, log } = deps;
      const alerts = alertFigures(repos.db);
      const send = opts.send ?? httpSender('Lubdub-relay');
      const relay = new Relay({ db: repos.db, repos, clock, log, send, poke: () => scheduler.poke('relay') });
      scheduler.add(relay.source());
      const beat = opts.heartbeat
        ? new SelfHeartbeat({ ...opts.heartbeat, clock, log, send, probe: () => repos.settings.set('self_heartbeat.at', String(clock.now())) })
        : null;
      if (beat) scheduler.add(beat.source());
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
            relayDepth: relay.depth(),
          });
          return reply.type(PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store').send(text);
        });
      };

      const badge = async (key: string, file: string, signature: string | undefined, reply: FastifyReply) => {
        // The badge key is the only secret of these URLs: compared in constant time, and a
        // wrong one looks exactly like a URL that names nothing.
        const want = parseBadgeFile(file, signature);
        if (!want || !safeEqual(key, runtime.badgeKey)) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
        const chosen: Status[] = [];
        for (const { row, status } of statuses()) if (onBadge(row.tags, want.tag)) chosen.push(status);
        const summary = badgeSummary(chosen, want.withLate);
        const label = want.tag === ALL_CHECKS_TAG ? (opts.allChecksLabel ?? 'lubdub') : want.tag;
        // Shown on pages of other origins (a wiki, a README): readable cross-origin, never cached stale.
        reply.header('access-control-allow-origin', '*').header('cache-control', 'no-cache, no-store, must-revalidate');
        if (want.format === 'svg') return reply.type('image/svg+xml; charset=utf-8').header('x-content-type-options', 'nosniff').send(badgeSvg(label, summary.status));
        return reply.type('application/json; charset=utf-8').send(badgeJson(label, want.format, summary));
      };

      const receiverRoutes = (app: FastifyInstance) => {
        app.get<{ Params: { key: string; file: string } }>('/badge/:key/:file', (req, reply) => badge(req.params.key, req.params.file, undefined, reply));
        app.get<{ Params: { key: string; sig: string; file: string } }>('/badge/:key/:sig/:file', (req, reply) =>
          badge(req.params.key, req.params.file, req.params.sig, reply),
        );
      };

      return {
        checkFields: { rules: { [UPSTREAM_FIELD]: upstreamError } },
        pingSteps: [relay.step],
        start: () => {
          try {
            relay.resume();
          } catch (e) {
            // A read-only or full database: start anyway (reads work, pings answer 503); the
            // cursors are looked at again at the next start.
            log.error(`cannot resume relays to upstreams (${(e as Error).message})`);
          }
        },
        stop: () => {
          relay.stop();
          beat?.stop();
        },
        apiRoutes: [apiRoutes],
        receiverRoutes: [receiverRoutes],
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
