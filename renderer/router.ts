import { useSyncExternalStore } from 'react';
import { alertLinkTarget, parseConsolePath, type ConsoleRoute } from '../shared/api/console-routes.js';

/** The console's pages. */
export type Route = ConsoleRoute;

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
if (typeof window !== 'undefined') {
  window.addEventListener('popstate', notify);
  // Replaced, not pushed: Back leaves the console rather than bouncing to the same check.
  const target = alertLinkTarget(location.pathname, location.search);
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
  return parseConsolePath(path);
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
