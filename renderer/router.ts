import { useSyncExternalStore } from 'react';

/** The console's pages. */
export type Route =
  | { name: 'overview' }
  | { name: 'new' }
  | { name: 'detail'; uuid: string }
  | { name: 'edit'; uuid: string }
  | { name: 'settings' }
  | { name: 'missing' };

const UUID = '([0-9a-f-]{36})';

/** Reads a path into a route. */
export function parseRoute(path: string): Route {
  let m: RegExpExecArray | null;
  if (path === '/' || path === '') return { name: 'overview' };
  if (path === '/checks/new') return { name: 'new' };
  if ((m = new RegExp(`^/checks/${UUID}/edit$`).exec(path))) return { name: 'edit', uuid: m[1] };
  if ((m = new RegExp(`^/checks/${UUID}$`).exec(path))) return { name: 'detail', uuid: m[1] };
  if (path === '/settings') return { name: 'settings' };
  return { name: 'missing' };
}

/**
 * Where a link from outside the console points: alerts link to `<console>/?check=<uuid>`
 * (webhook `console_url`, notifications), which opens that check's detail. Null for
 * every other address.
 */
export function externalLinkPath(path: string, search: string): string | null {
  if (path !== '/' && path !== '') return null;
  const uuid = new URLSearchParams(search).get('check')?.toLowerCase();
  return uuid && new RegExp(`^${UUID}$`).test(uuid) ? `/checks/${uuid}` : null;
}

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
if (typeof window !== 'undefined') {
  window.addEventListener('popstate', notify);
  // Replaced, not pushed: Back leaves the console rather than bouncing to the same check.
  const target = externalLinkPath(location.pathname, location.search);
  if (target) history.replaceState(null, '', target);
}

/** Goes to a console path without a page load. */
export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  notify();
  window.scrollTo(0, 0);
}

/** The current route, re-rendering on navigation. */
export function useRoute(): Route {
  const path = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => location.pathname,
  );
  return parseRoute(path);
}

/** Props for an in-app link: a real href (open in new tab works) with client-side navigation. */
export function linkProps(path: string): { href: string; onClick: (e: React.MouseEvent) => void } {
  return {
    href: path,
    onClick: (e) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(path);
    },
  };
}
