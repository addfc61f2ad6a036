import type { FastifyInstance, FastifyReply } from 'fastify';
import { API } from '../../../shared/api/routes.js';
import { ALL_CHECKS_TAG, badgeSummary, onBadge } from '../../../shared/domain/badges.js';
import { shownStatus } from '../../../shared/domain/check-state.js';
import type { Status } from '../../../shared/domain/types.js';
import { alertFigures } from '../alerts/store.js';
import { checkJson } from '../serialize.js';
import { safeEqual } from '../api/auth.js';
import { on } from '../api/contract.js';
import type { CheckRow } from '../db/repos.js';
import type { Core, Feature, FeatureDeps } from '../service.js';
import { badgeJson, badgeSvg, parseBadgeFile } from './badges.js';
import { renderMetrics, type MetricsCheck } from './metrics.js';
import { UPSTREAM_FIELD, upstreamError } from '../../../shared/domain/upstream.js';
import { httpSender, Relay, SelfHeartbeat, type HeartbeatTarget, type Sender } from './relay.js';
import { heartbeatInputError, type HeartbeatJson } from '../../../shared/api/settings.js';
import { isoSeconds } from '../../../shared/api/format.js';
import { ApiError } from '../core/api-error.js';
import { importInto, MoveError, remoteUrlError } from './move.js';

/** What the integrations add beyond their defaults (tests pass their own). */
export interface IntegrationsOptions {
  /** the label of the all-checks badge (healthchecks' MASTER_BADGE_LABEL) */
  allChecksLabel?: string;
  /** "Lubdub itself" by default (tests pass their own; default: the config's heartbeat URL and minutes) */
  heartbeat?: HeartbeatTarget | null;
  /** how relayed pings and heartbeats are sent (default: HTTP POST) */
  send?: Sender;
}

/** Settings-table keys of the "Lubdub itself" heartbeat saved from Settings. */
const HEARTBEAT_URL = 'heartbeat_url';
const HEARTBEAT_MINUTES = 'heartbeat_minutes';

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
      const { repos, runtime, clock, scheduler, log, config } = deps;
      const alerts = alertFigures(repos.db);
      const send = opts.send ?? httpSender('Lubdub-relay');
      const announce = (checkId: number) => {
        try {
          const row = repos.checks.byId(checkId);
          if (row) deps.bus.emit('public', { type: 'check', data: checkJson(row, deps.readContext()) });
        } catch {
          /* an unreadable store: the next ping's event shows it */
        }
      };
      const relay = new Relay({ db: repos.db, repos, clock, log, send, poke: () => scheduler.poke('relay'), announce });
      scheduler.add(relay.source());
      // The heartbeat's URL and minutes: saved from Settings, else the config's (environment) default.
      const fallback = opts.heartbeat !== undefined ? opts.heartbeat : config.heartbeatUrl ? { url: config.heartbeatUrl, everyMs: config.heartbeatMinutes * 60_000 } : null;
      const defaults = { url: fallback?.url ?? '', minutes: fallback ? Math.max(1, Math.round(fallback.everyMs / 60_000)) : config.heartbeatMinutes };
      const heartbeatSetting = (): { url: string; minutes: number } => {
        const url = repos.settings.get(HEARTBEAT_URL);
        const minutes = Number(repos.settings.get(HEARTBEAT_MINUTES) ?? NaN);
        return { url: url ?? defaults.url, minutes: Number.isInteger(minutes) && minutes >= 1 ? minutes : defaults.minutes };
      };
      const targetOf = (h: { url: string; minutes: number }): HeartbeatTarget | null =>
        h.url === '' ? null : h.url === fallback?.url && h.minutes === defaults.minutes ? fallback : { url: h.url, everyMs: h.minutes * 60_000 };
      const beat = new SelfHeartbeat({
        target: targetOf(heartbeatSetting()),
        clock,
        log,
        send,
        probe: () => repos.settings.set('self_heartbeat.at', String(clock.now())),
        poke: () => scheduler.poke('self-heartbeat'),
      });
      scheduler.add(beat.source());
      const heartbeatJson = (): HeartbeatJson => {
        const h = heartbeatSetting();
        const st = beat.status();
        return { url: h.url, minutes: h.minutes, default_url: defaults.url, default_minutes: defaults.minutes, last_sent: isoSeconds(st.lastSent), last_error: st.lastError };
      };
      let importing = false;
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

      const apiRoutes = (app: FastifyInstance, core: Core) => {
        on(app, API.importHealthchecks, async (req) => {
          const b = req.body;
          const bad = remoteUrlError(b.url);
          if (bad) throw new ApiError(400, `json validation error: url ${bad.replace(`${b.url} `, '')}`);
          // One at a time: two imports planned against the same list would both create.
          if (importing) throw new ApiError(409, 'an import is already running');
          importing = true;
          try {
            // The running service is the one writer of checks: the same import the CLI runs
            // without a service, here through the check service that announces each change.
            const r = await importInto(core.checks, { url: b.url, apiKey: b.remote_key }, b.dry_run === true);
            return { lines: r.lines, channels: r.channels, dry_run: r.dryRun };
          } catch (e) {
            if (e instanceof MoveError) throw new ApiError(502, e.message);
            throw e;
          } finally {
            importing = false;
          }
        });

        on(app, API.heartbeat, async () => heartbeatJson());

        on(app, API.saveHeartbeat, async (req) => {
          const err = heartbeatInputError(req.body);
          if (err) throw new ApiError(400, `json validation error: ${err}`);
          const { url, minutes } = req.body;
          if (url !== undefined) repos.settings.set(HEARTBEAT_URL, url.replace(/\/+$/, ''));
          if (minutes !== undefined) repos.settings.set(HEARTBEAT_MINUTES, String(minutes));
          beat.configure(targetOf(heartbeatSetting()));
          return heartbeatJson();
        });

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
        derivedCheckFields: [(row) => {
          const state = relay.state(row);
          return state ? { relay: state } : null;
        }],
        pingLogHolds: [relay.hold],
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
          beat.stop();
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
