import { Bonjour } from 'bonjour-service';

/** A Lubdub found on the LAN, as "Find on this network…" lists it. */
export interface FoundLubdub {
  name: string;
  /** the announced `<name>.local` */
  host: string;
  addresses: string[];
  pingPort: number;
  /** the share port, when it shares; pairing goes to https://<host>:<share> */
  sharePort: number | null;
  instance: string;
  version: string;
  /** the certificate fingerprint's first 8 bytes (hex): pairing checks the certificate it sees against it */
  fingerprintPrefix: string;
}

/**
 * Browses `_lubdub._tcp` for `waitMs` and returns what answered (an mDNS answer proves
 * nothing: pairing's code authenticates the server, the TXT prefix only spots a mix-up).
 * `bonjourOptions` are bonjour-service's (tests bind to a namespace's loopback).
 */
export async function findLubdubs(waitMs = 3000, bonjourOptions: object = {}): Promise<FoundLubdub[]> {
  const bonjour = new Bonjour(bonjourOptions);
  const found = new Map<string, FoundLubdub>();
  const browser = bonjour.find({ type: 'lubdub' }, (s) => {
    const txt = (s.txt ?? {}) as Record<string, string>;
    found.set(s.fqdn ?? s.name, {
      name: s.name,
      host: s.host,
      addresses: s.addresses ?? [],
      pingPort: s.port,
      sharePort: /^\d{1,5}$/.test(txt.share ?? '') ? Number(txt.share) : null,
      instance: String(txt.id ?? ''),
      version: String(txt.v ?? ''),
      fingerprintPrefix: String(txt.fp ?? ''),
    });
  });
  await new Promise((r) => setTimeout(r, waitMs));
  browser.stop();
  await new Promise<void>((r) => bonjour.destroy(() => r()));
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Does the certificate fingerprint ("AB:CD:…") match an announced prefix? */
export function matchesPrefix(fingerprint: string, prefix: string): boolean {
  return prefix.length >= 16 && fingerprint.replace(/:/g, '').toLowerCase().startsWith(prefix.toLowerCase());
}
