import type { AlertKind, AlertMessage } from '../../../shared/alerts/messages.js';
import type { ChannelKind } from '../../../shared/alerts/channel-input.js';
import type { FlipReason, StoredStatus } from '../../../shared/domain/types.js';
import { toGap, type GapRow } from '../core/offline.js';
import type { Db } from '../db/open.js';

/** A stored notification channel. */
export interface ChannelRow {
  id: number;
  uuid: string;
  name: string;
  kind: ChannelKind;
  config: Record<string, unknown>;
  newChecks: boolean;
  created: number;
}

/** A flip waiting in the outbox, with what the claim step needs of its check. */
export interface PendingFlip {
  id: number;
  checkId: number;
  at: number;
  oldStatus: StoredStatus;
  newStatus: StoredStatus;
  reason: FlipReason;
  gapId: number | null;
}

/** A delivery joined with its message. */
export interface DeliveryRow {
  id: number;
  messageId: number;
  messageUuid: string;
  kind: AlertKind;
  checkId: number | null;
  checkUuid: string | null;
  flipId: number | null;
  message: AlertMessage;
  channelUuid: string;
  channelKind: string;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  nextAttempt: number | null;
  lastError: string | null;
  created: number;
  sent: number | null;
}

type Raw = Record<string, any>;

function toChannel(r: Raw): ChannelRow {
  return { id: r.id, uuid: r.uuid, name: r.name, kind: r.kind, config: JSON.parse(r.config), newChecks: !!r.new_checks, created: r.created };
}

function toDelivery(r: Raw): DeliveryRow {
  return {
    id: r.id,
    messageId: r.message_id,
    messageUuid: r.message_uuid,
    kind: r.message_kind,
    checkId: r.check_id,
    checkUuid: r.check_uuid ?? null,
    flipId: r.flip_id,
    message: JSON.parse(r.payload),
    channelUuid: r.channel_uuid,
    channelKind: r.channel_kind,
    status: r.status,
    attempts: r.attempts,
    nextAttempt: r.next_attempt,
    lastError: r.last_error,
    created: r.created,
    sent: r.sent,
  };
}

function toPendingFlip(r: Raw): PendingFlip {
  return { id: r.id, checkId: r.check_id, at: r.created, oldStatus: r.old_status, newStatus: r.new_status, reason: r.reason, gapId: r.gap_id };
}

const DELIVERY_SELECT = `SELECT d.*, m.uuid AS message_uuid, m.kind AS message_kind, m.check_id, m.flip_id, m.payload,
  (SELECT uuid FROM checks WHERE id = m.check_id) AS check_uuid
  FROM deliveries d JOIN messages m ON m.id = d.message_id`;

/** Prepared statements over the alert tables of migration 0002 (channels, outbox, reminders, mutes). */
export class AlertStore {
  private s;

