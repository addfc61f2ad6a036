/**
 * Run inside a private network namespace by test/blackbox/office-mdns.test.ts: starts the
 * real service with mDNS on, browses for `_lubdub._tcp` with bonjour-service, prints what it
 * found as one JSON line, stops the service and prints the goodbye it saw. Never run on a
 * machine's real network (it would announce there).
 */
import { Bonjour } from 'bonjour-service';
import { serve } from './serve.js';

const say = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
const s = await serve({ env: { LUBDUB_MDNS: 'on', LUBDUB_SHARE: 'on', LUBDUB_SHARE_PORT: '0' } });
// bound to loopback, the browser needs the wildcard bind to receive (shared/RECIPES.md)
const bonjour = new Bonjour({ interface: '127.0.0.1', bind: '0.0.0.0' } as object);
const timeout = setTimeout(async () => {
  say({ error: 'timed out', output: s.output() });
  await s.dispose();
  process.exit(1);
}, 20_000);
let stopping = false;
const browser = bonjour.find({ type: 'lubdub' });
browser.on('up', async (svc) => {
  if (stopping) return;
  stopping = true;
  const office = await (await s.api('/api/lubdub/office')).json();
  say({ up: { name: svc.name, host: svc.host, port: svc.port, txt: svc.txt, addresses: svc.addresses, type: svc.type, protocol: svc.protocol }, office, pingUrl: s.pingUrl });
  await s.stop();
});
browser.on('down', async (svc) => {
  say({ down: { name: svc.name } });
  clearTimeout(timeout);
  browser.stop();
  bonjour.destroy();
  await s.dispose();
  process.exit(0);
});
