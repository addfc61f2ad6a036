/**
 * The Electron main process entry (package.json "main" → dist-electron/electron/app/main.js).
 * Wires the real `electron` module and the in-process service into the boot list.
 */
import path from 'node:path';
import * as electron from 'electron';
import { systemClock } from '../service/clock.js';
import { defaultFeatures } from '../service/features.js';
import { startService } from '../service/service.js';
import { boot } from './boot.js';
import { desktopServiceConfig } from './local-service.js';

const { app } = electron;

// Compiled layout: dist-electron/electron/app/main.js next to ../preload/preload.cjs.
const here = import.meta.dirname;
const iconsDir = app.isPackaged ? path.join(process.resourcesPath, 'icons') : path.join(app.getAppPath(), 'build', 'icons');

boot({
  electron,
  clock: systemClock,
  platform: {
    platform: process.platform,
    env: process.env,
    argv: process.argv,
    execPath: process.execPath,
    iconsDir,
    preloadPath: path.join(here, '..', 'preload', 'preload.cjs'),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  },
  startLocalService: async (userData) => {
    const svc = await startService(desktopServiceConfig(process.env, userData), systemClock, defaultFeatures());
    return { target: { baseUrl: svc.uiUrl, apiKey: svc.keys.apiKey }, stop: svc.stop };
  },
}).catch((e: unknown) => {
  console.error(`lubdub: ${(e as Error).stack ?? e}`);
  electron.dialog.showErrorBox('Lubdub could not start', (e as Error).message ?? String(e));
  app.exit(1);
});
