/** The fake electron as a module (named exports, like the real one) for the compiled main.js. */
import { createFakeElectron } from '../fake-electron.js';

export const fake = createFakeElectron({ userData: process.env.LUBDUB_TEST_USERDATA!, appPath: process.env.LUBDUB_TEST_APP_PATH! });
const e = fake.electron as unknown as Record<string, unknown>;
export const app = e.app;
export const BrowserWindow = e.BrowserWindow;
export const Tray = e.Tray;
export const Notification = e.Notification;
export const Menu = e.Menu;
export const nativeImage = e.nativeImage;
export const nativeTheme = e.nativeTheme;
export const powerMonitor = e.powerMonitor;
export const screen = e.screen;
export const session = e.session;
export const shell = e.shell;
export const ipcMain = e.ipcMain;
export const dialog = e.dialog;
export const utilityProcess = e.utilityProcess;
