import type { DownReason } from '../../../shared/domain/reasons.js';
import { armedReminder, followingReminder, reminderEveryMs } from '../../../shared/domain/reminders.js';
import type { FlipEvent } from '../../../shared/domain/types.js';
import type { Db } from '../db/open.js';
import type { CheckRepo, CheckRow, FlipRow } from '../db/repos.js';
import type { Bus } from '../events.js';
import { checkJson, flipJson, type ReadContext } from '../serialize.js';

/**
 * The only writer of `flips`, and of what a flip changes beside the check row the caller
 * writes: the compare-and-swap to down of deadlines and monitor-offline holds, and the
 * reminder column `checks.next_reminder`. Every method runs inside the caller's transaction.
 *
 * Reminders are armed here, on the flip path, so that the first one is exactly
 * `reminder_every` after the down flip whichever path wrote it (ping, deadline, offline
 * hold), and an edit of `reminder_every` or a status change arms or clears it (`edited`).
 */
export class FlipWriter {
  private s;

  constructor(
    db: Db,
    /** the check rows: the compare-and-swap to down is their statement */
    private readonly checks: CheckRepo,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insert: p('INSERT INTO flips (check_id, created, old_status, new_status, reason, processed, gap_id) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      reminder: p('SELECT next_reminder FROM checks WHERE id = ?').pluck(),
      setReminder: p('UPDATE checks SET next_reminder = ? WHERE id = ?'),
      claim: p('UPDATE flips SET processed = ?, muted = ? WHERE id = ? AND processed IS NULL'),
      lastDownAt: p("SELECT max(created) FROM flips WHERE check_id = ? AND new_status = 'down'").pluck(),
    };
  }

  /**
   * A flip a ping made. `next` is the check after the ping; the ingest batch writes that row
   * (status, down reason) in the same transaction.
   */
  ping(next: CheckRow, f: FlipEvent): number {
    const id = this.insert(next.id, f, null, null);
    this.rearm(next, f.newStatus === 'down' ? f.at : null);
    return id;
  }

  /** A pause or resume: history only (`processed` set), never delivered as an alert. */
  history(next: CheckRow, f: FlipEvent, processed: number): number {
    const id = this.insert(next.id, f, processed, null);
    this.rearm(next, null);
    return id;
  }

  /**
   * Turns a check down because the clock says so (a deadline, or the end of a monitor-offline
   * hold with `gapId`): a compare-and-swap on the status and deadline that were read, so a
   * ping that moved the deadline meanwhile wins, then the flip row. Null when the swap lost.
   * `statusAt` is the down row's next shown change (a run still open may exceed its grace).
   */
  down(c: CheckRow, f: FlipEvent, reason: DownReason, statusAt: number | null, gapId: number | null): number | null {
    if (c.alertAfter === null) return null;
    if (!this.checks.casDown(c, reason, statusAt)) return null;
    const id = this.insert(c.id, f, null, gapId);
    this.rearm({ ...c, status: 'down' }, f.at);
    return id;
  }

  /** A check was edited (its `reminder_every` may have changed): arms or clears its reminder. */
  edited(c: CheckRow): void {
    this.rearm(c, null);
  }

  /** The reminder due at `due` went out (or was skipped) at `now`: the next one, or none. */
  reminded(c: CheckRow | null, id: number, due: number, now: number): void {
    const every = c && c.status === 'down' ? reminderEveryMs(c.extra) : 0;
    this.s.setReminder.run(every > 0 ? followingReminder(due, now, every) : null, id);
  }

  /** The outbox claims a flip: true when this call marked it (compare-and-swap on processed IS NULL). */
  claim(id: number, now: number, muted: boolean): boolean {
    return this.s.claim.run(now, muted ? 1 : 0, id).changes === 1;
  }

  private insert(checkId: number, f: FlipEvent, processed: number | null, gapId: number | null): number {
    return Number(this.s.insert.run(checkId, f.at, f.oldStatus, f.newStatus, f.reason, processed, gapId).lastInsertRowid);
  }

  /** `downAt`: the time of the down flip just written, if this change is one. */
  private rearm(c: CheckRow, downAt: number | null): void {
    const current = (this.s.reminder.get(c.id) as number | null | undefined) ?? null;
    const every = reminderEveryMs(c.extra);
    // A fresh down flip starts a new reminder series; otherwise a running one is kept.
    const keep = downAt === null ? current : null;
    const from = downAt ?? (c.status === 'down' && every > 0 && keep === null ? (this.s.lastDownAt.get(c.id) as number | null) : null);
    const next = armedReminder(c.status, every, keep, from);
    if (next !== current) this.s.setReminder.run(next, c.id);
  }
}

/** Tells the event stream about a flip written outside the ingest path (deadlines, holds). */
export function publishFlip(bus: Bus, c: CheckRow, flip: Omit<FlipRow, 'checkId' | 'processed'>, ctx: ReadContext): void {
  bus.emit('public', { type: 'flip', data: { check: c.uuid, name: c.name, flip: flipJson({ ...flip, checkId: c.id, processed: null }) } });
  bus.emit('public', { type: 'check', data: checkJson(c, ctx) });
}
