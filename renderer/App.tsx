import { lazy, Suspense, useEffect } from 'react';
import { Notices } from './components/Notices.js';
import { linkProps, useRoute } from './router.js';
import { connect, useConsole } from './store.js';
import { Overview } from './views/Overview.js';
import { CONSOLE_PATHS } from '../shared/api/console-routes.js';

// Only the overview is in the first script: the other pages (editor, detail with its charts,
// settings, tray) are fetched when first shown, so the overview's first rows wait for no more
// script than they need.
const CheckDetail = lazy(() => import('./views/CheckDetail.js').then((m) => ({ default: m.CheckDetail })));
const EditorPage = lazy(() => import('./views/EditorPage.js').then((m) => ({ default: m.EditorPage })));
const Settings = lazy(() => import('./views/Settings.js').then((m) => ({ default: m.Settings })));
const TrayView = lazy(() => import('./views/TrayView.js').then((m) => ({ default: m.TrayView })));

/** Shown while a page's script arrives. */
function PageLoading() {
  return (
    <p className="muted" role="status">
      Loading…
    </p>
  );
}

const WORST_WORDS = { down: 'Something is down', grace: 'Something is late', up: 'All good', idle: 'Nothing to watch' } as const;

/** The header's one-look state: the same worst state the tray icon shows. */
function WorstBadge() {
  const worst = useConsole((s) => s.summary?.worst ?? 'idle');
  return (
    <span className={`worst worst-${worst}`} data-testid="worst">
      <span className="dot" aria-hidden="true" />
      {WORST_WORDS[worst]}
    </span>
  );
}

function LiveState() {
  const live = useConsole((s) => s.live);
  return (
    <span className={`live live-${live}`} role="status" title={live === 'live' ? 'Updates arrive as they happen' : 'Reconnecting to Lubdub…'}>
      {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
    </span>
  );
}

/** The system's preference, or null where there is none (tests). */
const darkQuery = () => (typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null);

/** Applies the theme: the chosen one, or the system's, following it as it changes. */
function useTheme() {
  const theme = useConsole((s) => s.theme);
  useEffect(() => {
    const q = darkQuery();
    const apply = () => {
      const scheme = theme === 'system' ? (q?.matches ? 'dark' : 'light') : theme;
      document.documentElement.dataset.theme = scheme;
      useConsole.setState({ scheme });
    };
    apply();
    q?.addEventListener('change', apply);
    return () => q?.removeEventListener('change', apply);
  }, [theme]);
}

/** The console: header, then the page the URL names. */
export function App() {
  const route = useRoute();
  const unauthorized = useConsole((s) => s.unauthorized);
  useEffect(() => connect(), []);
  useTheme();
  useEffect(() => {
    document.title = route.name === 'settings' ? 'Settings · Lubdub' : route.name === 'new' ? 'New check · Lubdub' : 'Lubdub';
    document.documentElement.dataset.view = route.name;
  }, [route.name]);

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" {...linkProps(CONSOLE_PATHS.overview)}>
          <img src="/favicon.svg" alt="" width={22} height={22} /> Lubdub
        </a>
        <WorstBadge />
        <nav aria-label="Main">
          <a {...linkProps(CONSOLE_PATHS.overview)} aria-current={route.name === 'overview' ? 'page' : undefined}>
            Overview
          </a>
          <a {...linkProps(CONSOLE_PATHS.settings)} aria-current={route.name === 'settings' ? 'page' : undefined}>
            Settings
          </a>
        </nav>
        <LiveState />
        <a className="button primary" {...linkProps(CONSOLE_PATHS.newCheck)}>
          New check
        </a>
      </header>
      {unauthorized && (
        <p className="banner error" role="alert">
          Your console session has ended. Open the one-time login URL that Lubdub printed at start (restart it for a new one).
        </p>
      )}
      <Notices />
      <main id="main">
        {route.name === 'overview' && <Overview />}
        <Suspense fallback={<PageLoading />}>
          {route.name === 'new' && <EditorPage />}
          {route.name === 'edit' && <EditorPage uuid={route.uuid} />}
          {route.name === 'detail' && <CheckDetail uuid={route.uuid} />}
          {route.name === 'settings' && <Settings />}
          {route.name === 'tray' && <TrayView />}
        </Suspense>
        {route.name === 'missing' && (
          <p>
            No such page. <a {...linkProps(CONSOLE_PATHS.overview)}>Go to the overview</a>
          </p>
        )}
      </main>
    </>
  );
}
