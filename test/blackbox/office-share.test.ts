import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityChangedError, pair, PairingError, pinnedFetch, type Pin } from '../../electron/app/office.js';
import { CERT_FILE, fingerprintOf, KEY_FILE, loadOrCreateIdentity } from '../../electron/service/office/cert.js';
import { SseParser } from '../../electron/app/sse.js';
import { API, pathOf } from '../../shared/api/routes.js';
import { createCheck, serve, tempDir, waitFor, type Served } from '../helpers/serve.js';

/**
 * The real `npm run serve` with sharing on (LUBDUB_SHARE=on): the share port answers only
 * over TLS with the certificate stored in the data dir, serves only the device scope (403
 * outside it, 401 without a valid device key), read-only keys cannot change anything on
 * either port, a desk pairs with the code (run from the shell's code), a relay with its own
 * certificate obtains nothing, and a revoke ends the desk's open event stream.
 */

let s: Served;
let shareUrl: string;
let pin: Pin;
let check: string;

beforeAll(async () => {
  s = await serve({ env: { LUBDUB_SHARE: 'on', LUBDUB_SHARE_PORT: '0', LUBDUB_SHARE_HOST: '127.0.0.1' } });
  const office = (await (await s.api(API.office.path)).json()) as any;
  expect(office.share).toMatchObject({ on: true, locked: true });
  shareUrl = `https://127.0.0.1:${office.share.port}`;
  const cert = fs.readFileSync(path.join(s.dataDir, CERT_FILE), 'utf8');
  pin = { fingerprint: fingerprintOf(cert), cert };
  expect(office.share.fingerprint).toBe(pin.fingerprint);
  check = (await createCheck(s, { name: 'nightly backup', timeout: 3600 })).uuid;
});
afterAll(async () => {
  await s?.dispose();
});

/** The code the server's Settings shows now. */
async function shownCode(): Promise<string> {
  const office = (await (await s.api(API.office.path)).json()) as any;
  return office.pairing.code;
}

describe('the share port', () => {
  it('keeps its key and certificate in the data dir, readable by the user only', () => {
    for (const f of [CERT_FILE, KEY_FILE]) expect(fs.statSync(path.join(s.dataDir, f)).mode & 0o777).toBe(0o600);
  });

  it('presents the stored certificate, and answers nothing in plain HTTP', async () => {
    const port = new URL(shareUrl).port;
    const seen = await new Promise<string>((resolve, reject) => {
      const sock = tls.connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false }, () => {
        resolve(sock.getPeerCertificate().fingerprint256);
        sock.end();
      });
      sock.on('error', reject);
    });
    expect(seen).toBe(pin.fingerprint);
    const plain = await fetch(`http://127.0.0.1:${port}${API.listChecks.path}`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain === 'refused' || (typeof plain === 'number' && plain >= 400)).toBe(true);
  });

  it('refuses every route outside the device scope (403) and every request without a device key (401)', async () => {
    const f = pinnedFetch(pin);
    const at = (p: string, init: RequestInit = {}) => f(shareUrl + p, init).then(async (r) => [r.status, ((await r.json()) as { error: string }).error]);
    expect(await at(API.listChecks.path)).toEqual([401, 'missing device key']);
    expect(await at(API.listChecks.path, { headers: { 'x-api-key': 'made-up-key-0123456789' } })).toEqual([401, 'wrong device key']);
    // the full API key is for the loopback port only
    expect(await at(API.listChecks.path, { headers: { 'x-api-key': s.apiKey } })).toEqual([401, 'wrong device key']);
    const outside: [string, string][] = [
      ['GET', API.settings.path],
      ['POST', API.rotateKey.path],
      ['GET', API.channels.path],
      ['POST', API.createCheck.path],
      ['DELETE', pathOf(API.deleteCheck, { code: check })],
      ['POST', pathOf(API.updateCheck, { code: check })],
      ['GET', API.officeKeys.path],
      ['GET', API.office.path],
      ['POST', API.session.path],
      ['GET', '/'],
      ['GET', '/login?token=x'],
      ['GET', '/no/such/page'],
    ];
    for (const [method, p] of outside) {
      for (const key of [undefined, s.apiKey]) {
        const r = await f(shareUrl + p, { method, headers: key ? { 'x-api-key': key, 'content-type': 'application/json' } : {}, body: method === 'GET' ? undefined : '{}' });
        expect([method, p, r.status]).toEqual([method, p, 403]);
        await r.body?.cancel();
      }
    }
  });

  it('a read-only key reads on both ports and changes nothing on either', async () => {
    const made = (await (await s.api(API.createKey.path, { method: 'POST', json: { name: 'wall screen', scope: 'read' } })).json()) as { key: string; id: string };
    const f = pinnedFetch(pin);
    const before = await (await s.api(API.listChecks.path)).json();
    for (const base of [shareUrl, s.uiUrl]) {
      const get = base === shareUrl ? f : fetch;
      expect((await get(base + API.listChecks.path, { headers: { 'x-api-key': made.key } })).status).toBe(200);
      for (const [method, p, body] of [
        ['POST', pathOf(API.pauseCheck, { code: check }), '{}'],
        ['POST', API.mute.path, '{"seconds":60}'],
        ['POST', pathOf(API.checkMute, { uuid: check }), '{"seconds":60}'],
        ['DELETE', pathOf(API.deleteCheck, { code: check }), undefined],
        ['POST', API.createCheck.path, '{"name":"x"}'],
      ] as const) {
        const r = await get(base + p, { method, headers: { 'x-api-key': made.key, 'content-type': 'application/json' }, body });
        expect([base, method, p, r.status]).toEqual([base, method, p, 403]);
        await r.body?.cancel();
      }
    }
    expect(await (await s.api(API.listChecks.path)).json()).toEqual(before);
    expect((await s.api(pathOf(API.revokeKey, { id: made.id }), { method: 'DELETE' })).status).toBe(200);
  });
});

