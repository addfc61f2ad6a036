import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import fs from 'node:fs';
import { createCheck, serve, type Served } from '../helpers/serve.js';

/**
 * The console shows the words of a down reason exactly as the API gives them, in the list
 * and on the check's page, for every way a check goes down (the same words reach the
 * webhook, ntfy, notification and tray: test/blackbox/reason-words.test.ts).
 */
test.describe('down reasons in the console', () => {
  let s: Served;
  let context: BrowserContext;
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    s = await serve();
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(s.loginUrl);
  });
  test.afterAll(async () => {
    await context?.close();
    await s?.stop();
    if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  const ping = async (path: string, init?: RequestInit) => expect((await fetch(s.pingUrl + path, init)).status).toBe(200);

  const cases: [string, Record<string, unknown>, (uuid: string) => Promise<void>, string][] = [
    ['exit status', {}, (u) => ping(`/ping/${u}/3`), 'fail'],
    ['fail signal', {}, (u) => ping(`/ping/${u}/fail`), 'fail'],
    ['keyword filter', { filter_http_body: true, failure_kw: 'ERROR' }, (u) => ping(`/ping/${u}`, { method: 'POST', body: 'ERROR' }), 'fail'],
    ['assertion', { assertions: [{ expr: 'count > 0', message: 'exported {value} rows' }] }, (u) => ping(`/ping/${u}?metric=count:0`), 'assertion'],
    ['missed deadline', { timeout: 1, grace: 1 }, (u) => ping(`/ping/${u}`), 'timeout'],
    ['run past its grace', { grace: 1 }, (u) => ping(`/ping/${u}/start`), 'run exceeded grace'],
  ];

  for (const [name, json, goDown, code] of cases) {
    test(name, async () => {
      const c = await createCheck(s, { name, timeout: 3600, grace: 3600, ...json });
      await goDown(c.uuid);
      const read = async () => (await (await s.api(`/api/v3/checks/${c.uuid}`)).json()) as { status: string; down_reason: string; down_reason_code: string };
      await expect.poll(async () => (await read()).status, { timeout: 10_000 }).toBe('down');
      const api = await read();
      expect(api.down_reason_code).toBe(code);

      await page.goto(s.uiUrl + '/');
      await expect(page.locator(`a.row[data-uuid="${c.uuid}"] .why`)).toHaveText(api.down_reason);
      await page.goto(`${s.uiUrl}/checks/${c.uuid}`);
      await expect(page.getByTestId('down-reason')).toHaveText(api.down_reason);
    });
  }
});
