import type { Bonjour, Service } from 'bonjour-service';

/** The DNS-SD service type desks browse for. */
export const SERVICE_TYPE = 'lubdub';

/** What the announcement tells a desk. */
export interface Announcement {
  /** the instance name shown in "Find on this network…" */
  name: string;
  /** `<name>.local`: the host ping URLs and desks use */
  host: string;
  pingPort: number;
  /** the share port while sharing is on */
  sharePort: number | null;
  version: string;
  instance: string;
  fingerprint: string;
}

/** TXT records: version, instance id, the certificate fingerprint's first 8 bytes, the share port. */
export function txtOf(a: Announcement): Record<string, string> {
  const txt: Record<string, string> = { v: a.version, id: a.instance, fp: a.fingerprint.replace(/:/g, '').slice(0, 16).toLowerCase() };
  if (a.sharePort !== null) txt.share = String(a.sharePort);
  return txt;
}

/** A running announcement. */
export interface Announcer {
  /** re-announces with new facts (sharing turned on or off) */
  update(a: Announcement): Promise<void>;
  /** sends goodbyes (TTL 0) and closes the mDNS socket */
  stop(): Promise<void>;
}

/**
 * Announces `_lubdub._tcp` for the ping receiver with bonjour-service, which answers
 * queries and sends TTL-0 goodbyes when unpublished. A changed announcement is a goodbye and
 * a new publish: the TXT of a published service cannot change in place.
 */
export function announce(first: Announcement, onError: (e: Error) => void): Announcer {
  const publish = (bonjour: Bonjour, a: Announcement) => {
    const service: Service = bonjour.publish({ name: a.name, type: SERVICE_TYPE, protocol: 'tcp', port: a.pingPort, host: a.host, txt: txtOf(a) });
    service.on('error', (e: Error) => onError(e));
  };
  // Loaded when the first announcement starts: bonjour-service and its DNS packet library
  // would otherwise sit in the memory of every service that never announces.
  const ready: Promise<Bonjour | null> = import('bonjour-service')
    .then((m) => {
      const bonjour = new m.Bonjour({}, (e: Error) => onError(e));
      publish(bonjour, first);
      return bonjour;
    })
    .catch((e: Error) => {
      onError(e);
      return null;
    });
  const unpublish = (bonjour: Bonjour) => new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()));
  return {
    async update(a) {
      const bonjour = await ready;
      if (!bonjour) return;
      await unpublish(bonjour);
      publish(bonjour, a);
    },
    async stop() {
      const bonjour = await ready;
      if (!bonjour) return;
      await unpublish(bonjour);
      await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
    },
  };
}
