import crypto from 'node:crypto';
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { API } from '../../../shared/api/routes.js';
import type { OfficeJson } from '../../../shared/api/office.js';
import { on } from '../api/contract.js';
import { keyJson } from '../api/key-store.js';
import { ApiError } from '../core/api-error.js';
import type { Feature } from '../service.js';
import { packageVersion } from '../package-info.js';
import { loadOrCreateIdentity, type ShareIdentity } from './cert.js';
import { announce, type Announcement, type Announcer } from './mdns.js';
import { Pairing } from './pairing.js';
import { buildPairApi, openShare, type Share } from './share.js';

/** Settings-table keys of office mode (this feature is their only writer). */
const SAVED = { share: 'office.share', mdns: 'office.mdns', instance: 'office.instance' } as const;

/** What office mode can be given instead of the real thing (tests). */
export interface OfficeOptions {
  /** starts the mDNS announcement (default: bonjour-service on the LAN) */
  announce?: typeof announce;
}

/**
 * Office mode: the HTTPS share listener for paired desks (its certificate made on first
 * start), pairing with a six-digit code, and the Settings routes for sharing and keys.
 * `LUBDUB_SHARE` / `LUBDUB_MDNS` given at start win over the Settings switches.
 */
export function officeFeature(opts: OfficeOptions = {}): Feature {
  const startAnnouncing = opts.announce ?? announce;
  return {
    async setup({ config, clock, repos, bus, log, keys, runtime }) {
      const given = (k: 'share' | 'mdns') => config.given?.includes(k) ?? false;
      const saved = (k: 'share' | 'mdns'): boolean => {
        const v = repos.settings.get(SAVED[k]);
        return given(k) || v === null ? config[k] : v === 'on';
      };
      let instance = repos.settings.get(SAVED.instance);
      if (!instance) {
        instance = crypto.randomUUID();
        repos.settings.set(SAVED.instance, instance);
      }
      // Read or made when first needed (Settings, sharing, the announcement): making one loads
      // @peculiar/x509, megabytes of memory a service that never shares should not carry.
      let made: Promise<ShareIdentity> | null = null;
      const identity = (): Promise<ShareIdentity> =>
        (made ??= loadOrCreateIdentity(config.dataDir, `Lubdub on ${os.hostname()}`, clock.now()).catch((e) => {
          made = null;
          throw e;
        }));
      let shareOn = saved('share');
      let mdnsOn = saved('mdns');
      let announcer: Announcer | null = null;
      let pingPort = config.pingPort;
      // Shown in ping URLs (runtime's default base) only while this announcement makes it resolve.
      const host = `${os.hostname()}.local`;
      let share: Share | null = null;
      let api: FastifyInstance | null = null;
      let pairApp: FastifyInstance | null = null;

      const publish = () => bus.emit('public', { type: 'office', data: { share: share !== null, pairing_pending: pairing.pending() !== null } });
      const pairing = new Pairing({ clock, keys, log, fingerprint: async () => (await identity()).fingerprint, instance, changed: publish });

      const current = async (): Promise<OfficeJson> => ({
        share: { on: share !== null, port: share?.port ?? null, fingerprint: (await identity()).fingerprint, locked: given('share') },
        mdns: { on: announcer !== null, host: announcer ? host : null, locked: given('mdns') },
        pairing: share ? pairing.pending() : null,
        locked_until: pairing.locked(),
      });

      /** Opens or closes the share listener to match the switch. */
      const apply = async () => {
        if (shareOn && !share && api) {
          pairApp ??= await buildPairApi(pairing, log);
          const id = await identity();
          share = await openShare({ identity: id, host: config.shareHost, port: config.sharePort, api, pair: pairApp });
          log.info(`share port listening at https://${config.shareHost}:${share.port} (certificate ${id.fingerprint})`);
        } else if (!shareOn && share) {
          const s = share;
          share = null;
          await s.close();
        }
      };

      const announcement = (fingerprint: string): Announcement => ({
        name: `Lubdub on ${os.hostname()}`.slice(0, 63),
        host,
        pingPort,
        sharePort: share?.port ?? null,
        version: packageVersion(),
        instance: instance!,
        fingerprint,
      });
      /** The default ping host follows the announcement; open consoles re-read ping URLs. */
      const announced = (name: string | null) => {
        if (runtime.setAnnouncedHost(name)) bus.emit('public', { type: 'settings', data: { base_url: runtime.urls.ping, base_url_default: runtime.defaultPingBase } });
      };
      /** Starts, updates or ends the announcement to match the switch and the share port. */
      const reannounce = async () => {
        // the identity is awaited before the switch is read, so two calls cannot both start one
        const fingerprint = mdnsOn ? (await identity()).fingerprint : '';
        if (mdnsOn && !announcer) {
          announcer = startAnnouncing(announcement(fingerprint), (e) => log.warn(`mdns: ${e.message}`));
          log.info(`mdns: announcing _lubdub._tcp as ${host}`);
          announced(host);
        } else if (mdnsOn && announcer) {
          await announcer.update(announcement(fingerprint));
        } else if (!mdnsOn && announcer) {
          const a = announcer;
          announcer = null;
          announced(null);
          await a.stop();
        }
      };

      const routes = (app: FastifyInstance) => {
        on(app, API.office, () => current());
        on(app, API.saveOffice, async (req) => {
          const body = req.body;
          for (const k of ['share', 'mdns'] as const) {
            if (body[k] !== undefined && given(k)) throw new ApiError(409, `${k} is set by a flag or environment variable at start`);
          }
          if (body.mdns !== undefined) {
            repos.settings.set(SAVED.mdns, body.mdns ? 'on' : 'off');
            mdnsOn = body.mdns;
          }
          if (body.share !== undefined) {
            repos.settings.set(SAVED.share, body.share ? 'on' : 'off');
            shareOn = body.share;
            try {
              await apply();
            } catch (e) {
              shareOn = false;
              repos.settings.set(SAVED.share, 'off');
              throw new ApiError(409, (e as Error).message);
            }
          }
          await reannounce();
          publish();
          return current();
        });
        on(app, API.officeKeys, async () => ({ keys: keys.list().map(keyJson) }));
        on(app, API.createKey, async (req) => {
          const { record, key } = keys.create(req.body.name, req.body.scope);
          return { ...keyJson(record), key };
        });
        on(app, API.revokeKey, async (req) => {
          const rec = keys.revoke(req.params.id);
          if (!rec) throw new ApiError(404, 'not found');
          log.info(`office: key "${rec.name}" (${rec.scope}) revoked`);
          return keyJson(rec);
        });
      };

      return {
        apiRoutes: [routes],
        async start(svc) {
          api = svc.api;
          try {
            await apply();
          } catch (e) {
            // The rest of Lubdub runs on; Settings shows sharing off and can try again.
            shareOn = false;
            log.error(`office: sharing is off: ${(e as Error).message}`);
          }
          pingPort = Number(new URL(svc.pingListenUrl).port) || config.pingPort;
          await reannounce();
        },
        async stop() {
          // goodbyes first: desks drop this Lubdub from their lists at once
          mdnsOn = false;
          await reannounce().catch(() => {});
          shareOn = false;
          await apply().catch(() => {});
          await pairApp?.close();
        },
      };
    },
  };
}
