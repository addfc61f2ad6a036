import crypto from 'node:crypto';

/**
 * SPAKE2 (RFC 9382) over the 2048-bit MODP group of RFC 3526 (a safe prime p = 2q + 1; the
 * elements are the squares mod p, a group of prime order q), built from node:crypto's
 * hashes and BigInt. Both sides of pairing use it: the desk is A, the server B.
 *
 * Why it fits pairing with a six-digit code (docs/office-mode.md, "Why the code is enough"):
 * whoever does not know the code and takes part actively can test one guess per exchange,
 * and someone who only watches can test none; the server's certificate fingerprint is B's
 * identity in the transcript, so a relay with its own certificate makes the confirmations
 * differ and learns nothing.
 */

const P = BigInt(
  '0x' +
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
    'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
    '15728E5A8AACAA68FFFFFFFFFFFFFFFF',
);
const Q = (P - 1n) / 2n;
/** 4 = 2², a square: it generates the order-q subgroup */
const G = 4n;
const BYTES = 256;

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

const toBig = (buf: Uint8Array) => BigInt('0x' + (Buffer.from(buf).toString('hex') || '0'));
function toBytes(n: bigint): Buffer {
  return Buffer.from(n.toString(16).padStart(BYTES * 2, '0'), 'hex');
}

/** A group element nobody knows the logarithm of: a hash of `label` squared mod p. */
function hashToGroup(label: string): bigint {
  const parts: Buffer[] = [];
  for (let i = 0; parts.length * 64 < BYTES + 32; i++) parts.push(crypto.createHash('sha512').update(`${label}|${i}`).digest());
  const h = toBig(Buffer.concat(parts)) % P;
  return (h * h) % P;
}

const M = hashToGroup('lubdub pairing SPAKE2 M');
const N = hashToGroup('lubdub pairing SPAKE2 N');

/** The code as an exponent. */
function passwordScalar(code: string): bigint {
  return toBig(crypto.createHash('sha256').update(`lubdub pairing code|${code}`).digest()) % Q;
}

/** Is `e` an element of the order-q subgroup other than 1? A peer's element that is not is refused. */
function inGroup(e: bigint): boolean {
  return e > 1n && e < P - 1n && modPow(e, Q, P) === 1n;
}

/** An element as sent on the wire: 256 bytes big-endian, base64url. */
export function encodeElement(e: bigint): string {
  return toBytes(e).toString('base64url');
}
/** A peer's element, or null when it is malformed or outside the group. */
export function decodeElement(text: string): bigint | null {
  const buf = Buffer.from(text, 'base64url');
  if (buf.length !== BYTES) return null;
  const e = toBig(buf);
  return inGroup(e) ? e : null;
}

function lengthPrefixed(...parts: Buffer[]): Buffer {
  return Buffer.concat(
    parts.flatMap((p) => {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(p.length));
      return [len, p];
    }),
  );
}

/** What both sides derive from a finished exchange. */
export interface Keys {
  /** the desk's key confirmation */
  confirmA: Buffer;
  /** the server's key confirmation */
  confirmB: Buffer;
  /** seals the device key on its way to the desk */
  sealKey: Buffer;
}

/** One side of an exchange. */
export interface Side {
  /** this side's element, to send */
  element: string;
  /** the keys, given the peer's element; null when the peer's element is not valid */
  finish(peer: string): Keys | null;
}

/**
 * Starts one side. `deskId` names the desk (its name as it asked), `serverId` the server
 * (its certificate's fingerprint as the desk saw it / as the server knows it).
 */
export function spake2(role: 'A' | 'B', code: string, deskId: string, serverId: string): Side {
  const w = passwordScalar(code);
  // A 320-bit secret exponent: twice the group's ~110-bit strength, as RFC 3526 §8 advises,
  // at a fraction of a full-size exponent's cost.
  const secret = toBig(crypto.randomBytes(40)) + 1n;
  const [mine, theirs] = role === 'A' ? [M, N] : [N, M];
  const own = (modPow(G, secret, P) * modPow(mine, w, P)) % P;
  return {
    element: encodeElement(own),
    finish(peerText) {
      const peer = decodeElement(peerText);
      if (peer === null) return null;
      // theirs^-w = theirs^(q-w): the element has order q
      const z = modPow((peer * modPow(theirs, Q - w, P)) % P, secret, P);
      const [x, y] = role === 'A' ? [own, peer] : [peer, own];
      const tt = lengthPrefixed(
        Buffer.from(deskId, 'utf8'),
        Buffer.from(serverId, 'utf8'),
        toBytes(x),
        toBytes(y),
        toBytes(z),
        toBytes(w),
      );
      const k = crypto.createHash('sha256').update(tt).digest();
      const derive = (info: string) => Buffer.from(crypto.hkdfSync('sha256', k, Buffer.alloc(0), info, 32));
      const transcript = crypto.createHash('sha256').update(tt).digest();
      return {
        confirmA: crypto.createHmac('sha256', derive('lubdub confirm desk')).update(transcript).digest(),
        confirmB: crypto.createHmac('sha256', derive('lubdub confirm server')).update(transcript).digest(),
        sealKey: derive('lubdub seal device key'),
      };
    },
  };
}

/** Constant-time comparison of a received confirmation. */
export function sameConfirm(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** AES-256-GCM: the device key sealed with the exchange's key. */
export function seal(key: Buffer, plain: string): { nonce: string; sealed: string } {
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
  return { nonce: nonce.toString('base64url'), sealed: body.toString('base64url') };
}

/** Opens what `seal` made; null when it was tampered with. */
export function unseal(key: Buffer, nonce: string, sealed: string): string | null {
  try {
    const buf = Buffer.from(sealed, 'base64url');
    const d = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
    d.setAuthTag(buf.subarray(buf.length - 16));
    return Buffer.concat([d.update(buf.subarray(0, buf.length - 16)), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}
