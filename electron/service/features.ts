import type { Feature } from './service.js';
import { wrapperFeature } from './wrapper/feature.js';

/** The features of a full headless service, in start order. */
export function defaultFeatures(): Feature[] {
  return [wrapperFeature()];
}