describe('pairing against the real service', () => {
  it('a relay with its own certificate obtains no key, and the desk refuses it', async () => {
    // The relay terminates TLS with its own certificate and forwards every request to the
    // real share port: the desk sees the relay's fingerprint, the server its own.
    const dir = tempDir('lubdub-mitm-');
    const own = await loadOrCreateIdentity(dir, 'Lubdub on office', Date.now());
    const upstream = new URL(shareUrl);
    const relay = https.createServer({ key: own.key, cert: own.cert }, (req, res) => {
      const out = https.request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, rejectUnauthorized: false },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const relayUrl = `https://127.0.0.1:${(relay.address() as AddressInfo).port}`;
    try {
      // the user types the right code the server shows: the relay still gets nothing
      let seenByDesk = '';
      const err = await pair(relayUrl, 'ana@desk', async (p) => {
        seenByDesk = p.fingerprint;
        return shownCode();
      }).catch((e) => e);
      expect(seenByDesk).toBe(own.fingerprint);
      expect(err).toBeInstanceOf(PairingError);
      expect([err.status, err.message]).toEqual([403, 'wrong code']);
      const keys = (await (await s.api(API.officeKeys.path)).json()) as { keys: { scope: string }[] };
      expect(keys.keys.filter((k) => k.scope === 'device')).toEqual([]);
      // a desk paired with the real server refuses the relay's certificate
      const paired = await pair(shareUrl, 'ana@desk', async () => shownCode());
      const viaRelay = await pinnedFetch(paired.pin)(relayUrl + API.listChecks.path, { headers: { 'x-api-key': paired.key } }).catch((e) => e);
      expect(viaRelay).toBeInstanceOf(IdentityChangedError);
      expect((await s.api(pathOf(API.revokeKey, { id: paired.keyId }), { method: 'DELETE' })).status).toBe(200);
    } finally {
      relay.closeAllConnections();
      await new Promise<void>((r) => relay.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a paired desk watches over the pinned connection; a revoke ends its open event stream', async () => {
    const paired = await pair(shareUrl, 'bo@laptop', async () => shownCode());
    const f = pinnedFetch(paired.pin);
    const headers = { 'x-api-key': paired.key };
    expect((await f(shareUrl + API.summary.path, { headers })).status).toBe(200);
    const paused = await f(shareUrl + pathOf(API.pauseCheck, { code: check }), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
    expect([paused.status, ((await paused.json()) as { status: string }).status]).toEqual([200, 'paused']);

    const ac = new AbortController();
    const res = await f(shareUrl + API.events.path, { headers, signal: ac.signal });
    expect(res.status).toBe(200);
    const events: string[] = [];
    let ended = false;
    const parser = new SseParser((m) => events.push(m.event));
    void (async () => {
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.push(dec.decode(value, { stream: true }));
        }
      } catch {}
      ended = true;
    })();
    try {
      await waitFor(() => events.includes('hello'));
      await s.api(pathOf(API.resumeCheck, { code: check }), { method: 'POST', json: {} });
      await waitFor(() => events.includes('check'));
      expect((await s.api(pathOf(API.revokeKey, { id: paired.keyId }), { method: 'DELETE' })).status).toBe(200);
      await waitFor(() => ended);
      expect((await f(shareUrl + API.summary.path, { headers })).status).toBe(401);
    } finally {
      ac.abort();
    }
  });
});