  constructor(readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      channels: p('SELECT * FROM channels ORDER BY id'),
      channelByUuid: p('SELECT * FROM channels WHERE uuid = ?'),
      channelsByName: p('SELECT * FROM channels WHERE name = ? LIMIT 2'),
      insertChannel: p('INSERT INTO channels (uuid, name, kind, config, new_checks, created) VALUES (?, ?, ?, ?, ?, ?)'),
      updateChannel: p('UPDATE channels SET name = ?, config = ?, new_checks = ? WHERE id = ?'),
      deleteChannel: p('DELETE FROM channels WHERE id = ?'),

      unprocessed: p('SELECT * FROM flips WHERE processed IS NULL ORDER BY id LIMIT ?'),
      unprocessedOfGap: p('SELECT * FROM flips WHERE processed IS NULL AND gap_id = ? ORDER BY id'),
      insertMessage: p('INSERT INTO messages (uuid, kind, check_id, flip_id, created, payload) VALUES (?, ?, ?, ?, ?, ?)'),
      insertDelivery: p(
        "INSERT INTO deliveries (message_id, channel_uuid, channel_kind, status, next_attempt, created) VALUES (?, ?, ?, 'pending', ?, ?)",
      ),
      due: p(`${DELIVERY_SELECT} WHERE d.status = 'pending' AND d.next_attempt <= ? ORDER BY d.next_attempt, d.id LIMIT ?`),
      earliestPending: p("SELECT next_attempt AS t FROM deliveries WHERE status = 'pending' ORDER BY next_attempt LIMIT 1"),
      markSending: p("UPDATE deliveries SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'pending'"),
      markSent: p("UPDATE deliveries SET status = 'sent', sent = ?, last_error = ?, next_attempt = NULL WHERE id = ?"),
      markRetry: p("UPDATE deliveries SET status = 'pending', next_attempt = ?, last_error = ? WHERE id = ?"),
      markFailed: p("UPDATE deliveries SET status = 'failed', next_attempt = NULL, last_error = ? WHERE id = ?"),
      resetSending: p("UPDATE deliveries SET status = 'pending', next_attempt = ? WHERE status = 'sending'"),
      deliveryById: p(`${DELIVERY_SELECT} WHERE d.id = ?`),
      lastDownBefore: p("SELECT created FROM flips WHERE check_id = ? AND new_status = 'down' AND id < ? ORDER BY id DESC LIMIT 1"),
      lastDown: p("SELECT created FROM flips WHERE check_id = ? AND new_status = 'down' ORDER BY id DESC LIMIT 1"),
      lastPing: p("SELECT created, body FROM pings WHERE check_id = ? AND kind IN ('success', 'fail', 'start', 'log') ORDER BY created DESC, n DESC LIMIT 1"),


      gapById: p('SELECT * FROM offline_gaps WHERE id = ?'),

      earliestReminder: p('SELECT next_reminder AS t FROM checks WHERE next_reminder IS NOT NULL ORDER BY next_reminder LIMIT 1'),
      dueReminders: p('SELECT id, next_reminder FROM checks WHERE next_reminder IS NOT NULL AND next_reminder <= ? ORDER BY next_reminder LIMIT ?'),

      earliestMuteEnd: p('SELECT mute_until AS t FROM checks WHERE mute_until IS NOT NULL ORDER BY mute_until LIMIT 1'),
      dueMuteEnds: p('SELECT id FROM checks WHERE mute_until IS NOT NULL AND mute_until <= ? ORDER BY mute_until LIMIT ?'),
      setCheckMute: p('UPDATE checks SET mute_until = ? WHERE id = ?'),
      clearCheckMute: p('UPDATE checks SET mute_until = NULL WHERE id = ?'),
      checkMute: p('SELECT mute_until FROM checks WHERE id = ?'),
      downChecks: p("SELECT id FROM checks WHERE status = 'down' ORDER BY name, id"),
    };
  }

  // ---- channels ----
  channels(): ChannelRow[] {
    return (this.s.channels.all() as Raw[]).map(toChannel);
  }
  channelByUuid(uuid: string): ChannelRow | null {
    const r = this.s.channelByUuid.get(uuid) as Raw | undefined;
    return r ? toChannel(r) : null;
  }
  /** Up to two channels with this name (two means ambiguous). */
  channelsByName(name: string): ChannelRow[] {
    return (this.s.channelsByName.all(name) as Raw[]).map(toChannel);
  }
  insertChannel(c: Omit<ChannelRow, 'id'>): ChannelRow {
    const info = this.s.insertChannel.run(c.uuid, c.name, c.kind, JSON.stringify(c.config), c.newChecks ? 1 : 0, c.created);
    return { ...c, id: Number(info.lastInsertRowid) };
  }
  updateChannel(c: ChannelRow): void {
    this.s.updateChannel.run(c.name, JSON.stringify(c.config), c.newChecks ? 1 : 0, c.id);
  }
  /** Deletes a channel; the check service takes it off the checks (it writes their channels). */
  deleteChannel(c: ChannelRow): void {
    this.s.deleteChannel.run(c.id);
  }

  // ---- outbox ----
  unprocessedFlips(limit: number): PendingFlip[] {
    return (this.s.unprocessed.all(limit) as Raw[]).map(toPendingFlip);
  }
  /** Every unprocessed flip of one monitor-offline gap (they make one summary together). */
  unprocessedFlipsOfGap(gapId: number): PendingFlip[] {
    return (this.s.unprocessedOfGap.all(gapId) as Raw[]).map(toPendingFlip);
  }
  insertMessage(uuid: string, m: AlertMessage, checkId: number | null, flipId: number | null, now: number): number {
    return Number(this.s.insertMessage.run(uuid, m.kind, checkId, flipId, now, JSON.stringify(m)).lastInsertRowid);
  }
  insertDelivery(messageId: number, channel: ChannelRow, now: number): number {
    return Number(this.s.insertDelivery.run(messageId, channel.uuid, channel.kind, now, now).lastInsertRowid);
  }
  dueDeliveries(now: number, limit: number): DeliveryRow[] {
    return (this.s.due.all(now, limit) as Raw[]).map(toDelivery);
  }
  earliestPending(): number | null {
    return (this.s.earliestPending.get() as { t: number } | undefined)?.t ?? null;
  }
  markSending(id: number): boolean {
    return this.s.markSending.run(id).changes === 1;
  }
  markSent(id: number, now: number, note: string | null): void {
    this.s.markSent.run(now, note, id);
  }
  markRetry(id: number, next: number, error: string): void {
    this.s.markRetry.run(next, error, id);
  }
  markFailed(id: number, error: string): void {
    this.s.markFailed.run(error, id);
  }
  /** After a crash: sends that were in flight go out again. */
  resetSending(now: number): number {
    return this.s.resetSending.run(now).changes;
  }
  delivery(id: number): DeliveryRow | null {
    const r = this.s.deliveryById.get(id) as Raw | undefined;
    return r ? toDelivery(r) : null;
  }
  listDeliveries(f: { checkId?: number; status?: string; limit: number }): DeliveryRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.checkId !== undefined) {
      where.push('m.check_id = ?');
      args.push(f.checkId);
    }
    if (f.status !== undefined) {
      where.push('d.status = ?');
      args.push(f.status);
    }
    const sql = `${DELIVERY_SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY d.id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, f.limit) as Raw[]).map(toDelivery);
  }
  /** Time of the down flip before flip `beforeId` (or the latest one), for "back up after …". */
  lastDownAt(checkId: number, beforeId?: number): number | null {
    const r = (beforeId === undefined ? this.s.lastDown.get(checkId) : this.s.lastDownBefore.get(checkId, beforeId)) as { created: number } | undefined;
    return r?.created ?? null;
  }
  /** The newest ping of a check by event time (created, body). */
  lastPing(checkId: number): { created: number; body: Buffer | null } | null {
    return (this.s.lastPing.get(checkId) as { created: number; body: Buffer | null } | undefined) ?? null;
  }

  // ---- offline gaps (written by core/offline.ts) ----
  gap(id: number): GapRow | null {
    const r = this.s.gapById.get(id) as Raw | undefined;
    return r ? toGap(r) : null;
  }
  // ---- reminders ----
  earliestReminder(): number | null {
    return (this.s.earliestReminder.get() as { t: number } | undefined)?.t ?? null;
  }
  dueReminders(now: number, limit: number): { id: number; next: number }[] {
    return (this.s.dueReminders.all(now, limit) as Raw[]).map((r) => ({ id: r.id, next: r.next_reminder }));
  }
  // ---- per-check mute ----
  earliestMuteEnd(): number | null {
    return (this.s.earliestMuteEnd.get() as { t: number } | undefined)?.t ?? null;
  }
  dueMuteEnds(now: number, limit: number): number[] {
    return (this.s.dueMuteEnds.all(now, limit) as { id: number }[]).map((r) => r.id);
  }
  setCheckMute(id: number, until: number): void {
    this.s.setCheckMute.run(until, id);
  }
  clearCheckMute(id: number): void {
    this.s.clearCheckMute.run(id);
  }
  checkMutedUntil(id: number): number | null {
    return (this.s.checkMute.get(id) as { mute_until: number | null } | undefined)?.mute_until ?? null;
  }
  /** Ids of checks stored as down, by name. */
  downChecks(): number[] {
    return (this.s.downChecks.all() as { id: number }[]).map((r) => r.id);
  }
}

/** Delivery counts for the metrics page: sent, given up, waiting or in flight, and the last alert's latency. */
export interface AlertFigures {
  sent: number;
  failed: number;
  depth: number;
  /** seconds from the last sent delivery's creation to its sending, or null */
  lastLatency: number | null;
}

/** Reads the outbox's figures (read only; the outbox stays the only writer of deliveries). */
export function alertFigures(db: Db): () => AlertFigures {
  const counts = db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status');
  const last = db.prepare("SELECT sent - created AS ms FROM deliveries WHERE status = 'sent' AND sent IS NOT NULL ORDER BY sent DESC, id DESC LIMIT 1");
  return () => {
    const by: Record<string, number> = {};
    for (const r of counts.all() as { status: string; n: number }[]) by[r.status] = r.n;
    const ms = (last.get() as { ms: number } | undefined)?.ms;
    return {
      sent: by.sent ?? 0,
      failed: by.failed ?? 0,
      depth: (by.pending ?? 0) + (by.sending ?? 0),
      lastLatency: ms === undefined ? null : Math.max(0, ms) / 1000,
    };
  };
}
