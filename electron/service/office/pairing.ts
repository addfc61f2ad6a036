import crypto from 'node:crypto';
import { isoSeconds } from '../../../shared/api/format.js';
import type { OfficeJson } from '../../../shared/api/office.js';
import type { Clock } from '../../../shared/domain/clock.js';
import type { KeyStore } from '../api/key-store.js';
import { ApiError } from '../core/api-error.js';
import type { Log } from '../log.js';
import type { ExpectedAuthResult } from '@cloudflare/opaque-ts';
import type { PairingServer } from './opaque.js';

/** OPAQUE and its elliptic-curve libraries, loaded with the first pairing request: a service that never pairs does not carry them. */
type Opaque = typeof import('./opaque.js');
let loaded: Promise<Opaque> | null = null;
const opaqueLib = (): Promise<Opaque> => (loaded ??= import('./opaque.js'));

/** A pairing code is valid this long. */
export const CODE_VALID_MS = 2 * 60_000;
/** Wrong codes in a row that lock pairing… */
export const MAX_WRONG = 5;
/** …for this long. */
export const LOCK_MS = 10 * 60_000;
/** Pairing requests taken per minute: each registers a code (about 0.1 s of CPU), so a flood must not stall the service. */
export const MAX_STARTS_PER_MINUTE = 10;

interface Session {
  id: string;
  desk: string;
  from: string;
  code: string;
  expires: number;
  /** the code's OPAQUE registration, in memory only */
  opaque: PairingServer;
  lib: Opaque;
  /** set once the desk's KE1 was taken: one exchange per request */
  exchanged: boolean;
  /** what the desk's KE3 must prove, once answered */
  expected: ExpectedAuthResult | null;
}

/** What pairing needs. */
export interface PairingDeps {
  clock: Clock;
  keys: KeyStore;
  log: Log;
  /** the share certificate's fingerprint: the server's OPAQUE identity */
  fingerprint: () => Promise<string>;
  /** this instance's id, told to the desk with its key */
  instance: string;
  /** the pending pairing changed (the console re-reads it) */
  changed: () => void;
}

/**
 * Pairing with a six-digit code (the server's half; docs/office-mode.md "Pairing"). One
 * desk waits at a time (a new request replaces the old). The code is registered with OPAQUE
 * (electron/service/office/opaque.ts) and each request allows one login, so one guess: a KE3
 * that does not prove the code ends it and counts; five in a row lock pairing for ten minutes.
 * Time is the injected clock's.
 */
export class Pairing {
  private session: Session | null = null;
  private wrong = 0;
  private lockedUntil: number | null = null;
  /** when the recent pairing requests came, oldest first */
  private starts: number[] = [];

  constructor(private readonly deps: PairingDeps) {}

  /** The desk waiting for its code, for Settings (null when none, or its code expired). */
  pending(): OfficeJson['pairing'] {
    const s = this.live();
    return s ? { desk: s.desk, code: s.code, expires_at: isoSeconds(s.expires)! } : null;
  }

  /** Until when pairing is locked, or null. */
  locked(): string | null {
    const now = this.deps.clock.now();
    if (this.lockedUntil !== null && this.lockedUntil <= now) this.lockedUntil = null;
    return isoSeconds(this.lockedUntil);
  }

  /** A desk asks to pair: a new code is registered and shown with its name. */
  async start(desk: string, from: string): Promise<{ session: string; expires_at: string }> {
    this.refuseIfLocked();
    this.countStart();
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    const id = crypto.randomBytes(18).toString('base64url');
    const lib = await opaqueLib();
    const opaque = await lib.PairingServer.register(code, { session: id, desk, fingerprint: await this.deps.fingerprint() });
    const s: Session = { id, desk, from, code, expires: this.deps.clock.now() + CODE_VALID_MS, opaque, lib, exchanged: false, expected: null };
    this.session = s;
    // Headless servers show the code here; the console shows it in Settings.
    this.deps.log.info(`pairing: "${desk}" (${from}) asks to watch this Lubdub; code ${code}, valid 2 minutes`);
    this.deps.changed();
    return { session: s.id, expires_at: isoSeconds(s.expires)! };
  }

  /** The desk's KE1; answers the server's KE2. One exchange per request. */
  async exchange(id: string, ke1Text: string): Promise<{ ke2: string }> {
    this.refuseIfLocked();
    const s = this.find(id);
    if (s.exchanged) throw new ApiError(409, 'this pairing request already exchanged its messages: start again');
    const ke1 = s.lib.decodeKE1(ke1Text);
    if (!ke1) throw new ApiError(400, 'json validation error: ke1 is not a valid OPAQUE message');
    // taken before the await, so a second KE1 racing this one is refused
    s.exchanged = true;
    const answer = await s.opaque.respond(ke1);
    if (!answer) {
      s.exchanged = false;
      throw new ApiError(400, 'json validation error: ke1 is not a valid OPAQUE message');
    }
    s.expected = answer.expected;
    return { ke2: s.lib.encodeMessage(answer.ke2) };
  }

  /** The desk's KE3: proves the code → the device key, sealed under the session key; else counted as a wrong code. */
  confirm(id: string, ke3Text: string): { nonce: string; sealed: string } {
    this.refuseIfLocked();
    const s = this.find(id);
    if (!s.expected) throw new ApiError(409, 'exchange the pairing messages first');
    const ke3 = s.lib.decodeKE3(ke3Text);
    if (!ke3) throw new ApiError(400, 'json validation error: ke3 is not a valid OPAQUE message');
    // One guess per exchange: whatever the outcome, this request is used up.
    this.session = null;
    const sessionKey = s.opaque.finish(ke3, s.expected);
    if (!sessionKey) {
      this.wrong++;
      const now = this.deps.clock.now();
      if (this.wrong >= MAX_WRONG) {
        this.wrong = 0;
        this.lockedUntil = now + LOCK_MS;
        this.deps.log.warn(`pairing: ${MAX_WRONG} wrong codes in a row, pairing locked until ${isoSeconds(this.lockedUntil)}`);
      } else {
        this.deps.log.warn(`pairing: wrong code from "${s.desk}" (${s.from})`);
      }
      this.deps.changed();
      throw new ApiError(403, 'wrong code');
    }
    this.wrong = 0;
    const { record, key } = this.deps.keys.create(s.desk, 'device');
    this.deps.keys.seen(record, s.from);
    this.deps.log.info(`pairing: "${s.desk}" (${s.from}) is paired`);
    this.deps.changed();
    return s.lib.seal(sessionKey, JSON.stringify({ key, id: record.id, instance: this.deps.instance }));
  }

  private live(): Session | null {
    const s = this.session;
    if (s && s.expires <= this.deps.clock.now()) this.session = null;
    return this.session;
  }

  private find(id: string): Session {
    const s = this.session;
    if (!s || s.id !== id) throw new ApiError(404, 'no such pairing request: start again');
    if (!this.live()) throw new ApiError(410, 'the code expired: start again');
    return s;
  }

  private countStart(): void {
    const now = this.deps.clock.now();
    this.starts = this.starts.filter((t) => t > now - 60_000);
    if (this.starts.length >= MAX_STARTS_PER_MINUTE) throw new ApiError(429, 'too many pairing requests: try again in a minute');
    this.starts.push(now);
  }

  private refuseIfLocked(): void {
    const until = this.locked();
    if (until !== null) throw new ApiError(429, `too many wrong codes: pairing is locked until ${until}`);
  }
}
