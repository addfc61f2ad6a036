import type { HostGroups } from './host-groups.js';
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { channelInputError, type ChannelInput, type ChannelKind } from '../../../shared/alerts/channel-input.js';
import { testMessage } from '../../../shared/alerts/messages.js';
import { isoSeconds } from '../../../shared/api/format.js';
import type { ChannelJson } from '../../../shared/api/types.js';
import { API, type Params } from '../../../shared/api/routes.js';
import { on } from '../api/contract.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { writeTx } from '../db/open.js';
import { ApiError } from '../core/api-error.js';
import type { CheckService } from '../core/checks.js';
import { gapJson, type OfflineWatch } from '../core/offline.js';
import type { Scheduler } from '../core/scheduler.js';
import { checkJson, type ReadContext } from '../serialize.js';
import type { Sender } from './channels/types.js';
import { deliveryJson } from './outbox.js';
import type { Snooze } from './snooze.js';
import type { AlertStore, ChannelRow } from './store.js';

/** What Lubdub's alert routes need. */
export interface AlertRouteDeps {
  checks: CheckService;
  readContext: () => ReadContext;
  store: AlertStore;
  clock: Clock;
  snooze: Snooze;
  offline: OfflineWatch;
  scheduler: Scheduler;
  senders: Record<ChannelKind, Sender>;
  hosts: HostGroups;
}

/** A channel as the API shows it; an ntfy token is reported as `has_token`, never echoed. */
export function channelJson(c: ChannelRow): ChannelJson {
  const config: Record<string, unknown> = { ...c.config };
  if (c.kind === 'ntfy') {
    config.has_token = typeof config.token === 'string' && config.token !== '';
    delete config.token;
  }
  return { id: c.uuid, name: c.name, kind: c.kind, config, new_checks: c.newChecks, created: isoSeconds(c.created) as string };
}

const MAX_MUTE_MS = 366 * 24 * 3600 * 1000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/i;

/** Reads `{ until: ISO | null }` or `{ seconds: n }` into an end time, or null to unmute. */
export function muteUntil(body: unknown, now: number): number | null {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b)) throw new ApiError(400, 'json validation error: json root is not an object');
  if (b.seconds !== undefined) {
    if (typeof b.seconds !== 'number' || !Number.isInteger(b.seconds) || b.seconds < 0 || b.seconds * 1000 > MAX_MUTE_MS) {
      throw new ApiError(400, 'json validation error: seconds must be an integer 0-31622400');
    }
    return b.seconds === 0 ? null : now + b.seconds * 1000;
  }
  if (!('until' in b)) throw new ApiError(400, 'json validation error: until is required (an RFC 3339 time or null)');
  if (b.until === null) return null;
  if (typeof b.until !== 'string' || !RFC3339.test(b.until) || !Number.isFinite(Date.parse(b.until))) {
    throw new ApiError(400, 'json validation error: until must be an RFC 3339 time or null');
  }
  const t = Date.parse(b.until);
  if (t - now > MAX_MUTE_MS) throw new ApiError(400, 'json validation error: until is more than a year ahead');
  return t <= now ? null : t;
}

/** Registers Lubdub's channel, snooze, power, delivery and offline routes on the UI port. */
export function alertRoutes(deps: AlertRouteDeps): (app: FastifyInstance) => void {
  const { store, checks, clock, snooze } = deps;

  const channelParam = (req: FastifyRequest): ChannelRow => {
    const id = (req.params as Params<'getChannel'>).id;
    const c = store.channelByUuid(id);
    if (!c) throw new ApiError(404, 'not found');
    return c;
  };
  const validate = (body: unknown, kind: ChannelKind | null): ChannelInput => {
    const err = channelInputError(body, kind);
    if (err) throw new ApiError(400, `json validation error: ${err}`);
    return body as ChannelInput;
  };

  return (app) => {
    on(app, API.channels, async () => ({ channels: store.channels().map(channelJson) }));

    on(app, API.createChannel, async (req, reply) => {
      const input = validate(req.body ?? {}, null);
      const row = writeTx(store.db, () => {
        const c = store.insertChannel({
          uuid: crypto.randomUUID(),
          name: input.name ?? '',
          kind: input.kind!,
          config: (input.config ?? {}) as Record<string, unknown>,
          newChecks: input.new_checks ?? true,
          created: clock.now(),
        });
        if (input.assign_existing) checks.setChannelEverywhere(c.uuid, true);
        return c;
      });
      return reply.code(201).send(channelJson(row));
    });

    on(app, API.getChannel, async (req) => channelJson(channelParam(req)));

    on(app, API.updateChannel, async (req) => {
      const existing = channelParam(req);
      const input = validate(req.body ?? {}, existing.kind);
      const next: ChannelRow = { ...existing, config: { ...existing.config } };
      if (input.name !== undefined) next.name = input.name;
      if (input.new_checks !== undefined) next.newChecks = input.new_checks;
      if (input.config !== undefined) {
        const cfg = { ...input.config } as Record<string, unknown>;
        // A secret is write-only: leaving it out keeps it, null removes it.
        if (existing.kind === 'ntfy' && !('token' in cfg) && existing.config.token) cfg.token = existing.config.token;
        if (cfg.token === null) delete cfg.token;
        next.config = cfg;
      }
      writeTx(store.db, () => store.updateChannel(next));
      return channelJson(next);
    });

    on(app, API.deleteChannel, async (req) => {
      const c = channelParam(req);
      writeTx(store.db, () => {
        store.deleteChannel(c);
        checks.setChannelEverywhere(c.uuid, false);
      });
      return channelJson(c);
    });

    on(app, API.testChannel, async (req) => {
      const c = channelParam(req);
      const msg = testMessage(c.name || c.kind, isoSeconds(clock.now()) as string);
      const r = await deps.senders[c.kind].send(msg, { messageUuid: crypto.randomUUID(), channel: c, attempt: 1 });
      return { ok: r.ok, error: r.error };
    });

    const grouping = () => ({ window_seconds: deps.hosts.windowSeconds(), hosts: deps.hosts.hosts() });
    on(app, API.hostGrouping, async () => grouping());
    on(app, API.saveHostGrouping, async (req) => {
      deps.hosts.setWindowSeconds(req.body.window_seconds);
      return grouping();
    });
    on(app, API.muteState, async () => {
      const u = snooze.mutedUntil();
      return { muted_until: u === null ? null : isoSeconds(u) };
    });
    on(app, API.mute, async (req) => {
      snooze.setGlobal(muteUntil(req.body, clock.now()));
      const u = snooze.mutedUntil();
      return { muted_until: u === null ? null : isoSeconds(u) };
    });

    on(app, API.checkMute, async (req) => {
      const uuid = req.params.uuid;
      const c = checks.get(uuid);
      snooze.setCheck(c, muteUntil(req.body, clock.now()));
      return checkJson(checks.get(uuid), deps.readContext());
    });

    on(app, API.power, async (req) => {
      const ev = req.body.event;
      deps.offline.power(ev, deps.scheduler);
      return { ok: true };
    });

    on(app, API.deliveries, async (req) => {
      const q = req.query;
      let checkId: number | undefined;
      if (q.check !== undefined) {
        checkId = checks.get(q.check).id;
      }
      const limit = Math.min(Number(q.limit ?? 100), 1000);
      return { deliveries: store.listDeliveries({ checkId, status: q.status, limit }).map(deliveryJson) };
    });

    on(app, API.offline, async () => {
      const alive = deps.offline.aliveAt();
      return { alive_at: alive === null ? null : isoSeconds(alive), gaps: deps.offline.gaps(50).map(gapJson) };
    });
  };
}
