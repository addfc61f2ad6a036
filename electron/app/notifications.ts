import type { Notification as ElectronNotification } from 'electron';
import type { NotificationJson } from '../../shared/api/types.js';
import type { ShellConnection } from './connection.js';
import type { ElectronApi } from './electron-api.js';

/** Longest body handed to the OS (Windows recommends ~200 characters; the rest is in the console). */
const BODY_MAX = 300;
const TITLE_MAX = 120;

function cut(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : chars.slice(0, max - 1).join('') + '…';
}

/**
 * Notification text as the OS will show it. On Linux Electron hands the body to libnotify
 * unescaped and most notification servers (GNOME, KDE, dunst) render a subset of HTML in
 * it, so a ping body like `<b>…</b>` or `<a href=…>` would become markup: escape it there,
 * so text from pings is always shown as text (SPEC §8). Titles are never markup.
 */
export function notificationText(n: Pick<NotificationJson, 'title' | 'body'>, platform: string): { title: string; body: string } {
  let body = cut(n.body, BODY_MAX);
  if (platform === 'linux') body = body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return { title: cut(n.title, TITLE_MAX), body };
}

/** What notifications need from the rest of the shell. */
export interface NotificationsContext {
  electron: ElectronApi;
  platform: string;
  connection: ShellConnection;
  appIcon: string;
  /** what a click opens: a check's detail, or the overview for a summary */
  openCheck: (uuid: string) => void;
  openOverview: () => void;
}

/**
 * Shows exactly the notifications the service's desktop channel decided on (it applies
 * snooze, mute and the one-summary-after-offline rule; the shell adds none of its own).
 * A click opens the check's detail.
 */
export function setupNotifications(ctx: NotificationsContext): { shown: () => number } {
  const { Notification } = ctx.electron;
  // Electron drops a notification's click handler if the object is garbage-collected
  // while still on screen: hold a reference until it is closed or clicked.
  const live = new Set<ElectronNotification>();
  let shown = 0;
  ctx.connection.on('notification', (n) => {
    if (!Notification.isSupported()) return;
    const text = notificationText(n, ctx.platform);
    const note = new Notification({ title: text.title, body: text.body, icon: ctx.appIcon, silent: n.kind === 'up' });
    const release = () => live.delete(note);
    note.on('click', () => {
      release();
      if (n.check) ctx.openCheck(n.check);
      else ctx.openOverview();
    });
    note.on('close', release);
    note.on('failed', release);
    live.add(note);
    if (live.size > 100) live.delete(live.values().next().value as ElectronNotification);
    note.show();
    shown++;
  });
  return { shown: () => shown };
}
