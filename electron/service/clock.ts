import type { Clock } from '../../shared/domain/clock.js';

/** The wall clock, for production wiring only (the domain in shared/ never reads it). */
export const systemClock: Clock = { now: () => Date.now() };
