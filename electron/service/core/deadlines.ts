import { alertAfter, applyDeadline, nextStatusChange } from '../../../shared/domain/check-state.js';
import { deadlineDownReason } from '../../../shared/domain/reasons.js';
import { writeTx } from '../db/open.js';
import type { CheckRow, FlipRow, Repos } from '../db/repos.js';
import type { Bus } from '../events.js';
import { checkJson, type ReadContext } from '../serialize.js';
import { publishFlip, type FlipWriter } from './flips.js';
import type { WakeSource } from './scheduler.js';

/** What the deadline source needs. */
export interface DeadlineDeps {
  repos: Repos;
  flips: FlipWriter;
  bus: Bus;
  readContext: () => ReadContext;
}

/** How many due checks one transaction flips; more wait for the next turn (same tick). */
const DEADLINE_BATCH = 500;

/**
 * The deadline source: the earliest `alert_after` of checks not down and not held
 * (one indexed query; a held check waits for the end of its catch-up window, core/offline.ts),
 * and the step that flips overdue checks down through the flip writer, in one
 * BEGIN IMMEDIATE transaction, so a ping that moved the deadline meanwhile wins.
 */
export function deadlineSource(deps: DeadlineDeps): WakeSource {
  const { repos, flips, bus } = deps;
  const db = repos.db;
  const earliest = db.prepare(
    "SELECT alert_after AS t FROM checks WHERE alert_after IS NOT NULL AND status != 'down' AND (hold_until IS NULL OR alert_after > hold_gap_end) ORDER BY alert_after LIMIT 1",
  );
  const due = db.prepare(
    "SELECT id FROM checks WHERE alert_after IS NOT NULL AND status != 'down' AND alert_after <= ? AND (hold_until IS NULL OR alert_after > hold_gap_end) ORDER BY alert_after LIMIT ?",
  );
  return {
    name: 'deadlines',
    next: () => (earliest.get() as { t: number } | undefined)?.t ?? null,
    run: (now) => {
      const flipped: { check: CheckRow; flip: Omit<FlipRow, 'checkId' | 'processed'> }[] = [];
      writeTx(db, () => {
        for (const { id } of due.all(now, DEADLINE_BATCH) as { id: number }[]) {
          const c = repos.checks.byId(id);
          if (!c || c.alertAfter === null) continue;
          const out = applyDeadline(c, now);
          if (!out) {
            // Not down by the clock after all (e.g. a stale alert_after): store the true one,
            // and never leave a past deadline behind, which would spin the timer.
            const t = alertAfter(c);
            repos.checks.setAlertAfter(c.id, t !== null && t > now ? t : null);
            continue;
          }
          const reason = deadlineDownReason(c, out.flip.reason, now);
          const statusAt = nextStatusChange(out.next, now);
          const flipId = flips.down(c, out.flip, reason, statusAt, null);
          if (flipId === null) continue;
          flipped.push({
            check: { ...c, ...out.next, alertAfter: null, statusAt, downReason: reason.text, downReasonCode: reason.code },
            flip: { ...out.flip, id: flipId },
          });
        }
      });
      if (flipped.length === 0) return;
      // The flipped rows' next status change moved (a run still open may exceed its grace).
      bus.emit('deadlines');
      bus.emit('flips');
      const ctx = deps.readContext();
      for (const f of flipped) publishFlip(bus, f.check, f.flip, ctx);
    },
  };
}

/** What the status-change source needs. */
export interface StatusChangeDeps {
  repos: Repos;
  bus: Bus;
  readContext: () => ReadContext;
}

/** How many announcements one turn makes; more wait for the next turn (same tick). */
const STATUS_BATCH = 500;

/**
 * The status-change source: the earliest `status_at` of all checks (one indexed query),
 * and the step that announces each check whose shown status changed by the clock alone
 * (up → grace, grace → down before the deadline source has flipped it, a run exceeding its
 * grace on a check already down, a check found held after a gap). Each due check is sent
 * as a `check` event and its `status_at` moves to its next change (`nextStatusChange`).
 * Registered after the deadline source: a flip at the same instant clears `status_at`
 * first and is announced once, by the flip.
 */
export function statusChangeSource(deps: StatusChangeDeps): WakeSource {
  const { repos, bus } = deps;
  return {
    name: 'status-changes',
    next: () => repos.checks.earliestStatusAt(),
    run: (now) => {
      const changed = writeTx(repos.db, () =>
        repos.checks.dueStatusAt(now, STATUS_BATCH).map((c) => {
          const statusAt = nextStatusChange(c, now);
          repos.checks.setStatusAt(c.id, statusAt);
          return { ...c, statusAt };
        }),
      );
      if (changed.length === 0) return;
      const ctx = deps.readContext();
      for (const c of changed) bus.emit('public', { type: 'check', data: checkJson(c, ctx) });
    },
  };
}

/**
 * Fills `status_at` of rows written before the column existed (or by an older build), so
 * their next status change is announced too. Rows that change by the clock only.
 */
export function fillStatusAt(repos: Repos, now: number): number {
  return writeTx(repos.db, () => {
    let n = 0;
    for (const c of repos.checks.missingStatusAt()) {
      const t = nextStatusChange(c, now);
      if (t === null) continue;
      repos.checks.setStatusAt(c.id, t);
      n++;
    }
    return n;
  });
}
