import type { ServiceConfig } from '../service/config.js';
import { loadConfig } from '../service/config.js';

/**
 * The service configuration of the desktop app: the same LUBDUB_* environment variables as
 * `npm run serve`, the data dir in Electron's userData unless LUBDUB_DATA_DIR says
 * otherwise, and the headless node-notifier channel off — the shell shows the service's
 * `notification` events with Electron's Notification instead (no double notification).
 */
export function desktopServiceConfig(env: NodeJS.ProcessEnv, userData: string): ServiceConfig {
  const config = loadConfig([], env);
  if (!env.LUBDUB_DATA_DIR) config.dataDir = userData;
  config.desktopNotifier = false;
  return config;
}
