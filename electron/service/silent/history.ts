import type { Db } from '../db/open.js';

/**
 * Reads the baseline of relative assertions: a metric's values in the newest passing runs
 * of a check (success pings, which excludes runs that failed an assertion, so a broken
 * job cannot become its own new normal). Built-in metrics fall back to the ping columns,
 * so `duration` and `bytes` have a history from before assertions were added.
 */
export class MetricHistory {
  private generic;
  private duration;
  private bytes;

  constructor(db: Db) {
    const sql = (expr: string) =>
      db.prepare(
        `SELECT ${expr} AS v FROM pings
         WHERE check_id = @id AND kind = 'success' AND ${expr} IS NOT NULL
         ORDER BY created DESC, n DESC LIMIT @n`,
      );
    this.generic = sql('json_extract(extra, @path)');
    this.duration = sql(`COALESCE(json_extract(extra, '$.metrics.duration'), duration / 1000.0)`);
    this.bytes = sql(`COALESCE(json_extract(extra, '$.metrics.bytes'), body_size)`);
  }

  /** Up to `n` values, newest first. `metric` is a validated name ([a-z0-9_]). */
  last(checkId: number, metric: string, n: number): number[] {
    if (n <= 0) return [];
    let rows: { v: unknown }[];
    if (metric === 'duration') rows = this.duration.all({ id: checkId, n }) as { v: unknown }[];
    else if (metric === 'bytes') rows = this.bytes.all({ id: checkId, n }) as { v: unknown }[];
    else rows = this.generic.all({ id: checkId, n, path: `$.metrics.${metric}` }) as { v: unknown }[];
    return rows.map((r) => Number(r.v)).filter((v) => Number.isFinite(v));
  }
}
