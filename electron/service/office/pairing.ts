import crypto from 'node:crypto';
import { isoSeconds } from '../../../shared/api/format.js';
import type { OfficeJson } from '../../../shared/api/office.js';
import type { Clock } from '../../../shared/domain/clock.js';
import type { KeyStore } from '../api/key-store.js';
import { ApiError } from '../core/api-error.js';
import type { Log } from '../log.js';
import { sameConfirm, seal, spake2, type Keys, type Side } from './spake2.js';

/** A pairing code is valid this long. */
export const CODE_VALID_MS = 2 * 60_000;
/** Wrong codes in a row that lock pairing… */
export const MAX_WRONG = 5;
/** …for this long. */
export const LOCK_MS = 10 * 60_000;

interface Session {
  id: string;
  desk: string;
  from: string;
  code: string;
  expires: number;
  side: Side | null;
  keys: Keys | null;
}

/** What pairing needs. */
export interface PairingDeps {
  clock: Clock;
  keys: KeyStore;
  log: Log;
  /** the share certificate's fingerprint: the server's identity in the exchange */
  fingerprint: string;
  /** this instance's id, told to the desk with its key */
  instance: string;
  /** the pending pairing changed (the console re-reads it) */
  changed: () => void;
}

/**
 * Pairing with a six-digit code (the server's half; docs/office-mode.md "Pairing"). One
 * desk waits at a time (a new request replaces the old); each exchange allows one guess:
 * a wrong confirmation ends it and counts; five in a row lock pairing for ten minutes.
 * Time is the injected clock's.
 */
export class Pairing {
  private session: Session | null = null;
  private wrong = 0;
  private lockedUntil: number | null = null;

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

  /** A desk asks to pair: a new code is shown with its name. */
  start(desk: string, from: string): { session: string; expires_at: string } {
    this.refuseIfLocked();
    const now = this.deps.clock.now();
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    const s: Session = { id: crypto.randomBytes(18).toString('base64url'), desk, from, code, expires: now + CODE_VALID_MS, side: null, keys: null };
    this.session = s;
    // Headless servers show the code here; the console shows it in Settings.
    this.deps.log.info(`pairing: "${desk}" (${from}) asks to watch this Lubdub; code ${code}, valid 2 minutes`);
    this.deps.changed();
    return { session: s.id, expires_at: isoSeconds(s.expires)! };
  }

  /** The desk's SPAKE2 element; answers the server's. One exchange per request. */
  exchange(id: string, element: string): { element: string } {
    this.refuseIfLocked();
    const s = this.find(id);
    if (s.side) throw new ApiError(409, 'this pairing request already exchanged its messages: start again');
    const side = spake2('B', s.code, s.desk, this.deps.fingerprint);
    const keys = side.finish(element);
    if (!keys) throw new ApiError(400, 'json validation error: element is not a valid group element');
    s.side = side;
    s.keys = keys;
    return { element: side.element };
  }

  /** The desk's confirmation: right → a device key, sealed, with the server's confirmation; wrong → counted. */
  confirm(id: string, confirm: string): { confirm: string; nonce: string; sealed: string; instance: string } {
    this.refuseIfLocked();
    const s = this.find(id);
    if (!s.keys) throw new ApiError(409, 'exchange the pairing messages first');
    // One guess per exchange: whatever the outcome, this request is used up.
    this.session = null;
    if (!sameConfirm(Buffer.from(confirm, 'base64url'), s.keys.confirmA)) {
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
    const sealed = seal(s.keys.sealKey, JSON.stringify({ key, id: record.id }));
    return { confirm: s.keys.confirmB.toString('base64url'), ...sealed, instance: this.deps.instance };
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

  private refuseIfLocked(): void {
    const until = this.locked();
    if (until !== null) throw new ApiError(429, `too many wrong codes: pairing is locked until ${until}`);
  }
}
