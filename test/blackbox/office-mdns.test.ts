import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/serve.js';

/**
 * mDNS without touching the LAN (shared/RECIPES.md): in a private network namespace with
 * multicast on its loopback and a veth pair of its own, the real service announces
 * `_lubdub._tcp` with its TXT fields, a bonjour-service browser there finds it, and the
 * goodbye sent on stop removes it.
 */

const NETNS_SETUP = [
  'ip link set lo up',
  'ip link set lo multicast on',
  'ip route add 224.0.0.0/4 dev lo',
  'ip link add veth0 type veth peer name veth1',
  'ip addr add 10.77.0.1/24 dev veth0',
  'ip link set veth0 up',
  'ip link set veth1 up',
].join(' && ');

const probe = spawnSync('unshare', ['--net', 'true'], { encoding: 'utf8' });
const canUnshare = probe.status === 0;
if (!canUnshare) console.warn(`SKIPPED the mDNS test: "unshare --net" is not permitted here (${(probe.stderr || String(probe.error)).trim()}); it needs root or CAP_SYS_ADMIN`);

describe.skipIf(!canUnshare)('mDNS announcement in a private network namespace', () => {
  it('announces _lubdub._tcp with version, instance id and fingerprint prefix; the goodbye removes it', async () => {
    const child = spawn('unshare', ['--net', 'bash', '-c', `${NETNS_SETUP} && exec "${process.execPath}" --import tsx test/helpers/mdns-probe.ts`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const lines = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(code, out).toBe(0);
    const found = lines.find((l) => l.up);
    const office = found.office;
    expect(found.up).toMatchObject({ type: 'lubdub', protocol: 'tcp', port: Number(new URL(found.pingUrl).port), host: office.mdns.host });
    expect(found.up.host).toMatch(/\.local$/);
    expect(found.up.addresses).toContain('10.77.0.1');
    expect(found.up.txt).toEqual({
      v: expect.stringMatching(/^\d+\.\d+\.\d+/),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      fp: office.share.fingerprint.replace(/:/g, '').slice(0, 16).toLowerCase(),
      share: String(office.share.port),
    });
    expect(office.mdns.on).toBe(true);
    expect(lines.some((l) => l.down?.name === found.up.name)).toBe(true);
  }, 60_000);
});
