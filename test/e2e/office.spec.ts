import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { pair, type Paired } from '../../electron/app/office.js';
import { CERT_FILE, fingerprintOf } from '../../electron/service/office/cert.js';
import { serve, type Served } from '../helpers/serve.js';

/**
 * Settings → Office mode against the real service with sharing on: the certificate
 * fingerprint, the pairing notice with the code (typed into a desk run from the shell's
 * code), the device list, and Revoke.
 */

let s: Served;
test.beforeAll(async () => {
  s = await serve({ env: { LUBDUB_SHARE: 'on', LUBDUB_SHARE_PORT: '0', LUBDUB_SHARE_HOST: '127.0.0.1' } });
});
test.afterAll(async () => {
  await s?.dispose();
});

test('Settings shows the fingerprint, the pairing code for a desk, and its device with Revoke', async ({ page }) => {
  await page.goto(s.loginUrl);
  await page.goto(`${s.uiUrl}/settings`);
  const office = page.getByTestId('office-settings');
  const fingerprint = fingerprintOf(fs.readFileSync(path.join(s.dataDir, CERT_FILE), 'utf8'));
  await expect(office.getByTestId('office-fingerprint')).toHaveText(fingerprint);
  await expect(office.getByLabel('Let other computers watch this Lubdub')).toBeChecked();
  await expect(office.getByText('None yet.')).toBeVisible();

  const port = ((await (await s.api('/api/lubdub/office')).json()) as { share: { port: number } }).share.port;
  // The desk asks to pair; the user reads the code off this page and types it at the desk.
  let codeShown = '';
  const paired: Promise<Paired> = pair(`https://127.0.0.1:${port}`, 'ana@front-desk', async () => {
    const notice = office.getByTestId('pairing-notice');
    await expect(notice).toContainText('ana@front-desk asks to watch this Lubdub');
    codeShown = (await notice.getByTestId('pairing-code').innerText()).replace(/\s/g, '');
    return codeShown;
  });
  const desk = await paired;
  expect(codeShown).toMatch(/^\d{6}$/);
  expect(desk.pin.fingerprint).toBe(fingerprint);
  await expect(office.getByTestId('pairing-notice')).toHaveCount(0);

  const row = office.getByRole('row', { name: /ana@front-desk/ });
  await expect(row).toContainText('desk (watch + snooze)');
  await expect(row).toContainText('127.0.0.1');
  await row.getByRole('button', { name: 'Revoke ana@front-desk' }).click();
  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  await expect(office.getByText('None yet.')).toBeVisible();
  const keys = (await (await s.api('/api/lubdub/office/keys')).json()) as { keys: unknown[] };
  expect(keys.keys).toEqual([]);
});
