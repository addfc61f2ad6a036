import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { settingsFeature } from '../../electron/service/api/settings.js';
import { CERT_FILE, fingerprintOf } from '../../electron/service/office/cert.js';
import { officeFeature } from '../../electron/service/office/feature.js';
import type { Announcement } from '../../electron/service/office/mdns.js';
import { API } from '../../shared/api/routes.js';
import { harness, type Harness } from '../helpers/in-process.js';

/**
 * The share certificate is made when something first needs it (Settings, sharing, the mDNS
 * announcement), not at every first start: making one loads @peculiar/x509, megabytes of
 * memory a service that never shares should not carry. The real service in-process, the
 * announcer injected.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(mdns: boolean) {
  const announced: Announcement[] = [];
  const announce = (a: Announcement) => {
    announced.push(a);
    return { update: async () => {}, stop: async () => {} };
  };
  const h: Harness = await harness({
    start: '2025-03-10T12:00:00Z',
    core: { aliveEveryMs: 0 },
    features: [settingsFeature(), officeFeature({ announce })],
    config: { mdns, share: false },
  });
  cleanups.push(() => fs.rmSync(h.dataDir, { recursive: true, force: true }));
  cleanups.push(() => h.stop());
  return { h, announced, certFile: path.join(h.dataDir, CERT_FILE) };
}

describe('the share certificate', () => {
  it('is not made by a start with sharing and mDNS off, and is made once when Settings first asks, however many ask at once', async () => {
    const { h, certFile } = await start(false);
    expect(fs.existsSync(certFile)).toBe(false);
    const answers = await Promise.all([1, 2, 3].map(() => h.api('GET', API.office.path)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const stored = fingerprintOf(fs.readFileSync(certFile, 'utf8'));
    expect(answers.map((a) => a.json.share.fingerprint)).toEqual([stored, stored, stored]);
    expect((await h.api('GET', API.office.path)).json.share.fingerprint).toBe(stored);
  });

  it('is made at start when the service announces itself, and the announcement carries its fingerprint', async () => {
    const { h, announced, certFile } = await start(true);
    expect(announced).toHaveLength(1);
    const stored = fingerprintOf(fs.readFileSync(certFile, 'utf8'));
    expect(announced[0].fingerprint).toBe(stored);
    expect((await h.api('GET', API.office.path)).json.share.fingerprint).toBe(stored);
  });
});
