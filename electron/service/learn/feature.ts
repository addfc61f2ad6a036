import { inferSchedule, INFERENCE_WINDOW, type ScheduleSuggestion } from '../../../shared/domain/schedule-inference.js';
import type { CheckRow, Repos } from '../db/repos.js';
import type { Feature } from '../service.js';

/** The check field that turns learning on; auto-created checks without a schedule start with it. */
export const LEARN_FIELD = 'learn_schedule';

/**
 * Suggestions remembered at most (one per learning check; 10,000 take well under 3 MB). A
 * list of more learning checks than this works each one out again on every read, since the
 * oldest entry goes first (bench/learn.ts measures a list of 5,000).
 */
export const SUGGESTION_CACHE_MAX = 10_000;

/** Is this check learning its schedule from its pings? */
export function isLearning(c: CheckRow): boolean {
  return c.extra[LEARN_FIELD] === true && c.kind === 'simple';
}

/**
 * The newest runs' end times of a check and the suggestion they make, recomputed only when
 * the check got a ping or its zone changed (keyed by `n_pings` and `tz`).
 */
class Suggestions {
  private cache = new Map<number, { key: string; s: ScheduleSuggestion | null }>();
  private stmt;
  constructor(
    repos: Repos,
    private readonly hostZone: () => string,
  ) {
    this.stmt = repos.db.prepare(`SELECT created FROM pings WHERE check_id = ? AND kind IN ('success', 'fail') ORDER BY created DESC LIMIT ?`).pluck();
  }
  of(c: CheckRow): ScheduleSuggestion | null {
    const key = `${c.uuid}\u0000${c.nPings}\u0000${c.tz}`;
    const hit = this.cache.get(c.id);
    if (hit && hit.key === key) return hit.s;
    const times = this.stmt.all(c.id, INFERENCE_WINDOW) as number[];
    // The check's own zone first, then this machine's: a job on the same LAN usually keeps its time.
    const s = inferSchedule(times, [...new Set([c.tz, this.hostZone()])]);
    this.cache.delete(c.id);
    if (this.cache.size >= SUGGESTION_CACHE_MAX) this.cache.delete(this.cache.keys().next().value as number);
    this.cache.set(c.id, { key, s });
    return s;
  }
}

function learnRule(v: unknown, name: string): string | null {
  return typeof v === 'boolean' ? null : `${name} must be true or false`;
}

/**
 * Schedules learned from the pings: a check with `learn_schedule` shows `schedule_suggestion`
 * once its runs show a cadence. Nothing is applied: accepting is a normal update (the
 * suggested fields and `learn_schedule: false`).
 */
export function learnFeature(opts: { hostZone?: string } = {}): Feature {
  return {
    setup({ repos }) {
      // Asked when first needed: the first Intl object loads ICU's data, megabytes a service
      // whose checks need no time zone should not carry.
      let zone = opts.hostZone;
      const suggestions = new Suggestions(repos, () => (zone ??= Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC'));
      return {
        checkFields: { rules: { [LEARN_FIELD]: learnRule } },
        derivedCheckFields: [
          (c) => {
            if (!isLearning(c)) return null;
            const s = suggestions.of(c);
            return s ? { schedule_suggestion: s } : null;
          },
        ],
      };
    },
  };
}
