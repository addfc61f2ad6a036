/**
 * The Electron main process entry (package.json "main" → dist-electron/electron/app/main.js).
 * Wires the real `electron` module and the service process into the boot list.
 */
import path from 'node:path';
import * as electron from 'electron';
import { sqliteNativeBinding } from '../service/db/native-binding.mjs';
import { systemClock } from '../service/clock.js';
import { boot } from './boot.js';
import { ServiceProcess, startServiceProcess } from './service-process.js';

const { app } = electron;

// Compiled layout: dist-electron/electron/app/main.js next to service-child.js and ../preload/preload.cjs.
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
  startLocalService: (userData) =>
    startServiceProcess(
      new ServiceProcess({
        utilityProcess: electron.utilityProcess,
        entry: path.join(here, 'service-child.js'),
        userData,
        // The utility process runs Electron's Node: it needs the Electron-ABI SQLite build.
        nativeBinding: sqliteNativeBinding({
          versions: process.versions,
          platform: process.platform,
          arch: process.arch,
          packaged: app.isPackaged,
          resourcesPath: process.resourcesPath,
          appPath: app.getAppPath(),
        }),
      }),
    ),
}).catch((e: unknown) => {
  console.error(`lubdub: ${(e as Error).stack ?? e}`);
  electron.dialog.showErrorBox('Lubdub could not start', (e as Error).message ?? String(e));
  app.exit(1);
});
