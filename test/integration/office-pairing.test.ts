import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityChangedError, pair, PairingError, pinnedFetch, type Paired } from '../../electron/app/office.js';
import { settingsFeature } from '../../electron/service/api/settings.js';
import { CERT_FILE, fingerprintOf } from '../../electron/service/office/cert.js';
import { officeFeature } from '../../electron/service/office/feature.js';
import { CODE_VALID_MS, LOCK_MS, MAX_WRONG } from '../../electron/service/office/pairing.js';
import { API } from '../../shared/api/routes.js';
import { harness, type Harness } from '../helpers/in-process.js';

/**
 * Pairing with a six-digit code, the desk's half run from the shell's code against the
 * real service (in-process, a fake clock) over its real TLS share port: the right code
 * pairs and pins, a wrong one fails and counts, five lock pairing for ten minutes, a code
 * expires after two.
 */

let h: Harness;
let shareUrl: string;

beforeEach(async () => {
  h = await harness({ features: [settingsFeature(), officeFeature()], config: { share: true, sharePort: 0, shareHost: '127.0.0.1' } });
  const office = await h.api('GET', API.office.path);
  expect(office.json.share.on).toBe(true);
  shareUrl = `https://127.0.0.1:${office.json.share.port}`;
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
