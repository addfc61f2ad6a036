import crypto from 'node:crypto';
import {
  getOpaqueConfig,
  IdentityMemHardFn,
  KE1,
  KE2,
  KE3,
  OpaqueClient,
  OpaqueID,
  OpaqueServer,
  type Config,
  type ExpectedAuthResult,
  type RegistrationRecord,
} from '@cloudflare/opaque-ts';
import { PAIR_MESSAGE_BYTES } from '../../../shared/api/office.js';

/**
 * Pairing's password-authenticated key exchange: OPAQUE (`@cloudflare/opaque-ts`), shared by
 * the server (electron/service/office/pairing.ts) and the desk (electron/app/office.ts).
 * docs/office-mode.md "Pairing" gives the argument.
 */

/** The library's P-256 suite (OPRF P-256/SHA-256, HKDF and HMAC with SHA-256, 3DH). */
export const SUITE: Readonly<Config> = getOpaqueConfig(OpaqueID.OPAQUE_P256);

/**
 * No key stretching: it would only slow offline guessing by someone holding the record, and
 * the record never leaves the server's memory, where the code itself sits for Settings to
 * show. Scrypt would instead block the service's event loop (~300 ms, synchronous) on every
 * unauthenticated pairing request.
 */
export const KSF = IdentityMemHardFn;

/** Who takes part in one pairing exchange; both sides must agree on all of it. */
export interface Parties {
  /** the pairing request's id */
  session: string;
  /** the desk's name as it asked */
  desk: string;
  /** the share certificate's SHA-256 fingerprint: as the server knows it / as the desk saw it */
  fingerprint: string;
}

/**
 * The OPAQUE identities and context of an exchange. The fingerprint is the server's identity
 * (in the registration envelope and the key-exchange transcript), so a relay with its own
 * certificate makes the desk's view differ from the server's and nothing verifies.
 */
function bound(p: Parties): { server: string; client: string; context: string } {
  return { server: p.fingerprint, client: p.desk, context: JSON.stringify(['lubdub pairing 1', p.session, p.desk, p.fingerprint]) };
}

/** An OPAQUE message as sent on the wire: base64url of its serialization. */
export function encodeMessage(m: { serialize(): number[] }): string {
  return Buffer.from(m.serialize()).toString('base64url');
}

function decode<T>(type: { deserialize(cfg: Config, bytes: number[]): T }, text: string): T | null {
  try {
    return type.deserialize(SUITE, [...Buffer.from(text, 'base64url')]);
  } catch {
    return null;
  }
}

/** A received message, or null when it is malformed. */
export const decodeKE1 = (text: string) => decode(KE1, text);
export const decodeKE2 = (text: string) => decode(KE2, text);
export const decodeKE3 = (text: string) => decode(KE3, text);

const ok = <T>(r: T | Error): T => {
  if (r instanceof Error) throw r;
  return r;
};

/** The server's half of one pairing request, holding the code's registration in memory. */
export class PairingServer {
  private constructor(
    private readonly server: OpaqueServer,
    private readonly record: RegistrationRecord,
    private readonly parties: Parties,
  ) {}

  /**
   * Registers `code` with a fresh server key: the server plays both registration roles, so
   * the record never travels.
   */
  static async register(code: string, parties: Parties): Promise<PairingServer> {
    const id = bound(parties);
    const server = new OpaqueServer(SUITE, SUITE.prng.random(SUITE.hash.Nh), await SUITE.ake.generateAuthKeyPair(), id.server);
    const client = new OpaqueClient(SUITE, KSF);
    const request = ok(await client.registerInit(code));
    const response = ok(await server.registerInit(request, parties.session));
    const { record } = ok(await client.registerFinish(response, id.server, id.client));
    return new PairingServer(server, record, parties);
  }

  /** The answer to the desk's KE1, and what its KE3 must prove; null when KE1 is not valid. */
  async respond(ke1: KE1): Promise<{ ke2: KE2; expected: ExpectedAuthResult } | null> {
    const id = bound(this.parties);
    try {
      const r = await this.server.authInit(ke1, this.record, this.parties.session, id.client, id.context);
      return r instanceof Error ? null : r;
    } catch {
      return null;
    }
  }

  /** The session key when the desk's KE3 proves the code, else null. */
  finish(ke3: KE3, expected: ExpectedAuthResult): Buffer | null {
    try {
      const r = this.server.authFinish(ke3, expected);
      return r instanceof Error ? null : Buffer.from(r.session_key);
    } catch {
      return null;
    }
  }
}

/** The desk's half: KE1 for the typed code, then the session key and KE3 from the server's KE2. */
export class PairingClient {
  private readonly client = new OpaqueClient(SUITE, KSF);

  async start(code: string): Promise<KE1> {
    return ok(await this.client.authInit(code));
  }

  /**
   * Null when the server did not prove it registered this code for these parties (a wrong
   * code, or a certificate other than the server's own).
   */
  async finish(ke2: KE2, parties: Parties): Promise<{ ke3: KE3; sessionKey: Buffer } | null> {
    const id = bound(parties);
    try {
      const r = await this.client.authFinish(ke2, id.server, id.client, id.context);
      return r instanceof Error ? null : { ke3: r.ke3, sessionKey: Buffer.from(r.session_key) };
    } catch {
      return null;
    }
  }
}

/** A KE3 that proves nothing: the desk sends it to use up a failed attempt on the server. */
export function unprovenKE3(): string {
  return crypto.randomBytes(PAIR_MESSAGE_BYTES.ke3).toString('base64url');
}

function sealKey(sessionKey: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', sessionKey, Buffer.alloc(0), 'lubdub seal device key', 32));
}

/** AES-256-GCM under a key derived from the exchange's session key. */
export function seal(sessionKey: Buffer, plain: string): { nonce: string; sealed: string } {
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', sealKey(sessionKey), nonce);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
  return { nonce: nonce.toString('base64url'), sealed: body.toString('base64url') };
}

/** Opens what `seal` made; null when it was tampered with or sealed under another key. */
export function unseal(sessionKey: Buffer, nonce: string, sealed: string): string | null {
  try {
    const buf = Buffer.from(sealed, 'base64url');
    const d = crypto.createDecipheriv('aes-256-gcm', sealKey(sessionKey), Buffer.from(nonce, 'base64url'));
    d.setAuthTag(buf.subarray(buf.length - 16));
    return Buffer.concat([d.update(buf.subarray(0, buf.length - 16)), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}
