import type { Notification as ElectronNotification } from 'electron';
import { pairingNotice } from '../../shared/api/office.js';
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

/** What the pairing notice needs from the rest of the shell. */
export interface PairingNoticeContext {
  electron: ElectronApi;
  platform: string;
  /** the connection to this computer's own service (its full key may read the code) */
  connection: ShellConnection;
  appIcon: string;
  /** "14:05" for the code's end of validity */
  timeOfDay: (at: number) => string;
  /** what a click opens: Settings, where the code is shown too */
  openSettings: () => void;
}

/**
 * On the server's own desktop: when a desk asks to pair, a notification with the desk's
 * name and the six-digit code. The event stream only says that a desk waits (read-only and
 * device keys see it); the code is read from this computer's service with its full key,
 * once per request.
 */
export function setupPairingNotice(ctx: PairingNoticeContext): { shown: () => number } {
  const { Notification } = ctx.electron;
  const live = new Set<ElectronNotification>();
  let last = '';
  let shown = 0;
  ctx.connection.on('office', (o) => {
    if (!o.pairing_pending || !Notification.isSupported()) return;
    ctx.connection.client.office().then(
      (office) => {
        const p = office.pairing;
        if (!p) return;
        const key = `${p.desk}\n${p.code}\n${p.expires_at}`;
        if (key === last) return;
        last = key;
        const text = notificationText(pairingNotice(p, ctx.timeOfDay(Date.parse(p.expires_at))), ctx.platform);
        const note = new Notification({ title: text.title, body: text.body, icon: ctx.appIcon });
        const release = () => live.delete(note);
        note.on('click', () => {
          release();
          ctx.openSettings();
        });
        note.on('close', release);
        note.on('failed', release);
        live.add(note);
        note.show();
        shown++;
      },
      () => {},
    );
  });
  return { shown: () => shown };
}
