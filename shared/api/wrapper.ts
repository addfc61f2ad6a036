import { shellQuote } from '../security/quote.js';
import { normalizeBaseUrl } from './settings.js';

/** Where the install lines put lubdub-run by default. */
export const WRAPPER_DEST = '/usr/local/bin/lubdub-run';

/**
 * The one-line installs of lubdub-run from a Lubdub ping base URL (e.g.
 * `http://nas.local:8420`), for the README and the console's snippets: curl, and
 * BusyBox/GNU wget for NAS firmware without curl.
 */
export function wrapperInstallLines(pingBase: string, dest = WRAPPER_DEST): { curl: string; wget: string } {
  const url = `${normalizeBaseUrl(pingBase)}/wrap.sh`;
  return {
    curl: `curl -fsS ${shellQuote(url)} -o ${shellQuote(dest)} && chmod +x ${shellQuote(dest)}`,
    wget: `wget -q -O ${shellQuote(dest)} ${shellQuote(url)} && chmod +x ${shellQuote(dest)}`,
  };
}

/** A crontab line that runs `command` (a shell command line, as written) under lubdub-run, reporting to `pingUrl`. */
export function wrappedCronLine(schedule: string, pingUrl: string, command: string, dest = WRAPPER_DEST): string {
  return `${schedule.trim().split(/\s+/).join(' ')} ${shellQuote(dest)} ${shellQuote(pingUrl)} -- ${command}`;
}
