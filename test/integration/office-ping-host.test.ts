import fs from 'node:fs';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { settingsFeature } from '../../electron/service/api/settings.js';
import { officeFeature } from '../../electron/service/office/feature.js';
import type { Announcement } from '../../electron/service/office/mdns.js';
import { API } from '../../shared/api/routes.js';
import { reachableHost } from '../../shared/domain/ping-url.js';
import { harness, recordEvents, type Harness } from '../helpers/in-process.js';

/**
 * Shown ping URLs use a host that resolves: `<hostname>.local` only while mDNS announces it,
 * else the LAN address, also when the switch changes while running (ping URLs follow on the
 * event stream). The real service in-process, its network interfaces and the mDNS
 * announcer injected (the real announcement is covered in the network-namespace tests).
 */

const LAN = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '00:00:00:00:00:00', cidr: '127.0.0.1/8' }],
  eth0: [
    { address: 'fe80::1', family: 'IPv6', internal: false, netmask: 'ffff:ffff:ffff:ffff::', mac: '02:00:00:00:00:01', cidr: 'fe80::1/64', scopeid: 2 },
    { address: '10.0.0.23', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '02:00:00:00:00:01', cidr: '10.0.0.23/24' },
  ],
} as unknown as ReturnType<typeof os.networkInterfaces>;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(o: { mdns: boolean; baseUrl?: string | null }) {
  const announced: { host: string; stopped: boolean }[] = [];
  const announce = (a: Announcement) => {
    const rec = { host: a.host, stopped: false };
    announced.push(rec);
    return { update: async () => {}, stop: async () => void (rec.stopped = true) };
  };
  const h: Harness = await harness({
    start: '2025-03-10T12:00:00Z',
    core: { aliveEveryMs: 0, network: { hostname: () => 'deskbox', interfaces: () => LAN } },
    features: [settingsFeature(), officeFeature({ announce })],
    config: { mdns: o.mdns, pingHost: '0.0.0.0', baseUrl: o.baseUrl ?? null },
  });
  cleanups.push(() => fs.rmSync(h.dataDir, { recursive: true, force: true }));
  cleanups.push(() => h.stop());
  recordEvents(h);
  const port = new URL(h.svc.pingListenUrl).port;
  const c = await h.api('POST', API.createCheck.path, { name: 'nightly', timeout: 3600, grace: 600 });
  expect(c.status).toBe(201);
  const pingUrl = async () => (await h.api('GET', API.getCheck.path.replace(':code', c.json.uuid))).json.ping_url as string;
  return { h, port, uuid: c.json.uuid as string, pingUrl, announced };
}

describe('the host in shown ping URLs', () => {
  it('is the LAN address while mDNS is off, <hostname>.local while it announces, and follows the switch at run time', async () => {
    const { h, port, uuid, pingUrl, announced } = await start({ mdns: false });
    expect(await pingUrl()).toBe(`http://10.0.0.23:${port}/ping/${uuid}`);
    expect((await h.api('GET', API.settings.path)).json.base_url_default).toBe(`http://10.0.0.23:${port}`);
    expect(announced).toEqual([]);

    // switched on in Settings: announced, and the stream tells consoles to re-read
    const local = `${os.hostname()}.local`;
    let r = await h.api('POST', API.saveOffice.path, { mdns: true });
    expect(r.status).toBe(200);
    expect(r.json.mdns.host).toBe(local);
    expect(announced.map((a) => a.host)).toEqual([local]);
    expect(await pingUrl()).toBe(`http://${local}:${port}/ping/${uuid}`);
    expect(h.events.filter((e) => e.type === 'settings').at(-1)?.data).toEqual({ base_url: `http://${local}:${port}`, base_url_default: `http://${local}:${port}` });

    // switched off: goodbye, and back to the address the LAN reaches
    r = await h.api('POST', API.saveOffice.path, { mdns: false });
    expect(r.json.mdns).toMatchObject({ on: false, host: null });
    expect(announced[0].stopped).toBe(true);
    expect(await pingUrl()).toBe(`http://10.0.0.23:${port}/ping/${uuid}`);
    expect(h.events.filter((e) => e.type === 'settings').at(-1)?.data).toEqual({ base_url: `http://10.0.0.23:${port}`, base_url_default: `http://10.0.0.23:${port}` });
  });

  it('is <hostname>.local from the start when mDNS is on (LUBDUB_MDNS default)', async () => {
    const { port, uuid, pingUrl, announced } = await start({ mdns: true });
    expect(announced).toHaveLength(1);
    expect(await pingUrl()).toBe(`http://${os.hostname()}.local:${port}/ping/${uuid}`);
  });

  it('never overrides an explicit base URL', async () => {
    const { h, uuid, pingUrl } = await start({ mdns: false, baseUrl: 'http://nas.example:8420' });
    expect(await pingUrl()).toBe(`http://nas.example:8420/ping/${uuid}`);
    const before = h.events.filter((e) => e.type === 'settings').length;
    await h.api('POST', API.saveOffice.path, { mdns: true });
    expect(await pingUrl()).toBe(`http://nas.example:8420/ping/${uuid}`);
    // the shown base did not change: no "re-read ping URLs" event for it
    expect(h.events.filter((e) => e.type === 'settings').length).toBe(before);
  });
});

describe('reachableHost', () => {
  const v4 = (address: string, internal = false) => ({ address, family: 'IPv4', internal });
  const v6 = (address: string, internal = false) => ({ address, family: 'IPv6', internal });
  it.each([
    ['announced', { announced: 'nas.local', pingHost: '0.0.0.0', interfaces: { eth0: [v4('10.0.0.2')] } }, 'nas.local'],
    ['bound address', { announced: null, pingHost: '192.168.1.9', interfaces: { eth0: [v4('10.0.0.2')] } }, '192.168.1.9'],
    ['first LAN IPv4', { announced: null, pingHost: '0.0.0.0', interfaces: { lo: [v4('127.0.0.1', true)], eth0: [v6('2001:db8::5'), v4('10.0.0.2')], wlan0: [v4('10.0.1.2')] } }, '10.0.0.2'],
    ['global IPv6, not link-local', { announced: null, pingHost: '::', interfaces: { eth0: [v6('fe80::2'), v6('2001:db8::5')] } }, '2001:db8::5'],
    ['hostname', { announced: null, pingHost: '0.0.0.0', interfaces: { lo: [v4('127.0.0.1', true)], eth0: [v6('fe80::2')] } }, 'deskbox'],
  ])('%s', (_name, f, want) => {
    expect(reachableHost({ hostname: 'deskbox', ...f })).toBe(want);
  });
});
