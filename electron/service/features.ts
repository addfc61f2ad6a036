import type { Feature } from './service.js';
import { silentFailures } from './silent/feature.js';

/** The features of a full headless service, in start order. */
export function defaultFeatures(): Feature[] {
  return [silentFailures()];
}
