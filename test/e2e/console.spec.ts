import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createCheck, ROOT, serve, type Served } from '../helpers/serve.js';
import { runOk } from '../helpers/run.js';

// The docs show these: every e2e run draws them again, in light and in dark.
const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const XSS = '<img src=x onerror=alert(1)>';

/** Writes a screenshot of the page in light and in dark (the OS preference, via colorScheme), as docs/screenshots/<name>-<scheme>.png. */
async function screenshots(page: Page, name: string, fullPage = false): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  // The header is sticky: a full-page shot taken while scrolled would paint it mid-page.
  if (fullPage) await page.evaluate("scrollTo(0, 0)");
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`), fullPage });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/**
 * axe-core over the page as it stands, in light and in dark: every WCAG 2.x A/AA violation
 * is listed with its rule and the elements it found, so a failure says what to fix.
 */
async function expectAccessible(page: Page, where: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    const found = r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
    expect.soft(found, `axe-core on ${where} in ${scheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** The JSON body of a response (tests read it loosely). */
async function json(r: Response | Promise<Response>): Promise<any> {
  return (await r).json();
}

const ping = (s: Served, uuid: string, suffix = '', body?: string) =>
  fetch(`${s.pingUrl}/ping/${uuid}${suffix}`, { method: body === undefined ? 'GET' : 'POST', body }).then((r) => {
    expect(r.status).toBe(200);
  });

/** A local webhook receiver: records every POST body as JSON. */
async function hookReceiver(): Promise<{ url: string; posts: any[]; close: () => Promise<void> }> {
  const posts: any[] = [];
  const server = http.createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      posts.push(JSON.parse(b));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, posts, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A restic-like `restic backup` summary that added `added` to the repository. */
const resticOutput = (added: string) =>
  ['using parent snapshot 4a8c1f2e', 'Files:           0 new,     0 changed,  1023 unmodified', `Added to the repository: ${added} (${added} stored)`, 'snapshot 8f2d1a3b saved'].join('\n');

test.describe.configure({ mode: 'serial' });

test.describe('the console, as a new user meets it', () => {
  let s: Served;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];

  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    s = await serve();
    context = await browser.newContext();
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  test.afterAll(async () => {
    await context?.close();
    await s?.stop();
  });

  test('without a session the console is refused and says how to log in', async ({ browser }) => {
    const stranger = await browser.newContext();
    const p = await stranger.newPage();
    const r = await p.goto(s.uiUrl + '/');
    expect(r!.status()).toBe(401);
    await expect(p.getByRole('heading', { name: 'Log in to Lubdub' })).toBeVisible();
    await expect(p.locator('#root')).toHaveCount(0);
    await stranger.close();
  });

  test('logs in with the one-time URL printed at start', async () => {
    await page.goto(s.loginUrl);
    await expect(page).toHaveURL(s.uiUrl + '/');
    await expect(page.getByTestId('headline')).toHaveText('No checks yet');
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    const cookie = (await context.cookies()).find((c) => c.name === 'lubdub_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
  });

  let uuid = '';
  test('creates a cron check in the editor, which explains the schedule', async () => {
    await page.getByRole('link', { name: 'Create your first check' }).click();
    await expect(page.getByRole('heading', { name: 'New check' })).toBeVisible();
    await page.getByLabel('Name').fill('nightly backup');
    await page.getByLabel('Tags').fill('nas backup');
    await page.getByLabel('Cron schedule').check();
    // the timezone picker starts on the browser's zone
    await expect(page.getByLabel('Timezone')).toHaveValue('Europe/Berlin');
    await page.getByLabel('Cron expression').fill('* 9 * * *');
    await expect(page.getByTestId('cron-warning')).toContainText('60 runs a day');
    await page.getByLabel('Cron expression').fill('0 3 * * *');
    await expect(page.getByTestId('cron-desc')).toHaveText('At 03:00 every day (Europe/Berlin)');
    await expect(page.getByTestId('cron-warning')).toHaveCount(0);
    await expect(page.getByTestId('next-runs').getByRole('listitem')).toHaveCount(5);
    await expect(page.getByTestId('next-runs').getByRole('listitem').first()).toContainText('03:00');
    await page.getByLabel('Grace').fill('2 h');
    await page.getByLabel('Grace').blur();
    // the schedule part, just below the sticky header
    await page.getByLabel('Simple period').evaluate((el) => {
      el.closest('fieldset')!.scrollIntoView();
      (globalThis as unknown as { scrollBy: (x: number, y: number) => void }).scrollBy(0, -70);
    });
    await screenshots(page, 'editor');
    await page.getByRole('button', { name: 'Create check' }).click();
    await expect(page).toHaveURL(/\/checks\/[0-9a-f-]{36}$/);
    uuid = page.url().split('/').pop()!;
    await expect(page.getByRole('heading', { name: /nightly backup/ })).toBeVisible();
    await expect(page.getByText('At 03:00 every day (Europe/Berlin), grace 2 h')).toBeVisible();
    const check = await json(s.api(`/api/v3/checks/${uuid}`));
    expect(check).toMatchObject({ name: 'nightly backup', tags: 'nas backup', schedule: '0 3 * * *', tz: 'Europe/Berlin', grace: 7200, status: 'new' });
  });

  test('a check can be created with the keyboard alone', async () => {
    await page.goto(s.uiUrl + '/');
    // Tab from the top of the page to "New check", open it, type, submit with Enter
    const focusedText = () => page.evaluate<string>("document.activeElement?.textContent?.trim() ?? ''");
    for (let i = 0; i < 20 && (await focusedText()) !== 'New check'; i++) await page.keyboard.press('Tab');
    expect(await focusedText()).toBe('New check');
    await expect(page.locator(':focus')).toHaveCSS('outline-style', 'solid');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'New check' })).toBeVisible();
    for (let i = 0; i < 20 && !(await page.getByLabel('Name').evaluate((el) => el.matches(':focus'))); i++) await page.keyboard.press('Tab');
    await page.keyboard.type('typed by keyboard');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/checks\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { name: /typed by keyboard/ })).toBeVisible();
    const made = page.url().split('/').pop()!;
    expect((await s.api(`/api/v3/checks/${made}`, { method: 'DELETE' })).status).toBe(200);
  });

  test('shows the API\'s validation error beside the field', async () => {
    await page.goto(`${s.uiUrl}/checks/${uuid}/edit`);
    await page.getByLabel('Slug').fill('Not A Slug');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByRole('alert')).toHaveText('slug does not match pattern ^[a-z0-9-_]+$');
    await expect(page.getByLabel('Slug')).toHaveAttribute('aria-invalid', 'true');
    await expectAccessible(page, 'the editor with an error');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page).toHaveURL(`${s.uiUrl}/checks/${uuid}`);
  });

  test('a ping sent with an HTTP client shows up live, within a second, without reload', async () => {
    await page.getByRole('link', { name: 'Overview' }).first().click();
    const row = page.locator(`a.row[data-uuid="${uuid}"]`);
    await expect(row.locator('.status-word')).toHaveText('New');
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    const sent = Date.now();
    await ping(s, uuid, '', 'backup ok: 1.2 GB written');
    await expect(row.locator('.status-word')).toHaveText('Up', { timeout: 1000 });
    const ms = Date.now() - sent;
    await expect(row.locator('.pill[data-kind="success"]')).toHaveCount(1);
    await expect(row.locator('.col-last')).toHaveText(/just now|\d+ s ago/);
    // same document: no reload happened
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
    console.log(`ping → row turned Up in ${ms} ms`);
  });

  test('a body of <img src=x onerror=alert(1)> is shown as text and no dialog fires', async () => {
    await ping(s, uuid, '/log', XSS);
    await page.locator(`a.row[data-uuid="${uuid}"]`).click();
    await expect(page).toHaveURL(`${s.uiUrl}/checks/${uuid}`);
    const previews = page.getByTestId('body-preview');
    await expect(previews.first()).toHaveText(XSS);
    await expect(previews.nth(1)).toHaveText('backup ok: 1.2 GB written');
    await page.getByRole('button', { name: /^Show/ }).first().click();
    await expect(page.getByTestId('body-full')).toHaveText(XSS);
    await expect(page.locator('main img')).toHaveCount(0);
    // hovering the heartbeat pill shows the same text
    await page.getByRole('link', { name: 'Overview' }).first().click();
    const pill = page.locator(`a.row[data-uuid="${uuid}"] .pill[data-kind="log"]`);
    await expect(pill).toHaveAttribute('title', new RegExp(`\\n${XSS.replace(/[()]/g, '\\$&')}$`));
    await pill.hover();
    // A marker image that fails as the injected one would (same page, same kind of URL) and
    // says so with a dialog: once its dialog is in, an injected one would be in before it.
    await page.evaluate(() => {
      const w = globalThis as unknown as { Image: new () => { onerror: () => void; src: string }; alert: (m: string) => void };
      const marker = new w.Image();
      marker.onerror = () => w.alert('marker');
      marker.src = 'x?marker';
    });
    await expect.poll(() => dialogs.includes('marker')).toBe(true);
    expect(dialogs.splice(0)).toEqual(['marker']);
  });

  test('the detail shows the ping with its body, the timeline and the download of raw bytes', async () => {
    // a few timed runs for the durations chart
    for (let i = 0; i < 4; i++) {
      await ping(s, uuid, '/start');
      await ping(s, uuid, '', `run ${i}: 12${i} files`);
    }
    await page.goto(`${s.uiUrl}/checks/${uuid}`);
    const log = page.locator('table.log tbody tr.ping');
    await expect(log).toHaveCount(10);
    const first = log.first();
    await expect(first.locator('.kind')).toHaveText('Success');
    await expect(first).toContainText('127.0.0.1');
    await expect(first).toContainText('POST');
    await expect(first).toContainText('node');
    const durations = page.getByRole('figure', { name: /Run durations: 4 runs/ });
    await expect(durations).toBeVisible();
    // the chart (uPlot) has a time axis and a value axis in seconds, and hover values in its legend
    await expect(durations.locator('canvas')).toHaveCount(1);
    await expect(durations).toHaveAttribute('data-y-ticks', /^0 s \| /);
    await expect(durations).toHaveAttribute('data-x-ticks', /\d\d:\d\d/);
    const over = durations.locator('.u-over');
    await over.hover({ position: { x: 10, y: 10 } });
    await over.hover({ position: { x: (await over.boundingBox())!.width - 4, y: 20 } });
    await expect(durations.locator('.u-legend'), await durations.locator('.u-legend').innerHTML()).toContainText(/\d+ (ms|s)/);
    // the timeline at every range: bands with their words, a mark per ping with a card on hover
    const timeline = page.getByRole('group', { name: /Timeline: 10 pings/ });
    await expect(timeline).toBeVisible();
    const newest = await log.first().getAttribute('data-n');
    for (const range of ['1 hour', '24 hours', '7 days', '30 days']) {
      await page.getByRole('radio', { name: range }).click();
      await expect(timeline.locator('.band[data-status="up"]')).not.toHaveCount(0);
      await expect(timeline.locator('.band-word').first()).toBeVisible();
      await timeline.locator(`.mark[data-n="${newest}"]`).hover();
      const card = page.getByTestId('ping-card');
      await expect(card, range).toContainText('Success');
      await expect(card).toContainText('run 3: 123 files');
      await expect(card).toContainText(/ran \d+ (ms|s)/);
    }
    await page.getByRole('radio', { name: '24 hours' }).click();
    // a mark picked (Enter, or a click) shows that ping in the log
    const older = await log.nth(5).getAttribute('data-n');
    await timeline.locator(`.mark[data-n="${older}"]`).focus();
    await expect(page.getByTestId('ping-card')).toContainText(`#${older}`);
    await page.keyboard.press('Enter');
    await expect(page.locator(`table.log tr.ping[data-n="${older}"]`)).toBeFocused();
    await expect(page.locator(`table.log tr.ping[data-n="${older}"]`)).toHaveClass(/picked/);
    const [download] = await Promise.all([page.waitForEvent('download'), first.getByRole('link', { name: 'Download' }).click()]);
    const file = await download.path();
    expect(fs.readFileSync(file, 'utf8')).toBe('run 3: 123 files');
    await expect(page.getByTestId('ping-url')).toHaveText(`http://lubdub.test:8420/ping/${uuid}`);
    await expectAccessible(page, 'the detail');
    await screenshots(page, 'detail', true);
  });

  test('the overview leads with what is wrong', async () => {
    const dump = await createCheck(s, { name: 'db dump', tags: 'office', timeout: 86400, grace: 3600 });
    await ping(s, dump.uuid, '/3', 'pg_dump: error: connection to server failed');
    const cert = await createCheck(s, { name: 'cert renewal', tags: 'pi', schedule: '17 4 * * 1', tz: 'Europe/Berlin', grace: 3600 });
    await ping(s, cert.uuid);
    const sensor = await createCheck(s, { name: 'sensor script', tags: 'pi', timeout: 300, grace: 120 });
    for (let i = 0; i < 30; i++) await ping(s, sensor.uuid);
    await s.api(`/api/v3/checks/${(await createCheck(s, { name: 'old laptop sync', timeout: 3600 })).uuid}/pause`, { method: 'POST' });
    await page.goto(s.uiUrl + '/');
    await expect(page.getByTestId('headline')).toHaveText('1 check is down');
    const rows = page.locator('a.row');
    await expect(rows.first()).toContainText('db dump');
    await expect(rows.first()).toContainText('exit status 3');
    await expect(page.getByTestId('worst')).toHaveText('Something is down');
    await expect(page.locator('.count-n[data-status="up"]')).toHaveText('3');
    // filter by tag and search by name
    await page.getByLabel('Tag').selectOption('pi');
    await expect(rows).toHaveCount(2);
    await page.getByLabel('Tag').selectOption('');
    await page.getByLabel('Search checks').fill('dump');
    await expect(rows).toHaveCount(1);
    await page.getByLabel('Search checks').fill('');
    await expect(rows).toHaveCount(5);
    // keyboard: tab to a row and open it with Enter
    await rows.first().focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: /db dump/ })).toBeVisible();
    await page.goBack();
    await expect(rows).toHaveCount(5);
    await expectAccessible(page, 'the overview with problems');
    // the list by keyboard: arrows move between rows
    await rows.first().focus();
    await page.keyboard.press('ArrowDown');
    await expect(rows.nth(1)).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(rows.first()).toBeFocused();
    await screenshots(page, 'overview');
  });

  test('pause and resume, with a confirmation for pause', async () => {
    await page.goto(`${s.uiUrl}/checks/${uuid}`);
    await page.getByRole('button', { name: 'Pause' }).click();
    const dialog = page.getByRole('alertdialog');
    await expect(dialog).toContainText('No alerts while paused');
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await expectAccessible(page, 'the pause dialog');
    // Escape closes it and changes nothing
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    await dialog.getByRole('button', { name: 'Pause' }).click();
    await expect(page.locator('#check-title .status-word')).toHaveText('Paused');
    expect((await json(s.api(`/api/v3/checks/${uuid}`))).status).toBe('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect(page.locator('#check-title .status-word')).not.toHaveText('Paused');
    expect((await json(s.api(`/api/v3/checks/${uuid}`))).status).not.toBe('paused');
  });

  test('delete asks first, then removes the check', async () => {
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('alertdialog');
    await expect(dialog).toContainText('Delete “nightly backup”?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    expect((await s.api(`/api/v3/checks/${uuid}`)).status).toBe(200);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete check' }).click();
    await expect(page).toHaveURL(s.uiUrl + '/');
    await expect(page.locator(`a.row[data-uuid="${uuid}"]`)).toHaveCount(0);
    expect((await s.api(`/api/v3/checks/${uuid}`)).status).toBe(404);
    expect(dialogs).toEqual([]);
  });

  test('settings: values fixed at start are read-only, the API key shows on demand, a change is saved', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
    // the helper sets LUBDUB_BASE_URL, so the field is fixed
    await expect(page.getByLabel('Base URL shown in snippets and ping URLs')).toBeDisabled();
    await expect(page.getByTestId('secret-API key')).not.toContainText(s.apiKey);
    await page.getByRole('button', { name: 'Reveal' }).first().click();
    await expect(page.getByTestId('secret-API key')).toHaveText(s.apiKey);
    await page.getByLabel('Catch-up window').fill('15 min');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByText('Saved.')).toBeVisible();
    expect((await json(s.api('/api/lubdub/settings'))).catchup_window).toBe(900);
    await expectAccessible(page, 'settings');
    // the desktop channel made on first start is listed
    await expect(page.getByRole('list', { name: 'Channels' })).toContainText('Desktop notification');
  });

  test('channels: add a webhook, send a test, delete it (the real channels API)', async () => {
    const rx = await hookReceiver();
    try {
      await page.goto(`${s.uiUrl}/settings`);
      await page.getByRole('button', { name: 'Add a channel' }).click();
      const form = page.getByRole('form', { name: 'New channel' });
      await form.getByLabel('Name').fill('ops hook');
      await form.getByLabel('Kind').selectOption('webhook');
      // the API's refusal shows beside the URL
      await form.getByLabel('URL').fill('ftp://example.com/hook');
      await form.getByRole('button', { name: 'Add channel' }).click();
      await expect(form.getByRole('alert')).toHaveText('config.url scheme ftp is not allowed (http or https only)');
      await form.getByLabel('URL').fill(rx.url);
      await form.getByLabel('New checks notify this channel').uncheck();
      await form.getByRole('button', { name: 'Add channel' }).click();
      const item = page.getByRole('list', { name: 'Channels' }).getByRole('listitem').filter({ hasText: 'ops hook' });
      await expect(item).toContainText(rx.url);
      const created = (await json(s.api('/api/lubdub/channels'))).channels.find((c: any) => c.name === 'ops hook');
      expect(created).toMatchObject({ kind: 'webhook', config: { url: rx.url }, new_checks: false });

      await item.getByRole('button', { name: 'Send test' }).click();
      await expect(page.getByText('Test sent to ops hook.')).toBeVisible();
      expect(rx.posts).toEqual([expect.objectContaining({ kind: 'test', title: 'Lubdub test notification' })]);

      await item.getByRole('button', { name: 'Delete' }).click();
      const dialog = page.getByRole('alertdialog');
      await expect(dialog).toContainText('Delete the channel “ops hook”?');
      await expectAccessible(page, 'the delete-channel dialog');
      await dialog.getByRole('button', { name: 'Delete channel' }).click();
      await expect(page.getByText('Deleted ops hook.')).toBeVisible();
      await expect(item).toHaveCount(0);
      expect((await json(s.api('/api/lubdub/channels'))).channels.map((c: any) => c.name)).toEqual(['Desktop']);
    } finally {
      await rx.close();
    }
  });

  test('snooze on the overview: "For 1 hour" shows "muted until …", unmute clears it (the real mute route)', async () => {
    await page.goto(s.uiUrl + '/');
    const mute = page.getByRole('group', { name: 'Mute notifications' });
    const before = Date.now();
    await mute.getByRole('button', { name: 'For 1 hour' }).click();
    await expect(mute).toContainText(/muted until \w{3} \d{2}:\d{2}/);
    const until = Date.parse((await json(s.api('/api/lubdub/mute'))).muted_until);
    expect(until).toBeGreaterThanOrEqual(before + 3600_000 - 2000);
    expect(until).toBeLessThanOrEqual(Date.now() + 3600_000 + 2000);
    // the summary (what the tray shows) agrees
    expect((await json(s.api('/api/lubdub/summary'))).muted_until).not.toBeNull();
    await page.reload();
    await expect(mute).toContainText('muted until');
    await mute.getByRole('button', { name: 'Unmute' }).click();
    await expect(mute).not.toContainText('muted until');
    await expect(mute.getByRole('button', { name: 'For 1 hour' })).toBeVisible();
    expect((await json(s.api('/api/lubdub/mute'))).muted_until).toBeNull();
  });

  test('the tray view at 360 × 520: problems first, each with status, name, reason and next due; a click opens the detail', async () => {
    await page.setViewportSize({ width: 360, height: 520 });
    try {
      await page.goto(s.uiUrl + '/tray');
      await expect(page.getByTestId('tray-headline')).toHaveText('1 check needs a look');
      const problems = page.getByRole('list', { name: 'Needs attention' }).getByRole('link');
      await expect(problems).toHaveCount(1);
      await expect(problems.first()).toContainText('db dump');
      await expect(problems.first()).toContainText('Down');
      await expect(problems.first()).toContainText('exit status 3');
      const rest = page.getByRole('list', { name: 'Everything else' }).getByRole('link');
      await expect(rest.first()).toBeVisible();
      // the first row sits above the fold and nothing is cut off sideways
      expect((await problems.first().boundingBox())!.y).toBeLessThan(520);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      const cert = rest.filter({ hasText: 'cert renewal' });
      await expect(cert.locator('.tray-next')).toHaveText(/^in \d/);
      await expectAccessible(page, 'the tray view');
      await screenshots(page, 'tray');
      // the overview is usable at this width too: no sideways scrolling
      await page.goto(s.uiUrl + '/');
      await expect(page.locator('a.row').first()).toBeVisible();
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      await page.goto(s.uiUrl + '/tray');
      await problems.first().click();
      await expect(page.getByRole('heading', { name: /db dump/ })).toBeVisible();
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  test('theme: Settings overrides the system preference, saved with the settings, contrast checked in both', async () => {
    await page.goto(`${s.uiUrl}/settings`);
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.getByLabel('Same as the system')).toBeChecked();
    await page.getByLabel('Dark').check();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect.poll(async () => (await json(s.api('/api/lubdub/settings'))).theme).toBe('dark');
    // dark although the system says light, on every page, after a reload too
    await page.goto(s.uiUrl + '/');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const bg = await page.evaluate<string>('getComputedStyle(document.body.parentElement).backgroundColor');
    expect(bg).toBe('rgb(14, 17, 22)');
    await page.emulateMedia({ colorScheme: 'light' });
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(r.violations.map((v) => v.id)).toEqual([]);
    await page.goto(`${s.uiUrl}/settings`);
    await page.getByLabel('Light').check();
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await page.getByLabel('Same as the system').check();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect.poll(async () => (await json(s.api('/api/lubdub/settings'))).theme).toBe('system');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  });

  test('"Backup must write data": a restic run that added 0 B turns the check down, with the reason in the list, the detail, the ping log and the alert link', async () => {
    const rx = await hookReceiver();
    try {
      // a channel for new checks: the editor preselects it
      const hook = await json(s.api('/api/lubdub/channels', { method: 'POST', json: { name: 'backup hook', kind: 'webhook', config: { url: rx.url } } }));
      await page.goto(s.uiUrl + '/checks/new');
      await page.getByLabel('Name').fill('restic home');
      await page.getByRole('button', { name: /Backup must write data/ }).click();
      await expect(page.getByLabel('Assertion 1', { exact: true })).toHaveValue('written_bytes > 0');
      await expect(page.getByTestId('metric-source')).toContainText('Nothing produces written_bytes yet');
      await page.getByTestId('metric-source').getByRole('button', { name: 'restic backup' }).click();
      await expect(page.getByTestId('metric-source')).toHaveCount(0);
      await expect(page.getByRole('group', { name: 'Channels' }).getByLabel(/backup hook/)).toBeChecked();
      await page.getByLabel('Repeat reminder while down').fill('2 h');
      // the assertions part, just below the sticky header
      await page.getByRole('group', { name: 'Assertion presets' }).evaluate((el) => {
        el.closest('fieldset')!.scrollIntoView();
        (globalThis as unknown as { scrollBy: (x: number, y: number) => void }).scrollBy(0, -70);
      });
      await screenshots(page, 'assertions-editor');
      await page.getByRole('button', { name: 'Create check' }).click();
      await expect(page).toHaveURL(/\/checks\/[0-9a-f-]{36}$/);
      const uuid = page.url().split('/').pop()!;
      const saved = await json(s.api(`/api/v3/checks/${uuid}`));
      expect(saved).toMatchObject({
        assertions: [{ expr: 'written_bytes > 0', message: 'backup wrote {value}' }],
        extract: [{ preset: 'restic' }],
        reminder_every: 7200,
        channels: expect.stringContaining(hook.id),
      });
      // the reminder round-trips: the editor reads back what it saved
      await page.goto(`${s.uiUrl}/checks/${uuid}/edit`);
      await expect(page.getByLabel('Repeat reminder while down')).toHaveValue('2 h');
      await expect(page.getByLabel('Assertion 1', { exact: true })).toHaveValue('written_bytes > 0');
      await page.getByRole('button', { name: 'Cancel' }).click();

      await ping(s, uuid, '/0', resticOutput('1.234 MiB'));
      await expect(page.locator('#check-title .status-word')).toHaveText('Up');
      await ping(s, uuid, '/0', resticOutput('0 B'));
      const reason = 'backup wrote 0 B (written_bytes > 0)';
      await expect(page.locator('#check-title .status-word')).toHaveText('Down');
      await expect(page.getByTestId('down-reason')).toHaveText(reason);
      // the Desktop channel (on for new checks) shows in the open console: headless, that is where it appears
      await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(`restic home is down${reason}`);
      await expect(page.locator('table.log tbody tr.ping').first().getByTestId('ping-reason')).toHaveText(reason);
      const chart = page.getByRole('figure', { name: 'written_bytes: 2 runs, last 0 B, 1 failed' });
      await expect(chart).toBeVisible();
      await expect(chart.locator('canvas')).toHaveCount(1);
      // value axis in bytes, the assertion's limit drawn, the failing run listed with its reason
      await expect(chart).toHaveAttribute('data-y-ticks', /^0 B \| .*MiB$/);
      await expect(chart).toHaveAttribute('data-lines', 'limit > 0 B');
      await expect(chart.locator('tr[data-failed="true"]')).toContainText(reason);
      await expect(page.getByRole('list', { name: 'Assertions' })).toContainText('written_bytes > 0');
      await expectAccessible(page, 'the detail of a check that is down');
      await screenshots(page, 'silent-failure', true);

      await page.getByRole('link', { name: 'Overview' }).first().click();
      const row = page.locator(`a.row[data-uuid="${uuid}"]`);
      await expect(row.locator('.status-word')).toHaveText('Down');
      await expect(row.locator('.why')).toHaveText(reason);

      // the alert carries the same words and links straight to this check's detail
      await expect.poll(() => rx.posts.filter((p) => p.kind === 'down').length).toBe(1);
      const down = rx.posts.find((p) => p.kind === 'down');
      expect(down).toMatchObject({ reason, uuid, console_url: `${s.uiUrl}/?check=${uuid}` });
      await page.goto(down.console_url);
      await expect(page).toHaveURL(`${s.uiUrl}/checks/${uuid}`);
      await expect(page.getByRole('heading', { name: /restic home/ })).toBeVisible();
      await expect(page.getByTestId('down-reason')).toHaveText(reason);
    } finally {
      await rx.close();
    }
  });
});

