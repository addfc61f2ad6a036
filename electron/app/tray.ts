import type { MenuItemConstructorOptions, Tray } from 'electron';
import type { Clock } from '../../shared/domain/clock.js';
import type { ShellConnection } from './connection.js';
import type { ElectronApi } from './electron-api.js';
import { trayIconFile } from './icons.js';
import { snoozeUntil, type SnoozeChoice } from '../../shared/domain/snooze.js';
import { trayModel, type TrayAction, type TrayMenuItem, type TrayModel, type WatchMenuState } from './tray-model.js';

/** What the tray needs from the rest of the shell. */
export interface TrayContext {
  electron: ElectronApi;
  connection: ShellConnection;
  clock: Clock;
  platform: string;
  timeZone: string;
  iconsDir: string;
  /** which service is watched, for the "Watch" submenu and the disconnected tooltip */
  connectionInfo: () => { mode: 'local' | 'remote'; remoteLabel: string | null; serviceLabel: string; identityChanged?: boolean };
  startAtLogin: () => boolean;
  /** the Watch menu's search results and pairing state */
  watch?: () => WatchMenuState;
  /** what each menu action does */
  onAction: (action: TrayAction) => void;
  /** a Lubdub the search found was chosen */
  onFound?: (id: string) => void;
  onCheck: (uuid: string) => void;
  /** shows an error to the user (snooze failed, …) */
  onError: (message: string) => void;
  /** coalescing delay for redraws during event bursts */
  redrawDelayMs?: number;
}

/** The live tray: its current model, for tests and the boot list. */
export interface TrayHandle {
  tray: Tray;
  model: () => TrayModel;
  /** redraws now (after a setting changed) */
  refresh: () => void;
  /** opens the menu again where the OS lets an app do that (macOS, Windows; Linux indicators ignore it) */
  popUp: () => void;
  destroy: () => void;
}

/** Builds an Electron menu template from the model's items. */
export function menuTemplate(items: TrayMenuItem[], onItem: (item: TrayMenuItem) => void): MenuItemConstructorOptions[] {
  return items.map((i): MenuItemConstructorOptions => {
    switch (i.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'info':
        return { label: i.label, enabled: false };
      case 'submenu':
        return { label: i.label, enabled: i.enabled ?? true, submenu: menuTemplate(i.items, onItem) };
      case 'action':
        return {
          label: i.label,
          enabled: i.enabled ?? true,
          type: i.checkbox ? 'checkbox' : i.radio ? 'radio' : 'normal',
          checked: i.checked,
          click: () => onItem(i),
        };
      default:
        return { label: i.label, enabled: ('enabled' in i ? i.enabled : undefined) ?? true, click: () => onItem(i) };
    }
  });
}

/**
 * The tray icon, tooltip and menu, redrawn from `trayModel` whenever the connection
 * changes (coalesced, so a burst of events costs one redraw), each minute (the "in 14 min"
 * countdown) and when the OS switches light/dark. Only what changed is pushed to the OS.
 */
export function setupTray(ctx: TrayContext): TrayHandle {
  const { Tray, Menu, nativeImage, nativeTheme } = ctx.electron;
  const delay = ctx.redrawDelayMs ?? 150;
  let current: TrayModel = compute();
  let drawnIcon = '';
  let drawnTooltip = '';
  let drawnMenu = '';
  let timer: NodeJS.Timeout | null = null;
  let destroyed = false;
  const tray = new Tray(nativeImage.createFromPath(iconPath(current)));
  drawnIcon = iconPath(current);

  function compute(): TrayModel {
    const info = ctx.connectionInfo();
    return trayModel(ctx.connection.summary, ctx.connection.checks, ctx.clock.now(), {
      timeZone: ctx.timeZone,
      platform: ctx.platform,
      startAtLogin: ctx.startAtLogin(),
      connection: { mode: info.mode, remoteLabel: info.remoteLabel },
      serviceLabel: info.serviceLabel,
      identityChanged: info.identityChanged,
      watch: ctx.watch?.(),
    });
  }

  function iconPath(m: TrayModel): string {
    return trayIconFile(ctx.iconsDir, m.icon, ctx.platform, nativeTheme.shouldUseDarkColors);
  }

  const onItem = (item: TrayMenuItem) => {
    if (item.kind === 'check') ctx.onCheck(item.uuid);
    else if (item.kind === 'action') ctx.onAction(item.action);
    else if (item.kind === 'snooze') snooze(item.choice);
    else if (item.kind === 'found') ctx.onFound?.(item.id);
  };

  const snooze = (choice: SnoozeChoice) => {
    const until = snoozeUntil(choice, ctx.clock.now(), ctx.timeZone);
    ctx.connection.setMute(until).then(
      () => schedule(),
      (e) => ctx.onError(`Could not change the snooze: ${(e as Error).message}`),
    );
  };

  function draw(): void {
    if (destroyed) return;
    current = compute();
    const icon = iconPath(current);
    if (icon !== drawnIcon) {
      tray.setImage(nativeImage.createFromPath(icon));
      drawnIcon = icon;
    }
    if (current.tooltip !== drawnTooltip) {
      tray.setToolTip(current.tooltip);
      drawnTooltip = current.tooltip;
    }
    const menuKey = JSON.stringify(current.items);
    if (menuKey !== drawnMenu) {
      // Linux (AppIndicator) only picks up a changed menu when it is set again.
      tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(current.items, onItem)));
      drawnMenu = menuKey;
    }
  }

  function schedule(): void {
    if (timer || destroyed) return;
    timer = setTimeout(() => {
      timer = null;
      draw();
    }, delay);
  }

  draw();
  ctx.connection.on('change', schedule);
  nativeTheme.on('updated', schedule);
  const minute = setInterval(schedule, 60_000);
  minute.unref?.();
  // Windows: a left click opens the console, as tray apps do there. macOS opens the menu on
  // click, and Linux indicators only ever show the menu.
  if (ctx.platform === 'win32') tray.on('click', () => ctx.onAction('open'));

  return {
    tray,
    model: () => current,
    refresh: draw,
    popUp() {
      if (destroyed) return;
      draw();
      tray.popUpContextMenu();
    },
    destroy() {
      destroyed = true;
      if (timer) clearTimeout(timer);
      clearInterval(minute);
      ctx.connection.off('change', schedule);
      nativeTheme.off('updated', schedule);
      tray.destroy();
    },
  };
}
