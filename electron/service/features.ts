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

/** The features of a full headless service, in start order. */
export function defaultFeatures(): Feature[] {
  // LUBDUB_FAULT is a test-only crash switch (exit-before-delivery, exit-after-claim).
  const fault = (process.env.LUBDUB_FAULT || null) as Fault;
  // settings first: saved tunables (base URL, body limit, catch-up window) apply before the others start
  return [settingsFeature(), silentFailures(), learnFeature(), alertsFeature({ fault, userAgent: 'Lubdub/0.1.0' }), consoleFeature(), wrapperFeature(), integrationsFeature(), officeFeature()];
}
