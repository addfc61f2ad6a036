/**
 * Runs a compiled dist-electron/electron/app/main.js under Node with `electron` mapped to
 * the fake, waits for the shell to come up, prints what it saw as JSON, quits.
 * Usage: node --import tsx test/helpers/compiled/run-main.ts <path/to/main.js>
 */
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const fakeUrl = new URL('./fake-electron-module.ts', import.meta.url).href;
register(new URL('./electron-hook.mjs', import.meta.url).href, { data: { fakeUrl } });

const { fake } = (await import(fakeUrl)) as typeof import('./fake-electron-module.js');
await import(pathToFileURL(process.argv[2]).href);

const deadline = Date.now() + 20_000;
// Connected (the first tooltip is the "not connected" one) and the console window loaded.
const ready = () => fake.trays[0]?.tooltip && !fake.trays[0].tooltip.startsWith('Not connected') && fake.windows[0]?.loads.length;
while (!ready()) {
  if (Date.now() > deadline || fake.errors.length) break;
  await new Promise((r) => setTimeout(r, 50));
}
const report = {
  errors: fake.errors,
  tooltip: fake.trays[0]?.tooltip ?? null,
  trayImage: fake.trays[0]?.image.path ?? null,
  loads: fake.windows[0]?.loads ?? [],
  webPreferences: fake.windows[0]?.options.webPreferences ?? null,
  sessionCookies: [...fake.sessions.values()].flatMap((s) => s.cookieJar.map((c: { name: string }) => c.name)),
};
fake.app.quit();
const quitBy = Date.now() + 10_000;
while (!fake.app.quitted && Date.now() < quitBy) await new Promise((r) => setTimeout(r, 20));
const utilityProcesses = fake.utilityProcesses.map((p) => ({ modulePath: p.modulePath, exitCode: p.exitCode }));
console.log(`REPORT ${JSON.stringify({ ...report, quitted: fake.app.quitted, utilityProcesses })}`);
process.exit(0);
