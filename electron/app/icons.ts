import path from 'node:path';
import type { TrayIconState } from './tray-model.js';

/**
 * The tray image file for a state (build/icons/generate-icons.ts draws them). macOS gets
 * the Template image, which the menu bar recolours for light, dark and highlighted; other
 * systems get the variant drawn for the panel's brightness. Electron loads the `@2x`
 * sibling on its own on high-density screens.
 */
export function trayIconFile(iconsDir: string, state: TrayIconState, platform: string, darkPanel: boolean): string {
  const name = platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}-${darkPanel ? 'dark' : 'light'}.png`;
  return path.join(iconsDir, 'tray', name);
}

/** The app icon (notifications, windows). */
export function appIconFile(iconsDir: string): string {
  return path.join(iconsDir, 'icon.png');
}
