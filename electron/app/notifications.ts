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

/**
 * Shows native notifications, holding each until it is clicked or closed: Electron drops a
 * notification's click handler if the object is garbage-collected while still on screen.
 */
class NativeNotices {
  private live = new Set<ElectronNotification>();
  count = 0;
  constructor(
    private readonly electron: ElectronApi,
    private readonly icon: string,
  ) {}

  show(text: { title: string; body: string }, onClick: () => void, silent = false): void {
    const note = new this.electron.Notification({ title: text.title, body: text.body, icon: this.icon, silent });
    const release = () => this.live.delete(note);
    note.on('click', () => {
      release();
      onClick();
    });
    note.on('close', release);
    note.on('failed', release);
    this.live.add(note);
    if (this.live.size > 100) this.live.delete(this.live.values().next().value as ElectronNotification);
    note.show();
    this.count++;
  }
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
  const notices = new NativeNotices(ctx.electron, ctx.appIcon);
  ctx.connection.on('notification', (n) => {
    if (!ctx.electron.Notification.isSupported()) return;
    notices.show(notificationText(n, ctx.platform), () => (n.check ? ctx.openCheck(n.check) : ctx.openOverview()), n.kind === 'up');
  });
  return { shown: () => notices.count };
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
  const notices = new NativeNotices(ctx.electron, ctx.appIcon);
  let last = '';
  ctx.connection.on('office', (o) => {
    if (!o.pairing_pending || !ctx.electron.Notification.isSupported()) return;
    ctx.connection.client.office().then(
      (office) => {
        const p = office.pairing;
        if (!p) return;
        const key = `${p.desk}\n${p.code}\n${p.expires_at}`;
        if (key === last) return;
        last = key;
        notices.show(notificationText(pairingNotice(p, ctx.timeOfDay(Date.parse(p.expires_at))), ctx.platform), ctx.openSettings);
      },
      () => {},
    );
  });
  return { shown: () => notices.count };
}
