import { KE1, KE2, KE3 } from '@cloudflare/opaque-ts';
import fc from 'fast-check';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityChangedError, pair, PairingError, pinnedFetch, type Paired } from '../../electron/app/office.js';
import { settingsFeature } from '../../electron/service/api/settings.js';
import { CERT_FILE, fingerprintOf } from '../../electron/service/office/cert.js';
import { officeFeature } from '../../electron/service/office/feature.js';
import { decodeKE2, encodeMessage, PairingClient, SUITE, unprovenKE3 } from '../../electron/service/office/opaque.js';
import { CODE_VALID_MS, LOCK_MS, MAX_STARTS_PER_MINUTE, MAX_WRONG } from '../../electron/service/office/pairing.js';
import { PAIR_API, PAIR_MESSAGE_BYTES } from '../../shared/api/office.js';
import { API } from '../../shared/api/routes.js';
import { harness, type Harness } from '../helpers/in-process.js';

/**
 * Pairing with a six-digit code, the desk's half run from the shell's code against the
 * real service (in-process, a fake clock) over its real TLS share port: the right code
 * pairs and pins, a wrong one fails and counts, five lock pairing for ten minutes, a code
 * expires after two; the OPAQUE messages of a wrong code give neither side a key.
 */

let h: Harness;
let shareUrl: string;
/** the share certificate's fingerprint as the server shows it */
let fingerprint: string;

beforeEach(async () => {
  h = await harness({ features: [settingsFeature(), officeFeature()], config: { share: true, sharePort: 0, shareHost: '127.0.0.1' } });
  const office = await h.api('GET', API.office.path);
  expect(office.json.share.on).toBe(true);
  shareUrl = `https://127.0.0.1:${office.json.share.port}`;
  fingerprint = office.json.share.fingerprint;
});
afterEach(async () => {
  await h.stop();
  fs.rmSync(h.dataDir, { recursive: true, force: true });
});

/** The code as the server's Settings shows it. */
async function shownCode(): Promise<string> {
  const office = await h.api('GET', API.office.path);
  expect(office.json.pairing).not.toBeNull();
  return office.json.pairing.code;
}

