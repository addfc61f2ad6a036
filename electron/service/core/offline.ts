import { isoSeconds } from '../../../shared/api/format.js';
import type { OfflineGapJson } from '../../../shared/api/types.js';
import { applyDeadline, nextStatusChange } from '../../../shared/domain/check-state.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { OFFLINE_DOWN_REASON } from '../../../shared/domain/reasons.js';
import { writeTx } from '../db/open.js';
import type { CheckRow, FlipRow, Repos } from '../db/repos.js';
import type { Bus } from '../events.js';
import type { Log } from '../log.js';
import type { ReadContext } from '../serialize.js';
import { publishFlip, type FlipWriter } from './flips.js';
import type { LateCause, Scheduler, WakeSource } from './scheduler.js';

/** A recorded monitor-offline gap. */
export interface GapRow {
  id: number;
  started: number;
  ended: number;
  windowEnd: number;
  cause: 'start' | LateCause;
  held: number;
  missed: number | null;
}

/** Reads a stored gap row. */
export function toGap(r: Record<string, any>): GapRow {
  return { id: r.id, started: r.started, ended: r.ended, windowEnd: r.window_end, cause: r.cause, held: r.held, missed: r.missed };
}

const ALIVE_KEY = 'alerts.alive_at';
/** How often the service writes that it is alive (SPEC: at least every 30 s). */
export const ALIVE_EVERY_MS = 30_000;

/** What monitor-offline awareness needs. */
export interface OfflineDeps {
  repos: Repos;
  flips: FlipWriter;
  bus: Bus;
  clock: Clock;
  log: Log;
  /** seconds a held check stays in grace */
  catchupWindow: () => number;
  readContext: () => ReadContext;
  poke: (source: string) => void;
}

/** A gap as the API shows it. */
export function gapJson(g: GapRow): OfflineGapJson {
  return {
    id: g.id,
    from: isoSeconds(g.started) as string,
    to: isoSeconds(g.ended) as string,
    cause: g.cause,
    window_end: isoSeconds(g.windowEnd) as string,
    held: g.held,
    missed: g.missed,
  };
}

/**
 * Monitor-offline awareness. Lubdub writes "alive at" every 30 s and on a clean stop. An
 * interval it was not watching (found at start from that timestamp, or when a timer fires
 * far too late after a suspend or clock jump, or on a power "resume") is a gap:
 * 1. every check whose deadline passed by the end of the gap and is not down is held
 *    (hold_until = gap end + catch-up window) in the same transaction as the gap row;
 * 2. while held its status reads `grace` with `monitor_offline: true` (the hold is read
 *    from the row and passed to shared/domain `shownStatus`), the deadline source skips it,
 *    and late pings (`?ts=`) apply at their own time as usual;
 * 3. when the window ends, a held check whose deadline still lies inside the gap flips down
 *    with reason "missed while Lubdub was offline"; those flips carry the gap id, and the
 *    outbox turns all of them into one summary per gap instead of one alert per check.
 * A check whose new deadline (after a late ping) lies after the gap is left to the normal
 * deadline rules.
 */
export class OfflineWatch {
  private lastAliveWrite = 0;
  private s;

  constructor(private deps: OfflineDeps) {
    const p = (sql: string) => deps.repos.db.prepare(sql);
    this.s = {
      insertGap: p('INSERT INTO offline_gaps (started, ended, window_end, cause, held) VALUES (?, ?, ?, ?, 0)'),
      setGapHeld: p('UPDATE offline_gaps SET held = ? WHERE id = ?'),
      addGapMissed: p('UPDATE offline_gaps SET missed = coalesce(missed, 0) + ? WHERE id = ?'),
      gapById: p('SELECT * FROM offline_gaps WHERE id = ?'),
      gaps: p('SELECT * FROM offline_gaps ORDER BY id DESC LIMIT ?'),
      earliestHold: p('SELECT hold_until AS t FROM checks WHERE hold_until IS NOT NULL ORDER BY hold_until LIMIT 1'),
      dueHolds: p('SELECT id, hold_gap, hold_gap_end FROM checks WHERE hold_until IS NOT NULL AND hold_until <= ? ORDER BY hold_until LIMIT ?'),
    };
  }

  /** The newest recorded gaps, newest first. */
  gaps(limit: number): GapRow[] {
    return (this.s.gaps.all(limit) as Record<string, any>[]).map(toGap);
  }

  /** The last recorded "alive" time, or null on a fresh database. */
  aliveAt(): number | null {
    const v = this.deps.repos.settings.get(ALIVE_KEY);
    return v ? Number(v) : null;
  }

  /** Writes "alive now" (every 30 s, on clean stop, before a suspend). */
  markAlive(now = this.deps.clock.now()): void {
    if (!this.deps.repos.db.open) return;
    // Next beat in 30 s whatever happens: a failing disk must not turn the beat into a busy loop.
    this.lastAliveWrite = now;
    try {
      this.deps.repos.settings.set(ALIVE_KEY, String(now));
      this.aliveFailing = false;
    } catch (e) {
      if (!this.aliveFailing) this.deps.log.error(`cannot record that Lubdub is alive (${(e as Error).message}); offline gaps will look longer`);
      this.aliveFailing = true;
    }
  }
  private aliveFailing = false;

