import { settingsFeature } from './api/settings.js';
import { consoleFeature } from './console.js';
import { alertsFeature } from './alerts/feature.js';
import type { Fault } from './alerts/outbox.js';
import type { Feature } from './service.js';
import { integrationsFeature } from './integrations/feature.js';
import { learnFeature } from './learn/feature.js';
import { officeFeature } from './office/feature.js';
import { silentFailures } from './silent/feature.js';
import { wrapperFeature } from './wrapper/feature.js';

/** "Lubdub itself" heartbeat from LUBDUB_HEARTBEAT_URL, every LUBDUB_HEARTBEAT_MINUTES (default 5), or none. */
function heartbeatFromEnv(env: NodeJS.ProcessEnv = process.env): { url: string; everyMs: number } | null {
  const url = env.LUBDUB_HEARTBEAT_URL;
  if (!url) return null;
  const minutes = Number(env.LUBDUB_HEARTBEAT_MINUTES || 5);
  return { url, everyMs: Math.max(1, Number.isFinite(minutes) ? minutes : 5) * 60_000 };
}

/** The features of a full headless service, in start order. */
export function defaultFeatures(): Feature[] {
  // LUBDUB_FAULT is a test-only crash switch (exit-before-delivery, exit-after-claim).
  const fault = (process.env.LUBDUB_FAULT || null) as Fault;
  // settings first: saved tunables (base URL, body limit, catch-up window) apply before the others start
  return [settingsFeature(), silentFailures(), learnFeature(), alertsFeature({ fault, userAgent: 'Lubdub/0.1.0' }), consoleFeature(), wrapperFeature(), integrationsFeature({ heartbeat: heartbeatFromEnv() }), officeFeature()];
}
