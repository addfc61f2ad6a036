import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the console in Debian's Chromium against the real `npm run serve`
 * (each test starts its own service through test/helpers/serve.ts; no webServer, no npx).
 */
export default defineConfig({
  testDir: 'test/e2e',
  globalSetup: './test/helpers/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 5_000 },
  reporter: [['list']],
  // Playwright empties its output dir at start; screenshots go beside it, in test-results/screenshots.
  outputDir: 'test-results/playwright',
  use: {
    viewport: { width: 1280, height: 800 },
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
    trace: 'off',
    actionTimeout: 10_000,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
