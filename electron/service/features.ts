import { settingsFeature } from './api/settings.js';
import { consoleFeature } from './console.js';
import type { Feature } from './service.js';
import { wrapperFeature } from './wrapper/feature.js';

/** The features of a full headless service, in start order. */
export function defaultFeatures(): Feature[] {
  // settings first: saved tunables (base URL, body limit, catch-up window) apply before the others start
  return [settingsFeature(), consoleFeature(), wrapperFeature()];
}
