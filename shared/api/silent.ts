/**
 * API contract of silent-failure detection: the Lubdub fields on check and ping
 * JSON, and the routes beside healthchecks v3. Shared by the service and the console.
 */
import { Type, type Static } from 'typebox';
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
  /** the warning/error lines never seen in the passing runs before (checks asserting on `new_warnings`) */
  new_warning_lines?: string[];
}

const MetricsSchema = Type.Unsafe<Metrics>(Type.Record(Type.String(), Type.Number()));

/** One run in `GET /api/lubdub/checks/<uuid>/metrics`. */
export const MetricRunJsonSchema = Type.Object({
  n: Type.Integer(),
  date: Type.String(),
  type: Type.Enum(['success', 'fail']),
  metrics: MetricsSchema,
  assertion_failed: Type.Optional(Type.String()),
});
/** One run with its metrics. */
export type MetricRunJson = Static<typeof MetricRunJsonSchema>;

/** The baseline state of one assertion, for the editor ("pending: 3 of 10 runs"). */
export const AssertionStatusJsonSchema = Type.Object({
  expr: Type.String(),
  message: Type.Optional(Type.String()),
  missing: Type.Optional(Type.Enum(['pass', 'fail'])),
  /** false when the expression no longer parses (never fails a run) */
  valid: Type.Boolean(),
  /** pending: fewer passing runs than the baseline needs; such an assertion never fails */
  state: Type.Enum(['ready', 'pending']),
  have: Type.Integer(),
  need: Type.Integer(),
  /** the aggregate (median, mean, …) of the baseline runs, for relative assertions when ready */
  baseline: Type.Union([Type.Number(), Type.Null()]),
});
/** The baseline state of one assertion. */
export type AssertionStatusJson = Static<typeof AssertionStatusJsonSchema> & AssertionSpec;

/** `GET /api/lubdub/checks/<uuid>/metrics?limit=<n>`: runs oldest first, for charts. */
export const MetricsReplySchema = Type.Object({
  runs: Type.Array(MetricRunJsonSchema),
  assertions: Type.Array(AssertionStatusJsonSchema),
});
/** Runs and assertion states of one check. */
export type MetricsReply = Static<typeof MetricsReplySchema>;

/** `GET /api/lubdub/presets`: extraction presets and the console's assertion presets (owned by shared/domain). */
export const PresetsReplySchema = Type.Object({
  extract: Type.Unsafe<ExtractPreset[]>(Type.Array(Type.Object({ id: Type.String(), label: Type.String() }))),
  assertions: Type.Unsafe<AssertionPreset[]>(Type.Array(Type.Object({ id: Type.String(), label: Type.String() }))),
});
/** Extraction and assertion presets. */
export type PresetsReply = Static<typeof PresetsReplySchema>;