test('1,000 checks: the overview loads and scrolls with a bounded DOM', async ({ browser }) => {
  const s = await serve();
  try {
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => createCheck(s, { name: `job ${String(i + k).padStart(4, '0')}`, tags: `t${(i + k) % 7}`, timeout: 3600 })));
    }
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const t0 = Date.now();
    await page.goto(s.loginUrl);
    await expect(page.locator('.count-shown')).toHaveText('1000 of 1000', { timeout: 15_000 });
    await expect(page.locator('a.row').first()).toBeVisible();
    const loadMs = Date.now() - t0;
    const inDom = await page.locator('a.row').count();
    expect(inDom).toBeLessThan(80);
    const t1 = Date.now();
    await page.mouse.wheel(0, 1000 * 64);
    await expect(page.locator('a.row', { hasText: 'job 0999' })).toBeVisible();
    const scrollMs = Date.now() - t1;
    expect(await page.locator('a.row').count()).toBeLessThan(80);
    console.log(`1,000 checks: overview ready in ${loadMs} ms with ${inDom} rows in the DOM; scroll to the end in ${scrollMs} ms`);
    await ctx.close();
  } finally {
    await s.stop();
  }
});

test('the tour of a new user: set the base URL, create a check, copy a snippet, run it, watch it go green, then red', async ({ browser }) => {
  const s = await serve({ env: { LUBDUB_BASE_URL: '' } });
  const ctx = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    const page = await ctx.newPage();
    await page.goto(s.loginUrl);
    // Settings: the receiver listens on 127.0.0.1 here, so that is the address jobs use.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: s.pingUrl }).click();
    await expect(page.getByLabel('Base URL shown in snippets and ping URLs')).toHaveValue(s.pingUrl);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByText('Saved.')).toBeVisible();

    await page.getByRole('link', { name: 'New check' }).click();
    await page.getByLabel('Name').fill('quick job');
    await page.getByLabel('Period', { exact: true }).fill('2 s');
    // 4 s of grace: "Late" stays long enough to be seen on a busy CI machine.
    await page.getByLabel('Grace').fill('4 s');
    await page.getByRole('button', { name: 'Create check' }).click();
    await expect(page.locator('#check-title .status-word')).toHaveText('New');
    await expect(page.getByTestId('ping-url')).toContainText(`${s.pingUrl}/ping/`);

    await page.getByRole('tab', { name: 'shell (exit status)' }).click();
    await page.getByRole('button', { name: 'Copy shell (exit status)' }).click();
    await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
    const snippet = await page.evaluate<string>("navigator.clipboard.readText()");
    expect(snippet).toContain('/$?');
    await runOk('dash', ['-c', snippet.replace('/path/to/job.sh', 'echo backing up')]);

    await expect(page.locator('#check-title .status-word')).toHaveText('Up', { timeout: 2000 });
    await expect(page.locator('table.log tbody tr.ping')).toHaveCount(2);
    // No ping for 2 s: late, then after the 4 s grace, down, without reloading.
    await expect(page.locator('#check-title .status-word')).toHaveText('Late', { timeout: 5000 });
    await expect(page.locator('#check-title .status-word')).toHaveText('Down', { timeout: 10000 });
    await page.getByRole('link', { name: 'Overview' }).first().click();
    await expect(page.getByTestId('headline')).toHaveText('1 check is down');
  } finally {
    await ctx.close();
    await s.stop();
  }
});
