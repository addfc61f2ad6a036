import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Readable } from 'node:stream';
import { PAIR_API } from '../../shared/api/office.js';
import { decodeKE2, encodeMessage, PairingClient, unprovenKE3, unseal } from '../service/office/opaque.js';

/** The office Lubdub's certificate as the desk pinned it at pairing. */
export interface Pin {
  /** SHA-256, "AB:CD:…" */
  fingerprint: string;
  /** the certificate itself (PEM): the only trust anchor of the pinned connection */
  cert: string;
}

/** What pairing gives the desk: where, the device key, and the pinned certificate. */
export interface Paired {
  url: string;
  key: string;
  keyId: string;
  instance: string;
  pin: Pin;
}

/** The server answered with another certificate than the pinned one: pair again. */
export class IdentityChangedError extends Error {
  readonly code = 'LUBDUB_IDENTITY_CHANGED';
  constructor(readonly url: string) {
    super(`the office Lubdub's identity changed (${url}): pair again`);
  }
}

/** A pairing step the server refused, or an answer that did not prove the code. */
export class PairingError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

function pemOf(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Certificate verification failures: on a pinned connection, another certificate than the pinned one. */
const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|LUBDUB_IDENTITY/;

interface Raw {
  res: import('node:http').IncomingMessage;
  socket: TLSSocket;
}

function send(agent: https.Agent, url: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal | null }): Promise<Raw> {
  return new Promise((resolve, reject) => {
    // Node sends a DELETE's body without a length unless told: always say it
    const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
    const req = https.request(url, { agent, method: init.method ?? 'GET', headers, signal: init.signal ?? undefined }, (res) =>
      resolve({ res, socket: res.socket as TLSSocket }),
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

function headersOf(h: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(h).forEach((v, k) => (out[k] = v));
  return out;
}

/**
 * `fetch` over TLS to the pinned certificate only: it is the connection's one trust anchor
 * and its fingerprint is checked again on every handshake, before any request (and its
 * device key) is written. Another certificate fails with `IdentityChangedError`, never a
 * silent accept. Redirects are not followed (the client refuses them anyway).
 */
export function pinnedFetch(pin: Pin, onIdentityChanged: () => void = () => {}): typeof fetch {
  const agent = new https.Agent({
    ca: pin.cert,
    keepAlive: true,
    // the name in the URL is whatever mDNS or the user gave: the pin is what identifies the server
    checkServerIdentity: (_host, cert) => {
      if (cert.fingerprint256 === pin.fingerprint) return undefined;
      return Object.assign(new Error('certificate differs from the pinned one'), { code: 'LUBDUB_IDENTITY' });
    },
  });
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    let raw: Raw;
    try {
      raw = await send(agent, url, { method: init.method, headers: headersOf(init.headers), body: typeof init.body === 'string' ? init.body : undefined, signal: init.signal });
    } catch (e) {
      const code = String((e as NodeJS.ErrnoException).code ?? '');
      if (CERT_ERROR.test(code)) {
        onIdentityChanged();
        throw new IdentityChangedError(new URL(url).origin);
      }
      throw e;
    }
    const { res } = raw;
    const status = res.statusCode ?? 0;
    const headers = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const body = status === 204 || status === 304 ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
    return new Response(body, { status, headers });
  }) as typeof fetch;
}

/** What the desk shows while pairing, and the code the user types. */
export interface PairingPrompt {
  /** the server's certificate fingerprint as this desk sees it (Settings on the server shows its own) */
  fingerprint: string;
  expiresAt: string;
}

/**
 * Pairs this desk with the Lubdub at `url` (its share port, https): asks to pair under
 * `deskName`, waits for the six-digit code the server shows (`askCode`), and runs the client
 * side of OPAQUE with the fingerprint of the certificate this connection saw as the server's
 * identity. Only when the server proved it registered that code for that certificate does
 * the desk send its proof, open the device key and pin the certificate. A relay with its own
 * certificate, or a wrong code, ends in `PairingError` with no key and nothing pinned
 * (docs/office-mode.md).
 */
export async function pair(url: string, deskName: string, askCode: (p: PairingPrompt) => Promise<string>): Promise<Paired> {
  const origin = new URL(url).origin;
  // First contact: nothing to verify the certificate against yet. Nothing secret is sent
  // before the exchange proved whose certificate it was.
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 1 });
  let seen: { fingerprint: string; cert: string } | null = null;
  const post = async (route: { path: string }, json: unknown): Promise<any> => {
    const { res, socket } = await send(agent, origin + route.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
    const peer = socket.getPeerCertificate(true);
    const now = { fingerprint: peer.fingerprint256, cert: pemOf(peer.raw) };
    if (seen && seen.fingerprint !== now.fingerprint) throw new PairingError('the server changed its certificate during pairing');
    seen = now;
    let text = '';
    for await (const chunk of res) text += chunk;
    const body = text ? JSON.parse(text) : null;
    if ((res.statusCode ?? 0) >= 400) throw new PairingError(body?.error ?? `pairing: ${res.statusCode}`, res.statusCode ?? null);
    return body;
  };
  try {
    const started = (await post(PAIR_API.start, { name: deskName })) as { session: string; expires_at: string };
    const fingerprint = seen!.fingerprint;
    const code = (await askCode({ fingerprint, expiresAt: started.expires_at })).replace(/\s+/g, '');
    if (!/^\d{6}$/.test(code)) throw new PairingError('the code has six digits');
    const desk = new PairingClient();
    const ke1 = await desk.start(code);
    const answer = (await post(PAIR_API.exchange, { session: started.session, ke1: encodeMessage(ke1) })) as { ke2: string };
    const ke2 = decodeKE2(answer.ke2);
    const proven = ke2 && (await desk.finish(ke2, { session: started.session, desk: deskName, fingerprint }));
    if (!proven) {
      // A wrong code, or another certificate than the server's: the desk sends nothing that
      // proves the code, and uses up the attempt so the server counts it and drops the code.
      await post(PAIR_API.confirm, { session: started.session, ke3: unprovenKE3() });
      throw new PairingError('the server could not prove it knows the code: not paired');
    }
    const done = (await post(PAIR_API.confirm, { session: started.session, ke3: encodeMessage(proven.ke3) })) as { nonce: string; sealed: string };
    if (seen!.fingerprint !== fingerprint) throw new PairingError('the server changed its certificate during pairing');
    const opened = unseal(proven.sessionKey, done.nonce, done.sealed);
    const parsed = opened ? (JSON.parse(opened) as { key?: unknown; id?: unknown; instance?: unknown }) : null;
    if (!parsed || typeof parsed.key !== 'string' || typeof parsed.id !== 'string' || typeof parsed.instance !== 'string') {
      throw new PairingError('the device key could not be opened: not paired');
    }
    return { url: origin, key: parsed.key, keyId: parsed.id, instance: parsed.instance, pin: { fingerprint, cert: seen!.cert } };
  } finally {
    agent.destroy();
  }
}

/** A desk's default name for pairing requests. */
export function deskName(hostname: string, user: string): string {
  return `${user}@${hostname}`.slice(0, 64);
}

