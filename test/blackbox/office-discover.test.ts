import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/serve.js';

/**
 * "Find on this network…" from the desk's code, in a private network namespace (as the
 * mDNS announcement test): the desk lists the real service with its share port, pairs with
 * it, and the certificate it pinned matches the announced fingerprint prefix; the tray's
 * Watch menu does the same from its search to the paired target.
 */

const NETNS_SETUP = 'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && ip link add veth0 type veth peer name veth1 && ip addr add 10.77.0.1/24 dev veth0 && ip link set veth0 up && ip link set veth1 up';
const probe = spawnSync('unshare', ['--net', 'true'], { encoding: 'utf8' });
const canUnshare = probe.status === 0;
if (!canUnshare) console.warn(`SKIPPED the discovery test: "unshare --net" is not permitted here (${(probe.stderr || String(probe.error)).trim()}); it needs root or CAP_SYS_ADMIN`);

describe.skipIf(!canUnshare)('finding the office Lubdub on the network', () => {
  it('lists the announced service with its share port, and the pinned certificate matches its fingerprint prefix', async () => {
    const child = spawn('unshare', ['--net', 'bash', '-c', `${NETNS_SETUP} && exec "${process.execPath}" --import tsx test/helpers/mdns-discover-probe.ts`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).toBe(0);
    const result = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!);
    expect(result.found).toHaveLength(1);
    expect(result.found[0]).toMatchObject({ host: result.office.mdns.host, sharePort: result.office.share.port, addresses: expect.arrayContaining(['10.77.0.1']) });
    expect(result.matches).toBe(true);
    // the tray's Watch menu: it lists the service (name and host), pairs at the announced
    // address with the code the server shows, and pins the same certificate
    expect(result.menu.listed).toEqual([{ id: result.found[0].instance, name: result.found[0].name, host: result.office.mdns.host, shared: true }]);
    expect(result.menu.ok).toBe(true);
    expect(result.menu.asked).toEqual([`Pair with ${result.found[0].name}`]);
    expect(result.menu.url).toBe(`https://10.77.0.1:${result.office.share.port}`);
    expect(result.menu.pinned).toBe(result.office.share.fingerprint);
    // while mDNS announces it, ping URLs show the announced name
    expect(result.baseUrlDefault).toMatch(new RegExp(`^http://${result.office.mdns.host.replace(/\./g, '\\.')}:\\d+$`));
  }, 60_000);
});
