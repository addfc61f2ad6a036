import type { PowerEvent } from '../../shared/api/routes.js';
import type { ShellConnection } from './connection.js';
import type { ElectronApi } from './electron-api.js';

/** Electron's powerMonitor events and what the service is told for each. */
export const POWER_EVENTS = {
  suspend: 'suspend',
  resume: 'resume',
  'lock-screen': 'lock',
  'unlock-screen': 'unlock',
  shutdown: 'shutdown',
} as const satisfies Record<string, PowerEvent>;

/** What power handling needs. */
export interface PowerContext {
  electron: ElectronApi;
  connection: ShellConnection;
  /** quits the app (after a `shutdown` was reported) */
  quit: () => void;
  /** delay between attempts to report `resume` while the network comes back */
  retryDelayMs?: number;
}

/** Tries `fn` up to `attempts` times, `delayMs` apart. */
async function withRetry(fn: () => Promise<void>, attempts: number, delayMs: number): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

/**
 * Reports sleep, wake, lock and shutdown to the service, which uses them for its
 * monitor-offline awareness: deadlines that passed while the machine slept are not
 * failures at once (SPEC §8). The service also notices sleep by itself (a timer firing
 * late); these reports make it exact.
 */
export function setupPower(ctx: PowerContext): { reported: PowerEvent[] } {
  const { powerMonitor } = ctx.electron;
  const reported: PowerEvent[] = [];
  const delay = ctx.retryDelayMs ?? 1000;
  const report = (event: PowerEvent, attempts: number) =>
    withRetry(() => ctx.connection.power(event), attempts, delay).then(
      () => void reported.push(event),
      (e) => console.error(`lubdub: could not report ${event} to the service: ${(e as Error).message}`),
    );

  // Suspend: one quick try — the machine is going to sleep now, there is no time to retry.
  powerMonitor.on('suspend', () => void report(POWER_EVENTS.suspend, 1));
  powerMonitor.on('resume', () => {
    // After sleep the event stream is usually dead without knowing it, and the network
    // (remote mode) may need a few seconds: reconnect at once, keep trying to report.
    ctx.connection.restart();
    void report(POWER_EVENTS.resume, 10);
  });
  powerMonitor.on('lock-screen', () => void report(POWER_EVENTS['lock-screen'], 3));
  powerMonitor.on('unlock-screen', () => void report(POWER_EVENTS['unlock-screen'], 3));
  powerMonitor.on('shutdown', () => {
    void report(POWER_EVENTS.shutdown, 1).finally(ctx.quit);
  });
  return { reported };
}
