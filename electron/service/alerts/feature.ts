import crypto from 'node:crypto';
import type { NotificationJson } from '../../../shared/api/types.js';
import type { ChannelKind } from '../../../shared/alerts/channel-input.js';
import { UUID_RE } from '../../../shared/domain/ping-url.js';
import { writeTx } from '../db/open.js';
import { ApiError } from '../core/api-error.js';
import type { Feature } from '../service.js';
import { desktopSender, hasDesktopSession, nodeNotifierShow } from './channels/desktop.js';
import { ntfySender } from './channels/ntfy.js';
import type { Sender } from './channels/types.js';
import { webhookSender } from './channels/webhook.js';
import { HostGroups, reverseDns, type NameResolver } from './host-groups.js';
import { Outbox, type Fault } from './outbox.js';
import { alertRoutes } from './routes.js';
import { reminderSource, Snooze } from './snooze.js';
import { AlertStore } from './store.js';

/** Knobs of the alerts feature; tests pass a fake notifier. */
export interface AlertsOptions {
  /** shows a native notification (default: node-notifier) */
  show?: (n: NotificationJson) => Promise<void>;
  /** is there a desktop session for node-notifier (default: from the environment) */
  hasSession?: () => boolean;
  fault?: Fault;
  userAgent?: string;
  /** names a host's source address in host-quiet alerts (default: reverse DNS) */
  resolveHost?: NameResolver;
}

/** The running parts, for tests and other features. */
export interface Alerting {
  store: AlertStore;
  outbox: Outbox;
  snooze: Snooze;
}

/** Validator of the per-check `reminder_every` field (seconds; 0 or null turns reminders off). */
export function reminderRule(v: unknown, name: string): string | null {
  if (v === null || v === 0) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) return `${name} is not an integer`;
  if (v < 60) return `${name} is too small (minimum 60 seconds, or 0 for off)`;
  if (v > 31536000) return `${name} is too large`;
  return null;
}

const SEEDED_KEY = 'alerts.seeded';

/**
 * The alerts feature: outbox, channels, snooze and reminders, wired into the service. It
 * consumes flips: deadlines, status changes and monitor-offline holds belong to the core
 * (electron/service/core/), whose scheduler it receives and adds its own timed work to.
 * `alerting` is set after setup.
 */
export function alertsFeature(opts: AlertsOptions = {}): Feature & { alerting: Alerting | null } {
  const feature: Feature & { alerting: Alerting | null } = {
    alerting: null,

    setup({ repos, bus, clock, config, log, runtime, readContext, scheduler, flips, offline }) {
      const store = new AlertStore(repos.db);
      const poke = (name: string) => scheduler.poke(name);

      // A desktop channel on first start, so a new check notifies without any setup.
      if (!repos.settings.get(SEEDED_KEY)) {
        writeTx(repos.db, () => {
          if (store.channels().length === 0) {
            store.insertChannel({ uuid: crypto.randomUUID(), name: 'Desktop', kind: 'desktop', config: {}, newChecks: true, created: clock.now() });
          }
          repos.settings.set(SEEDED_KEY, '1');
        });
      }

      const ua = opts.userAgent ?? 'Lubdub';
      const senders: Record<ChannelKind, Sender> = {
        desktop: desktopSender({
          native: () => config.desktopNotifier && (opts.hasSession ?? hasDesktopSession)(),
          show: opts.show ?? ((n) => nodeNotifierShow(n)),
          emit: (n) => bus.emit('public', { type: 'notification', data: n }),
          hasClient: () => bus.listenerCount('public') > 0,
        }),
        webhook: webhookSender(ua),
        ntfy: ntfySender(ua),
      };

      let snoozeRef: Snooze | null = null;
      const hosts = new HostGroups({ repos, clock, resolve: opts.resolveHost ?? reverseDns, poke: () => poke('host-groups') });
      const outbox = new Outbox({
        hosts,
        repos,
        store,
        flips,
        bus,
        clock,
        log,
        urls: runtime.urls,
        senders,
        isMuted: (id, at) => snoozeRef?.isMuted(id, at) ?? false,
        poke: () => poke('outbox'),
        fault: opts.fault ?? null,
      });
      const snoozeDeps = { repos, store, flips, bus, clock, outbox, poke, readContext };
      const snooze = new Snooze(snoozeDeps);
      snoozeRef = snooze;

      // The core's sources (holds, deadlines, status changes) come first in each turn; flips
      // are claimed by the outbox right after (bus 'flips'), retries and reminders after that.
      scheduler.add(reminderSource(snoozeDeps, snooze));
      for (const s of snooze.sources()) scheduler.add(s);
      scheduler.add({ name: 'outbox', next: () => outbox.next(), run: () => outbox.deliverDue() });
      scheduler.add({
        name: 'host-groups',
        next: () => hosts.next(),
        run: () => {
          hosts.taken();
          outbox.pump();
        },
      });

      // A ping batch (`set` given) moves a reminder only through a flip, announced by 'flips'.
      bus.on('deadlines', (set) => {
        if (!set) poke('reminders');
      });
      bus.on('flips', () => {
        poke('reminders');
        outbox.wake();
      });
      const alerting: Alerting = { store, outbox, snooze };
      feature.alerting = alerting;

      return {
        checkFields: { rules: { reminder_every: reminderRule } },
        channels: {
          list: () => store.channels().map((c) => ({ id: c.uuid, name: c.name, kind: c.kind })),
          resolve: (spec) => resolveChannels(store, spec),
          defaults: () =>
            store
              .channels()
              .filter((c) => c.newChecks)
              .map((c) => c.uuid)
              .join(','),
        },
        mutedUntil: () => snooze.mutedUntil(),
        apiRoutes: [(app, core) => alertRoutes({ checks: core.checks, readContext: core.readContext, store, clock, snooze, offline, scheduler, senders, hosts })(app)],
        start() {
          try {
            const recovered = outbox.recover(clock.now());
            if (recovered > 0) log.info(`${recovered} alert(s) interrupted by the last stop will be sent again`);
          } catch (e) {
            // A read-only or full database: start anyway (reads work, pings answer 503); the
            // interrupted sends stay marked "sending" and are requeued at the next start.
            log.error(`cannot requeue interrupted alerts (${(e as Error).message})`);
          }
          outbox.wake();
        },
        async stop() {
          await outbox.stop();
        },
      };
    },
  };
  return feature;
}

/**
 * healthchecks' `channels` field: "" none, "*" all, else a comma list of channel uuids or
 * unique names. Anything unknown is refused with healthchecks' message.
 */
function resolveChannels(store: AlertStore, spec: string): string {
  if (spec === '') return '';
  if (spec === '*') return store.channels().map((c) => c.uuid).join(',');
  const out: string[] = [];
  for (const chunk of spec.split(',')) {
    let uuid: string | null = null;
    if (UUID_RE.test(chunk.toLowerCase())) {
      uuid = store.channelByUuid(chunk.toLowerCase())?.uuid ?? null;
    } else {
      const named = store.channelsByName(chunk);
      if (named.length > 1) throw new ApiError(400, `non-unique channel identifier: ${chunk}`);
      uuid = named[0]?.uuid ?? null;
    }
    if (!uuid) throw new ApiError(400, `invalid channel identifier: ${chunk}`);
    if (!out.includes(uuid)) out.push(uuid);
  }
  return out.join(',');
}
