/**
 * Run inside a private network namespace by test/blackbox/office-discover.test.ts: the real
 * service announces with sharing on; the desk's "Find on this network…" lists it, and the desk
 * pairs with the share port it found, once with `pair()` and once through the tray's Watch
 * menu (its search, its choice of address, its code prompt answered with the server's code).
 * Prints one JSON line. Never run on a real network.
 */
import { findLubdubs, matchesPrefix } from '../../electron/app/discover.js';
import { pair, type Paired } from '../../electron/app/office.js';
import type { Prompt } from '../../electron/app/prompt.js';
import { WatchMenu } from '../../electron/app/watch.js';
import { serve } from './serve.js';

const BONJOUR = { interface: '127.0.0.1', bind: '0.0.0.0' };
const s = await serve({ env: { LUBDUB_MDNS: 'on', LUBDUB_SHARE: 'on', LUBDUB_SHARE_PORT: '0' } });
try {
  const office = async () => (await (await s.api('/api/lubdub/office')).json()) as any;
  const found = await findLubdubs(2500, BONJOUR);
  const it = found[0];
  const paired = await pair(`https://127.0.0.1:${it.sharePort}`, 'desk in the namespace', async () => (await office()).pairing.code);

  // The Watch menu: search, choose, the code page answered with the code the server shows.
  const asked: string[] = [];
  const prompt: Prompt = {
    ask: async (page) => {
      asked.push(page.title);
      return page.field?.kind === 'code' ? (await office()).pairing.code : null;
    },
    close: () => {},
    currentPage: () => null,
  };
  let viaMenu: Paired | null = null;
  const menu = new WatchMenu({
    prompt,
    deskName: 'menu desk',
    find: () => findLubdubs(2500, BONJOUR),
    pair,
    watchPaired: (p) => (viaMenu = p),
    changed: () => {},
    showResults: () => {},
    timeOfDay: (at) => new Date(at).toISOString(),
  });
  await menu.find();
  const listed = menu.state().found!;
  const ok = await menu.choose(listed[0].id);
  const menuPaired = viaMenu as Paired | null;
  const settings = (await (await s.api('/api/lubdub/settings')).json()) as any;
  process.stdout.write(
    JSON.stringify({
      found,
      matches: matchesPrefix(paired.pin.fingerprint, it.fingerprintPrefix),
      office: await office(),
      menu: { listed, ok, asked, url: menuPaired?.url ?? null, pinned: menuPaired?.pin.fingerprint ?? null },
      baseUrlDefault: settings.base_url_default,
    }) + '\n',
  );
} finally {
  await s.dispose();
}
