/**
 * API contract of silent-failure detection: the Lubdub fields on check and ping
 * JSON, and the routes beside healthchecks v3. Shared by the service and the console.
 */
import type { AssertionEntry, AssertionPreset, AssertionResult, AssertionSpec } from '../domain/assertions.js';
import type { ExtractEntry, ExtractPreset } from '../domain/extract.js';
import type { Metrics } from '../domain/metrics.js';

/** Lubdub fields of a check (read and written through `/api/v3/checks/`); absent until set. */
export interface CheckSilentFields {
  /** what a healthy run looks like; a success breaking one becomes a failure */
  assertions?: AssertionEntry[];
  /** regexes and presets that turn the ping body into metrics */
  extract?: ExtractEntry[];
}

/** Lubdub fields of a ping in `GET …/pings/` and the `ping` event (stored in the ping's extra). */
export interface PingSilentFields {
  /** metrics of the ping: sent (`?metric=`), extracted, and built in (`bytes`, `duration`) */
  metrics?: Metrics;
  /** the reason this success was turned into a failure, e.g. "backup wrote 0 B (written_bytes > 0)" */
  assertion_failed?: string;
  /** every assertion's outcome on this ping (success pings of checks with assertions) */
  assertions?: AssertionResult[];
  /** why extraction found nothing (timeout, worker busy, regex error) */
  extract_error?: string;
}

/** One run in `GET /api/lubdub/checks/<uuid>/metrics`. */
export interface MetricRunJson {
  n: number;
  date: string;
  type: 'success' | 'fail';
  metrics: Metrics;
  assertion_failed?: string;
}

/** The baseline state of one assertion, for the editor ("pending: 3 of 10 runs"). */
export interface AssertionStatusJson extends AssertionSpec {
  /** false when the expression no longer parses (never fails a run) */
  valid: boolean;
  /** pending: fewer passing runs than the baseline needs; such an assertion never fails */
  state: 'ready' | 'pending';
  have: number;
  need: number;
  /** the aggregate (median, mean, …) of the baseline runs, for relative assertions when ready */
  baseline: number | null;
}

/** `GET /api/lubdub/checks/<uuid>/metrics?limit=<n>`: runs oldest first, for charts. */
export interface MetricsReply {
  runs: MetricRunJson[];
  assertions: AssertionStatusJson[];
}

/** `GET /api/lubdub/presets`: extraction presets and the console's assertion presets. */
export interface PresetsReply {
  extract: ExtractPreset[];
  assertions: AssertionPreset[];
}

/** Routes of this feature on the UI port (API key or console session). */
export const SILENT_ROUTES = {
  /** GET → PresetsReply */
  presets: '/api/lubdub/presets',
  /** GET → MetricsReply; `:uuid` is the check */
  metrics: '/api/lubdub/checks/:uuid/metrics',
} as const;
