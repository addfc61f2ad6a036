import type notifierModule from 'node-notifier';
import type { AlertMessage } from '../../../../shared/alerts/messages.js';
import type { NotificationJson } from '../../../../shared/api/types.js';
import type { Sender } from './types.js';

/** The notification the desktop channel shows, as the event stream carries it to the Electron shell. */
export function notificationJson(msg: AlertMessage, messageUuid: string): NotificationJson {
  return { id: messageUuid, kind: msg.kind, title: msg.title, body: msg.body, check: msg.check?.uuid ?? null };
}

/** Is there a desktop session node-notifier can reach (Linux needs a session bus or a display)? */
export function hasDesktopSession(env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return !!(env.DBUS_SESSION_BUS_ADDRESS || env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Freedesktop notification servers may read the body as markup (`<b>`, `<a href>`); escaping
 * makes them show a ping's text as the text it is. The summary line is never markup.
 */
export function escapeMarkup(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** notify-send reads a leading "-" as an option, wherever the argument stands. */
function notOption(s: string): string {
  return s.startsWith('-') ? `\u2060${s}` : s;
}

/** Shows a notification through node-notifier (notify-send, terminal-notifier or SnoreToast). */
export async function nodeNotifierShow(n: NotificationJson, platform = process.platform): Promise<void> {
  const linux = platform !== 'darwin' && platform !== 'win32';
  // loaded on the first notification: most services never show one themselves, and it costs ~11 MB
  const notifier = (await import('node-notifier')).default;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the notifier did not answer within 10 s')), 10_000);
    notifier.notify(
      {
        title: notOption(n.title),
        message: notOption(linux ? escapeMarkup(n.body) : n.body) || ' ',
        wait: false,
        ...(linux ? { urgency: n.kind === 'down' || n.kind === 'summary' ? 'critical' : 'normal', 'app-name': 'Lubdub' } : {}),
      } as notifierModule.Notification,
      (err: unknown) => {
        clearTimeout(timer);
        // node-notifier passes stderr as the first argument on success; only an Error is a failure.
        if (err instanceof Error) reject(err);
        else resolve();
      },
    );
  });
}

/** What the desktop channel needs from the service. */
export interface DesktopDeps {
  /** true: show it here through node-notifier (headless); false: the Electron shell shows the event */
  native: () => boolean;
  show: (n: NotificationJson) => Promise<void>;
  /** publishes the `notification` event */
  emit: (n: NotificationJson) => void;
  /** is an event-stream client (the shell or a console) connected? */
  hasClient: () => boolean;
}

/**
 * Desktop channel. Exactly one of two things shows a notification, never both:
 * headless (`desktopNotifier` on, a desktop session present) node-notifier shows it here;
 * otherwise the service only emits the `notification` event and the Electron shell (or an
 * open console) shows exactly that, so a delivery needs a connected client to count as sent.
 * The event is emitted in both cases so consoles can list it.
 */
export function desktopSender(deps: DesktopDeps): Sender {
  return {
    send: async (msg, { messageUuid, attempt }) => {
      const n = notificationJson(msg, messageUuid);
      if (deps.native()) {
        if (attempt === 1) deps.emit(n);
        try {
          await deps.show(n);
          return { ok: true, error: null };
        } catch (e) {
          return { ok: false, error: `desktop notifier: ${(e as Error).message.split('\n')[0]}` };
        }
      }
      if (!deps.hasClient()) return { ok: false, error: 'no desktop app or console connected to show it' };
      deps.emit(n);
      return { ok: true, error: null };
    },
  };
}