  /** At start, before listening: the time since the last "alive" is a gap. */
  onStart(): void {
    const now = this.deps.clock.now();
    const alive = this.aliveAt();
    if (alive !== null && now > alive) {
      try {
        this.gap(alive, now, 'start');
      } catch (e) {
        // A read-only or full database still lets Lubdub start, show its data and answer 503.
        this.deps.log.error(`cannot record the time Lubdub was not running (${(e as Error).message})`);
      }
    }
    this.markAlive(now);
  }

  /** Records a gap and holds the checks whose deadline passed unseen. */
  gap(from: number, to: number, cause: GapRow['cause']): { gap: number; held: number } {
    const windowEnd = to + this.deps.catchupWindow() * 1000;
    const r = writeTx(this.deps.repos.db, () => {
      const gap = Number(this.s.insertGap.run(from, to, windowEnd, cause).lastInsertRowid);
      const held = this.deps.repos.checks.holdDue(gap, to, windowEnd, to);
      this.s.setGapHeld.run(held, gap);
      return { gap, held };
    });
    if (r.held > 0 || cause !== 'start') {
      this.deps.log.info(
        `was not watching from ${new Date(from).toISOString()} to ${new Date(to).toISOString()} (${cause}); ` +
          `${r.held} check(s) held in grace until ${new Date(windowEnd).toISOString()}`,
      );
    }
    this.deps.poke('holds');
    this.deps.poke('deadlines');
    return r;
  }

  /** Scheduler sources: the end of catch-up windows, and the alive beat (every `aliveEveryMs`). */
  sources(aliveEveryMs = ALIVE_EVERY_MS): WakeSource[] {
    return [
      { name: 'holds', next: () => (this.s.earliestHold.get() as { t: number } | undefined)?.t ?? null, run: (now) => this.endHolds(now) },
      { name: 'alive', next: () => (aliveEveryMs > 0 ? this.lastAliveWrite + aliveEveryMs : null), run: (now) => this.markAlive(now) },
    ];
  }

  /** Power events from the desktop shell (POST /api/lubdub/power). */
  power(event: string, scheduler: Scheduler): void {
    const now = this.deps.clock.now();
    if (event === 'suspend' || event === 'shutdown') {
      // The gap a resume finds starts here, not at the last 30 s beat.
      this.markAlive(now);
      scheduler.markSeen(now);
    } else if (event === 'resume') {
      scheduler.tick('power-resume');
    }
  }

  private endHolds(now: number): void {
    const { flips, repos } = this.deps;
    const flipped: { check: CheckRow; gap: number; flip: Omit<FlipRow, 'checkId' | 'processed'> }[] = [];
    writeTx(repos.db, () => {
      const missedByGap = new Map<number, number>();
      for (const h of this.s.dueHolds.all(now, 1000) as { id: number; hold_gap: number; hold_gap_end: number }[]) {
        repos.checks.clearHold(h.id);
        missedByGap.set(h.hold_gap, missedByGap.get(h.hold_gap) ?? 0);
        const c = repos.checks.byId(h.id);
        if (!c || c.status === 'down' || c.alertAfter === null || c.alertAfter > h.hold_gap_end) continue;
        if (applyDeadline(c, now) === null) continue;
        const flip = { at: now, oldStatus: c.status, newStatus: 'down' as const, reason: OFFLINE_DOWN_REASON.code };
        const statusAt = nextStatusChange({ ...c, status: 'down' }, now);
        const flipId = flips.down(c, flip, OFFLINE_DOWN_REASON, statusAt, h.hold_gap);
        if (flipId === null) continue;
        missedByGap.set(h.hold_gap, (missedByGap.get(h.hold_gap) ?? 0) + 1);
        flipped.push({
          check: { ...c, status: 'down', alertAfter: null, statusAt, downReason: OFFLINE_DOWN_REASON.text, downReasonCode: OFFLINE_DOWN_REASON.code, hold: null },
          gap: h.hold_gap,
          flip: { ...flip, id: flipId },
        });
      }
      for (const [gap, n] of missedByGap) this.s.addGapMissed.run(n, gap);
    });
    this.deps.poke('deadlines');
    this.deps.poke('status-changes');
    if (flipped.length === 0) return;
    this.deps.bus.emit('flips');
    const ctx = this.deps.readContext();
    for (const f of flipped) publishFlip(this.deps.bus, f.check, f.flip, ctx);
    for (const gapId of new Set(flipped.map((f) => f.gap))) {
      const g = toGapOrNull(this.s.gapById.get(gapId));
      if (!g) continue;
      const checks = flipped.filter((f) => f.gap === gapId).map((f) => ({ uuid: f.check.uuid, name: f.check.name }));
      this.deps.bus.emit('public', { type: 'offline-summary', data: { from: isoSeconds(g.started) as string, to: isoSeconds(g.ended) as string, checks } });
    }
  }
}

function toGapOrNull(r: unknown): GapRow | null {
  return r ? toGap(r as Record<string, any>) : null;
}
