/**
 * healthchecks-compatible status badges on the ping port, from the real service in-process on
 * a fake clock, read over real sockets: every SVG is parsed as XML, every JSON checked field
 * by field, in each state.
 */
import fs from 'node:fs';
import { JSDOM } from 'jsdom';
import { afterEach, describe, expect, it } from 'vitest';
import { settingsFeature } from '../../electron/service/api/settings.js';
import { integrationsFeature } from '../../electron/service/integrations/feature.js';
import { harness, type Harness } from '../helpers/in-process.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  if (h) fs.rmSync(h.dataDir, { recursive: true, force: true });
  h = null;
});

const T0 = Date.parse('2024-05-01T10:00:00Z');

async function start(): Promise<Harness> {
  h = await harness({ start: T0, core: { aliveEveryMs: 0 }, features: [settingsFeature(), integrationsFeature({ allChecksLabel: 'all checks' })] });
  return h;
}

async function check(body: Record<string, unknown>): Promise<string> {
  const r = await h!.api('POST', '/api/v3/checks/', body);
  expect(r.status).toBe(201);
  return r.json.uuid as string;
}

/** GET over the real socket. */
async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(base + path, { headers });
}

function svgErrors(svg: string): string[] {
  const doc = new new JSDOM('').window.DOMParser().parseFromString(svg, 'image/svg+xml');
  const errs = [...doc.getElementsByTagName('parsererror')].map((e) => e.textContent ?? 'parser error');
  if (doc.documentElement.nodeName !== 'svg') errs.push(`root is ${doc.documentElement.nodeName}`);
  return errs;
}

describe('status badges on the ping port', () => {
  async function badges(): Promise<{ key: string; base: string; late: string; down: string }> {
    await start();
    const key = (await h!.api('GET', '/api/lubdub/settings')).json.badge_key as string;
    expect(key).toMatch(/^[a-z0-9]{32}$/);
    const late = await check({ name: 'late one', tags: 'office prod', timeout: 60, grace: 600, channels: '' });
    const ok = await check({ name: 'fine', tags: 'office', timeout: 3600, grace: 60, channels: '' });
    const down = await check({ name: 'broken', tags: 'prod', timeout: 3600, grace: 60, channels: '' });
    for (const u of [late, ok, down]) expect(await h!.ping(u)).toBe(200);
    expect(await h!.ping(down, '/fail')).toBe(200);
    h!.timers.advance(61_000);
    return { key, base: `${h!.svc.pingListenUrl}/badge/${key}`, late, down };
  }

  it('SVG in each state is valid XML with the state in words; -2 folds late into up', async () => {
    const b = await badges();
    const cases: [string, string][] = [
      ['office.svg', 'late'],
      ['office-3.svg', 'late'],
      ['office-2.svg', 'up'],
      ['prod.svg', 'down'],
      ['prod-2.svg', 'down'],
      ['nosuchtag.svg', 'up'],
      ['*.svg', 'down'],
    ];
    for (const [file, state] of cases) {
      const r = await get(b.base, `/${file}`);
      expect([file, r.status, r.headers.get('content-type')]).toEqual([file, 200, 'image/svg+xml; charset=utf-8']);
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      const svg = await r.text();
      expect([file, svgErrors(svg)]).toEqual([file, []]);
      expect([file, /<title>([^<]*)<\/title>/.exec(svg)?.[1]]).toEqual([
        file,
        `${file.startsWith('*') ? 'all checks' : file.replace(/(-[23])?\.svg$/, '')}: ${state}`,
      ]);
    }
  });

  it('JSON and shields endpoints give healthchecks\' fields in each state', async () => {
    const b = await badges();
    const json = async (file: string) => {
      const r = await get(b.base, `/${file}`);
      expect(r.status).toBe(200);
      return r.json();
    };
    expect(await json('office.json')).toEqual({ status: 'late', total: 2, grace: 1, down: 0 });
    expect(await json('office-2.json')).toEqual({ status: 'up', total: 2, grace: 1, down: 0 });
    expect(await json('prod.json')).toEqual({ status: 'down', total: 2, grace: 1, down: 1 });
    expect(await json('nosuchtag.json')).toEqual({ status: 'up', total: 0, grace: 0, down: 0 });
    expect(await json('*.json')).toEqual({ status: 'down', total: 3, grace: 1, down: 1 });
    expect(await json('office.shields')).toEqual({ schemaVersion: 1, label: 'office', message: 'late', color: 'important' });
    expect(await json('office-2.shields')).toEqual({ schemaVersion: 1, label: 'office', message: 'up', color: 'success' });
    expect(await json('prod.shields')).toEqual({ schemaVersion: 1, label: 'prod', message: 'down', color: 'critical' });
    // healthchecks' own URL form: /badge/<key>/<8-char signature>[-2]/<tag>.<fmt>
    expect(await json('abcdEFGH/office.json')).toMatchObject({ status: 'late' });
    expect(await json('abcdEFGH-2/office.json')).toMatchObject({ status: 'up' });
  });

  it('a wrong badge key, a bad format or a bad signature is 404 and says nothing; a rotated key retires the old URLs', async () => {
    const b = await badges();
    for (const url of [
      `${h!.svc.pingListenUrl}/badge/${'x'.repeat(32)}/prod.svg`,
      `${h!.svc.pingListenUrl}/badge/${b.key.slice(0, -1)}/prod.json`,
      `${b.base}/prod.png`,
      `${b.base}/.svg`,
      `${b.base}/bad!sig/prod.svg`,
    ]) {
      const r = await get(url, '');
      expect([url, r.status, await r.text()]).toEqual([url, 404, 'not found']);
    }
    const rotated = await h!.api('POST', '/api/lubdub/keys/rotate', { which: 'badge_key' });
    expect(rotated.status).toBe(200);
    expect(rotated.json.value).not.toBe(b.key);
    expect((await get(b.base, '/prod.svg')).status).toBe(404);
    expect((await get(`${h!.svc.pingListenUrl}/badge/${rotated.json.value}`, '/prod.svg')).status).toBe(200);
    // the key is stored with the other keys and survives a restart
    const keys = JSON.parse(fs.readFileSync(`${h!.dataDir}/keys.json`, 'utf8'));
    expect(keys.badgeKey).toBe(rotated.json.value);
  });
});
