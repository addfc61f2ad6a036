/**
 * Where things are in the console, for links from outside it (the tray, notifications, the
 * check editor window). The console routes by path (renderer/router.ts `parseRoute`) and the
 * service answers every such path with the console page, so each is a deep link.
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
} as const;
