/**
 * The console's overview as the service pages it: a window of compact rows in the overview's
 * order, the number of checks the filter matches, the counts of every check and the tags in use.
 * Why paged: with 100,000 checks the whole list is about 100 MB of JSON before the first row.
 */
import { Type, type Static } from 'typebox';
import { CheckJsonSchema, SummarySchema, type CheckJson } from './types.js';

/** Rows one request may ask for. */
export const OVERVIEW_MAX_ROWS = 500;

/** The fields an overview row shows (status, name, tags and why, last ping, deadline, last run, schedule). */
const ROW_FIELDS = [
  'uuid',
  'name',
  'tags',
  'status',
  'monitor_offline',
  'down_reason',
  'last_ping',
  'next_ping',
  'alert_after',
  'last_duration',
  'kind',
  'schedule',
  'tz',
  'timeout',
] as const;

/** One overview row: the check JSON's fields the row shows, nothing else. */
export const OverviewRowSchema = Type.Pick(CheckJsonSchema, ROW_FIELDS);
/** One overview row. */
export type OverviewRow = Static<typeof OverviewRowSchema>;

/** An overview row of a check's JSON (the service's window and the console's events alike). */
export function toOverviewRow(c: CheckJson): OverviewRow {
  const r: Record<string, unknown> = {};
  for (const k of ROW_FIELDS) if (c[k] !== undefined) r[k] = c[k];
  return r as OverviewRow;
}

/** `GET /api/lubdub/overview`: the rows from `offset`, how many match, and the whole list's counts and tags. */
export const OverviewReplySchema = Type.Object({
  /** checks matching the filter */
  total: Type.Integer(),
  offset: Type.Integer(),
  rows: Type.Array(OverviewRowSchema),
  /** counts by status and the worst state, over every check */
  summary: SummarySchema,
  /** every tag in use, sorted */
  tags: Type.Array(Type.String()),
});
/** An overview window. */
export type OverviewReply = Static<typeof OverviewReplySchema>;
