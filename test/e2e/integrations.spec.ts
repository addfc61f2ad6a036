import AxeBuilder from '@axe-core/playwright';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { API } from '../../shared/api/routes.js';
import { serve, type Served } from '../helpers/serve.js';

/**
 * The integrations in the console, against real services: Settings → Import (preview, then
 * import) from a second real Lubdub as the healthchecks side, a wrong key's one-line error,
 * the upstream field of the check editor with the relay state on the check page, the
 * "Lubdub itself" heartbeat, and the badge URLs with Rotate.
 */

let me: Served;
let hc: Served;
let context: BrowserContext;
let page: Page;
// the login URL works once: one browser context logged in for every test here
test.describe.configure({ mode: 'serial' });
test.beforeAll(async ({ browser }) => {
  [me, hc] = await Promise.all([serve(), serve()]);
  context = await browser.newContext();
  page = await context.newPage();
  await page.goto(me.loginUrl);
});
test.afterAll(async () => {
  await context?.close();
  await me?.dispose();
  await hc?.dispose();
});

const json = async (r: Promise<Response>): Promise<any> => (await r).json();
const checksOf = async (s: Served) => (await json(s.api('/api/v3/checks/'))).checks as { uuid: string; name: string; tags: string; relay?: unknown }[];

async function settings() {
  await page.goto(`${me.uiUrl}/settings`);
}

async function expectAccessible(where: string) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), where).toEqual([]);
}

test('Settings → Import: a wrong key is one line and writes nothing; Preview writes nothing; Import creates the checks with their uuids', async () => {
  for (const c of [
    { name: 'db backup', tags: 'prod', timeout: 3600 },
    { name: 'report', schedule: '15 5 * * 1-5', tz: 'Europe/Riga' },
  ]) {
    expect((await hc.api('/api/v3/checks/', { method: 'POST', json: { ...c, channels: '' } })).status).toBe(201);
  }
  const theirs = await checksOf(hc);
  await settings();
  const imp = page.getByTestId('import-settings');
  await imp.getByLabel('Base URL').fill(hc.uiUrl);
  await imp.getByLabel('Its API key (read-only is enough)').fill('not-the-key');
  await imp.getByRole('button', { name: 'Preview' }).click();
  await expect(imp.getByTestId('import-error')).toHaveText(`${hc.uiUrl} refused the API key (HTTP 401)`);
  await expect(imp.getByRole('button', { name: 'Import' })).toBeDisabled();

  await imp.getByLabel('Its API key (read-only is enough)').fill(hc.apiKey);
  await imp.getByRole('button', { name: 'Preview' }).click();
  const report = imp.getByTestId('import-report');
  await expect(report).toContainText('Preview, nothing written: 2 to create, 0 to update, 0 unchanged.');
  await expect(report.getByRole('listitem')).toHaveText([/^would create db backup/, /^would create report/]);
  expect(await checksOf(me)).toEqual([]);
  await expectAccessible('Settings with an import preview');

  await imp.getByRole('button', { name: 'Import' }).click();
  await expect(report).toContainText('Imported: 2 to create');
  await expect(report.getByRole('listitem')).toHaveText([/^created db backup/, /^created report/]);
  expect((await checksOf(me)).map((c) => c.uuid)).toEqual(theirs.map((c) => c.uuid));
  // the console heard of them on the event stream: the overview lists them without a reload
  await page.getByRole('link', { name: 'Overview' }).first().click();
  await expect(page.getByRole('link', { name: 'db backup' }).first()).toBeVisible();
});

