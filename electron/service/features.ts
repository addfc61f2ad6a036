import { alertsFeature } from './alerts/feature.js';
import type { Fault } from './alerts/outbox.js';
import type { Feature } from './service.js';

/** The features of a full headless service, in start order. */
export function defaultFeatures(): Feature[] {
  // LUBDUB_FAULT is a test-only crash switch (exit-before-delivery, exit-after-claim).
  const fault = (process.env.LUBDUB_FAULT || null) as Fault;
  return [alertsFeature({ fault, userAgent: 'Lubdub/0.1.0' })];
}
