/**
 * Run inside a private network namespace by test/blackbox/office-discover.test.ts: the real
 * service announces with sharing on; the desk's "Find on this network…" lists it, and the desk
 * pairs with the share port it found. Prints one JSON line. Never run on a real network.
 */
import { findLubdubs, matchesPrefix } from '../../electron/app/discover.js';
import { pair } from '../../electron/app/office.js';
import { serve } from './serve.js';

const s = await serve({ env: { LUBDUB_MDNS: 'on', LUBDUB_SHARE: 'on', LUBDUB_SHARE_PORT: '0' } });
try {
  const found = await findLubdubs(2500, { interface: '127.0.0.1', bind: '0.0.0.0' });
  const it = found[0];
  const paired = await pair(`https://127.0.0.1:${it.sharePort}`, 'desk in the namespace', async () => ((await (await s.api('/api/lubdub/office')).json()) as any).pairing.code);
  process.stdout.write(JSON.stringify({ found, matches: matchesPrefix(paired.pin.fingerprint, it.fingerprintPrefix), office: await (await s.api('/api/lubdub/office')).json() }) + '\n');
} finally {
  await s.dispose();
}
