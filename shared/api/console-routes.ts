/**
 * Where things are in the console: the one list of its paths, used by the console's own
 * router and links, the shell's windows and tray, and the links in alerts. The service
 * answers every such path with the console page, so each is a deep link.
 */
export const CONSOLE_PATHS = {
  /** the overview: counts, checks needing attention first */
  overview: '/',
  /** one check's detail: timeline, ping log, flips */
  check: (uuid: string): string => `/checks/${encodeURIComponent(uuid)}`,
  /** the check editor for a new check */
  newCheck: '/checks/new',
  /** the check editor for an existing check */
  editCheck: (uuid: string): string => `/checks/${encodeURIComponent(uuid)}/edit`,
  /** settings: base URL, keys, channels, catch-up window */
  settings: '/settings',
  /** the compact view the tray opens first: problems first, one line per check */
  tray: '/tray',
  /**
   * The link an alert carries (webhook `console_url`, notifications): stable across console
   * versions because it names no page, only the check; the console turns it into `check`.
   */
  alertLink: (uuid: string): string => `/?check=${encodeURIComponent(uuid)}`,
} as const;

/** A console page, as read from its path. */
export type ConsoleRoute =
  | { name: 'overview' }
  | { name: 'new' }
  | { name: 'detail'; uuid: string }
  | { name: 'edit'; uuid: string }
  | { name: 'settings' }
  | { name: 'tray' }
  | { name: 'missing' };

const UUID = '([0-9a-f-]{36})';
const DETAIL = new RegExp(`^/checks/${UUID}$`);
const EDIT = new RegExp(`^/checks/${UUID}/edit$`);
const ONLY_UUID = new RegExp(`^${UUID}$`);

/** Reads a path into a console page (the inverse of `CONSOLE_PATHS`). */
export function parseConsolePath(path: string): ConsoleRoute {
  let m: RegExpExecArray | null;
  if (path === CONSOLE_PATHS.overview || path === '') return { name: 'overview' };
  if (path === CONSOLE_PATHS.newCheck) return { name: 'new' };
  if (path === CONSOLE_PATHS.settings) return { name: 'settings' };
  if (path === CONSOLE_PATHS.tray) return { name: 'tray' };
  if ((m = EDIT.exec(path))) return { name: 'edit', uuid: m[1] };
  if ((m = DETAIL.exec(path))) return { name: 'detail', uuid: m[1] };
  return { name: 'missing' };
}

/**
 * Where an alert's link (`CONSOLE_PATHS.alertLink`) leads inside the console: that check's
 * detail. Null for every other address.
 */
export function alertLinkTarget(path: string, search: string): string | null {
  if (path !== CONSOLE_PATHS.overview && path !== '') return null;
  const uuid = new URLSearchParams(search).get('check')?.toLowerCase();
  return uuid && ONLY_UUID.test(uuid) ? CONSOLE_PATHS.check(uuid) : null;
}
