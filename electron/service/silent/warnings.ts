import { warningPrints } from '../../../shared/domain/warnings.js';
import type { Db } from '../db/open.js';

/** Passing runs a new warning is compared with. */
export const WARNING_BASELINE_RUNS = 20;
/** Checks whose fingerprints are remembered at most. */
const CHECKS_MAX = 256;

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The warning fingerprints of a check's newest passing runs (success pings, so a run that
 * failed for a new warning never makes it familiar). Each run's output is fingerprinted
 * once and remembered by its ping number: a ping reads only the numbers, and the bodies of
 * runs it has not seen yet. Only reads SQLite (it runs inside the ingest transaction).
 */
export class WarningBaseline {
  private byCheck = new Map<number, Map<number, Set<string>>>();
  private recent;
  private body;

  constructor(db: Db) {
    this.recent = db.prepare(`SELECT n FROM pings WHERE check_id = ? AND kind = 'success' ORDER BY created DESC, n DESC LIMIT ?`).pluck();
    this.body = db.prepare(`SELECT body FROM pings WHERE check_id = ? AND n = ?`).pluck();
  }

  /** One set of fingerprints per passing run before now, newest first (empty: no passing run yet). */
  known(checkId: number): Set<string>[] {
    const ns = this.recent.all(checkId, WARNING_BASELINE_RUNS) as number[];
    const had = this.byCheck.get(checkId) ?? new Map<number, Set<string>>();
    const now = new Map<number, Set<string>>();
    for (const n of ns) {
      let prints = had.get(n);
      if (!prints) {
        const b = this.body.get(checkId, n) as Buffer | null | undefined;
        prints = warningPrints(b ? decoder.decode(b) : '');
      }
      now.set(n, prints);
    }
    this.byCheck.delete(checkId);
    if (this.byCheck.size >= CHECKS_MAX) this.byCheck.delete(this.byCheck.keys().next().value as number);
    this.byCheck.set(checkId, now);
    return [...now.values()];
  }
}