test('the check editor takes an upstream (checked by the shared rule) and the check page shows the relay state', async () => {
  const target = (await json(hc.api('/api/v3/checks/', { method: 'POST', json: { name: 'mirror', channels: '' } }))) as { uuid: string };
  await page.goto(`${me.uiUrl}/checks/new`);
  await page.getByLabel('Name').fill('relayed job');
  const upstream = page.getByLabel('Relay pings to (upstream ping URL)');
  await upstream.fill('ftp://example.com/x');
  await page.getByRole('button', { name: 'Create check' }).click();
  await expect(page.getByText('The upstream must be an http or https URL.')).toBeVisible();
  expect((await checksOf(me)).some((c) => c.name === 'relayed job')).toBe(false);

  await upstream.fill(`${hc.pingUrl}/ping/${target.uuid}`);
  await page.getByRole('button', { name: 'Create check' }).click();
  const state = page.getByTestId('relay-state');
  await expect(state).toContainText(`Relayed to ${hc.pingUrl}/ping/${target.uuid}: nothing forwarded yet`);
  const mine = (await checksOf(me)).find((c) => c.name === 'relayed job')!;
  expect((await fetch(`${me.pingUrl}/ping/${mine.uuid}`, { method: 'POST' })).status).toBe(200);
  await expect(state).toContainText('forwarded up to ping #1');
  await expect.poll(async () => (await json(hc.api(`/api/v3/checks/${target.uuid}`))).n_pings).toBe(1);
  await expectAccessible('check page with a relay');
});

test('Settings: the "Lubdub itself" heartbeat is set at run time and shows when it was last sent', async () => {
  const target = (await json(hc.api('/api/v3/checks/', { method: 'POST', json: { name: 'lubdub itself', channels: '' } }))) as { uuid: string };
  await settings();
  const hb = page.getByTestId('heartbeat-settings');
  await expect(hb.getByTestId('heartbeat-status')).toHaveText('Off.', { timeout: 15_000 });
  await hb.getByLabel('Heartbeat ping URL').fill('ftp://x');
  await hb.getByRole('button', { name: 'Save heartbeat' }).click();
  await expect(hb.getByRole('alert')).toHaveText('url must be an http or https URL');
  await hb.getByLabel('Heartbeat ping URL').fill(`${hc.pingUrl}/ping/${target.uuid}`);
  await hb.getByLabel('Every (minutes)').fill('3');
  await hb.getByRole('button', { name: 'Save heartbeat' }).click();
  await expect(hb.getByRole('status')).toHaveText('Saved: the first heartbeat goes now.');
  await expect.poll(async () => (await json(hc.api(`/api/v3/checks/${target.uuid}`))).n_pings).toBe(1);
  await expect(hb.getByTestId('heartbeat-status')).toContainText('Last sent:', { timeout: 15_000 });
  await expect(hb.getByTestId('heartbeat-status')).not.toContainText('not yet', { timeout: 15_000 });
  expect(await json(me.api(API.heartbeat.path))).toMatchObject({ url: `${hc.pingUrl}/ping/${target.uuid}`, minutes: 3, last_error: null });
});

test('Settings: badge URLs per tag and for all checks, served on the ping port, and Rotate makes new ones', async () => {
  expect((await me.api('/api/v3/checks/', { method: 'POST', json: { name: 'tagged', tags: 'nas', channels: '' } })).status).toBe(201);
  const before = (await json(me.api(API.settings.path))) as { badge_key: string; base_url: string };
  await settings();
  const badges = page.getByTestId('badge-settings');
  await expect(badges.getByTestId('badge-*-svg')).toHaveText(`${before.base_url}/badge/${before.badge_key}/*.svg`);
  await expect(badges.getByTestId('badge-nas-shields')).toHaveText(`${before.base_url}/badge/${before.badge_key}/nas.shields`);
  // the same path answers on the ping port
  const svg = await fetch(`${me.pingUrl}/badge/${before.badge_key}/nas.svg`);
  expect([svg.status, svg.headers.get('content-type')]).toEqual([200, 'image/svg+xml; charset=utf-8']);
  await expectAccessible('Settings with badges');

  await badges.getByRole('button', { name: 'Rotate badge key…' }).click();
  await page.getByRole('button', { name: 'Rotate', exact: true }).click();
  await expect(page.getByText('New badge key made: badge URLs changed.')).toBeVisible();
  const after = (await json(me.api(API.settings.path))) as { badge_key: string };
  expect(after.badge_key).not.toBe(before.badge_key);
  await expect(badges.getByTestId('badge-*-svg')).toHaveText(`${before.base_url}/badge/${after.badge_key}/*.svg`);
  expect((await fetch(`${me.pingUrl}/badge/${before.badge_key}/nas.svg`)).status).toBe(404);
});