/** A pairing route called as a desk would, without the desk's checks (first contact: no pin yet). */
function post(route: { path: string }, json: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(json);
    const req = https.request(
      shareUrl + route.path,
      { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } },
      async (res) => {
        let text = '';
        for await (const chunk of res) text += chunk;
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const deviceKeys = async () => (await h.api('GET', API.officeKeys.path)).json.keys.filter((k: { scope: string }) => k.scope === 'device');

const wrongOf = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('pairing', () => {
  it('the right code gives the desk a device key and pins the stored certificate', async () => {
    let shown: { desk: string; fingerprint: string } | null = null;
    const paired = await pair(shareUrl, 'ana@desk', async (p) => {
      const office = await h.api('GET', API.office.path);
      shown = { desk: office.json.pairing.desk, fingerprint: p.fingerprint };
      return office.json.pairing.code;
    });
    const stored = fs.readFileSync(path.join(h.dataDir, CERT_FILE), 'utf8');
    expect(shown).toEqual({ desk: 'ana@desk', fingerprint: fingerprintOf(stored) });
    expect(paired.pin.fingerprint).toBe(fingerprintOf(stored));
    expect(fingerprintOf(paired.pin.cert)).toBe(paired.pin.fingerprint);
    const keys = (await h.api('GET', API.officeKeys.path)).json.keys;
    expect(keys).toMatchObject([{ id: paired.keyId, name: 'ana@desk', scope: 'device', last_from: '127.0.0.1' }]);
    // the code is used up and no longer shown
    expect((await h.api('GET', API.office.path)).json.pairing).toBeNull();

    const f = pinnedFetch(paired.pin);
    const r = await f(shareUrl + API.listChecks.path, { headers: { 'x-api-key': paired.key } });
    expect(r.status).toBe(200);
  });

  it('a wrong code fails without a key and counts; five lock pairing for ten minutes', async () => {
    for (let i = 1; i <= MAX_WRONG; i++) {
      const err = await pair(shareUrl, 'mallory', async () => wrongOf(await shownCode())).catch((e) => e);
      expect(err).toBeInstanceOf(PairingError);
      expect([err.status, err.message]).toEqual([403, 'wrong code']);
    }
    expect((await h.api('GET', API.officeKeys.path)).json.keys).toEqual([]);
    const locked = await pair(shareUrl, 'ana', async () => '000000').catch((e) => e);
    expect(locked.status).toBe(429);
    expect(locked.message).toMatch(/locked until/);
    expect((await h.api('GET', API.office.path)).json.locked_until).not.toBeNull();

    h.clock.advance(LOCK_MS - 1000);
    expect((await pair(shareUrl, 'ana', async () => '000000').catch((e) => e)).status).toBe(429);
    h.clock.advance(1000);
    const paired = await pair(shareUrl, 'ana', shownCode);
    expect(paired.key).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('a flood of pairing requests is refused past the per-minute cap, and pairing works again a minute later', async () => {
    for (let i = 0; i < MAX_STARTS_PER_MINUTE; i++) expect((await post(PAIR_API.start, { name: `flood ${i}` })).status).toBe(200);
    const refused = await post(PAIR_API.start, { name: 'one more' });
    expect([refused.status, refused.json.error]).toEqual([429, 'too many pairing requests: try again in a minute']);
    expect((await h.api('GET', API.office.path)).json.pairing.desk).toBe(`flood ${MAX_STARTS_PER_MINUTE - 1}`);
    h.clock.advance(60_000);
    const paired = await pair(shareUrl, 'ana', shownCode);
    expect(paired.key).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('a code is valid two minutes', async () => {
    const err = await pair(shareUrl, 'slow desk', async () => {
      const code = await shownCode();
      h.clock.advance(CODE_VALID_MS);
      return code;
    }).catch((e) => e);
    expect([err.status, err.message]).toEqual([410, 'the code expired: start again']);
    expect((await h.api('GET', API.office.path)).json.pairing).toBeNull();
    expect((await h.api('GET', API.officeKeys.path)).json.keys).toEqual([]);
  });

  it('a pinned desk refuses a server with another certificate', async () => {
    const paired: Paired = await pair(shareUrl, 'ana', shownCode);
    // the office machine's certificate is replaced (a reinstall, or an impostor on its address)
    await h.stop();
    fs.rmSync(path.join(h.dataDir, CERT_FILE));
    h = await harness({ dataDir: h.dataDir, features: [settingsFeature(), officeFeature()], config: { share: true, sharePort: 0, shareHost: '127.0.0.1' } });
    const port = (await h.api('GET', API.office.path)).json.share.port;
    const err = await pinnedFetch(paired.pin)(`https://127.0.0.1:${port}${API.listChecks.path}`, { headers: { 'x-api-key': paired.key } }).catch((e) => e);
    expect(err).toBeInstanceOf(IdentityChangedError);
  });
});

describe('the OPAQUE messages', () => {
  it('have the sizes the wire contract states', () => {
    expect(PAIR_MESSAGE_BYTES).toEqual({ ke1: KE1.sizeSerialized(SUITE), ke2: KE2.sizeSerialized(SUITE), ke3: KE3.sizeSerialized(SUITE) });
  });

  it('of a wrong code give neither side a key, nor does a replayed or random proof', async () => {
    // A proof from an exchange that did pair, to replay against later requests.
    let replay = '';
    {
      const started = (await post(PAIR_API.start, { name: 'ana' })).json;
      const desk = new PairingClient();
      const ke1 = encodeMessage(await desk.start(await shownCode()));
      const ke2 = decodeKE2((await post(PAIR_API.exchange, { session: started.session, ke1 })).json.ke2)!;
      const proven = (await desk.finish(ke2, { session: started.session, desk: 'ana', fingerprint: fingerprint }))!;
      replay = encodeMessage(proven.ke3);
      expect((await post(PAIR_API.confirm, { session: started.session, ke3: replay })).status).toBe(200);
    }
    expect(await deviceKeys()).toHaveLength(1);

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 999_999 }), fc.boolean(), async (offset, replayed) => {
        const started = (await post(PAIR_API.start, { name: 'mallory' })).json;
        const code = await shownCode();
        const wrong = String((Number(code) + offset) % 1_000_000).padStart(6, '0');
        const desk = new PairingClient();
        const ke1 = encodeMessage(await desk.start(wrong));
        const answer = await post(PAIR_API.exchange, { session: started.session, ke1 });
        expect(answer.status).toBe(200);
        // the desk: the server's answer proves nothing for a wrong code, so no session key
        const ke2 = decodeKE2(answer.json.ke2)!;
        expect(await desk.finish(ke2, { session: started.session, desk: 'mallory', fingerprint: fingerprint })).toBeNull();
        // the server: no proof it did not derive itself opens the key
        const done = await post(PAIR_API.confirm, { session: started.session, ke3: replayed ? replay : unprovenKE3() });
        expect(done).toEqual({ status: 403, json: { error: 'wrong code' } });
        expect(await deviceKeys()).toHaveLength(1);
        expect((await h.api('GET', API.office.path)).json.pairing).toBeNull();
      }),
      { numRuns: 3 },
    );
  });

  it('a KE1 that is not a valid message is refused with 400 and leaves the request usable', async () => {
    const started = (await post(PAIR_API.start, { name: 'ana' })).json;
    const notOnCurve = Buffer.alloc(PAIR_MESSAGE_BYTES.ke1, 0xff).toString('base64url');
    const bad = await post(PAIR_API.exchange, { session: started.session, ke1: notOnCurve });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/ke1/);
    const short = await post(PAIR_API.exchange, { session: started.session, ke1: 'AAAA' });
    expect(short.status).toBe(400);
    expect((await post(PAIR_API.confirm, { session: started.session, ke3: unprovenKE3() })).status).toBe(409);

    // the same request still pairs with its code
    const desk = new PairingClient();
    const ke1 = encodeMessage(await desk.start(await shownCode()));
    const ke2 = decodeKE2((await post(PAIR_API.exchange, { session: started.session, ke1 })).json.ke2)!;
    const proven = (await desk.finish(ke2, { session: started.session, desk: 'ana', fingerprint: fingerprint }))!;
    expect((await post(PAIR_API.confirm, { session: started.session, ke3: encodeMessage(proven.ke3) })).status).toBe(200);
    expect(await deviceKeys()).toHaveLength(1);
  });

  it('a desk that saw another certificate gets no key even with the right code, and the server counts it', async () => {
    const started = (await post(PAIR_API.start, { name: 'ana' })).json;
    const desk = new PairingClient();
    const ke1 = encodeMessage(await desk.start(await shownCode()));
    const ke2 = decodeKE2((await post(PAIR_API.exchange, { session: started.session, ke1 })).json.ke2)!;
    const relayed = 'AB:'.repeat(31) + 'AB';
    expect(await desk.finish(ke2, { session: started.session, desk: 'ana', fingerprint: relayed })).toBeNull();
    expect(await post(PAIR_API.confirm, { session: started.session, ke3: unprovenKE3() })).toEqual({ status: 403, json: { error: 'wrong code' } });
    expect(await deviceKeys()).toEqual([]);
  });
});
