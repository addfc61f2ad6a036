import { useEffect } from 'react';
import type { NotificationJson } from '../../shared/api/types.js';
import { linkProps } from '../router.js';
import { useConsole } from '../store.js';
import { CONSOLE_PATHS } from '../../shared/api/console-routes.js';

/** How long a notice stays; problems stay until dismissed. */
const RECOVERY_MS = 15_000;

function Notice({ n, dismiss }: { n: NotificationJson; dismiss: (id: string) => void }) {
  const problem = n.kind === 'down' || n.kind === 'reminder' || n.kind === 'summary';
  useEffect(() => {
    if (problem) return;
    const t = setTimeout(() => dismiss(n.id), RECOVERY_MS);
    return () => clearTimeout(t);
  }, [problem, n.id, dismiss]);
  const link = n.check ? linkProps(CONSOLE_PATHS.check(n.check)) : null;
  return (
    <div className={`notice notice-${n.kind}`} data-kind={n.kind}>
      <div className="notice-text">
        {/* title and body are plain text from the service (strings from pings made one line of text) */}
        <strong>{n.title}</strong>
        <span className="notice-body">{n.body}</span>
        {link && (
          <a
            href={link.href}
            onClick={(e) => {
              link.onClick(e);
              dismiss(n.id);
            }}
          >
            Open the check
          </a>
        )}
      </div>
      <button type="button" className="small" aria-label={`Dismiss: ${n.title}`} onClick={() => dismiss(n.id)}>
        ×
      </button>
    </div>
  );
}

/**
 * The desktop channel's notifications as the console shows them: without the desktop app
 * (headless, no notifier), an open console is where they appear (the service counts them as
 * shown then). In the page, never as OS notifications, so nothing shows twice.
 */
export function Notices() {
  const notices = useConsole((s) => s.notices);
  const dismiss = useConsole((s) => s.dismiss);
  return (
    <section className="notices" aria-label="Notifications" aria-live="polite">
      {notices.map((n) => (
        <Notice key={n.id} n={n} dismiss={dismiss} />
      ))}
    </section>
  );
}
