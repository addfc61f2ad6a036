import crypto from 'node:crypto';
import { firstLine, isoMillis, isoSeconds } from '../../../shared/api/format.js';
import type { DeliveryJson } from '../../../shared/api/types.js';
import type { ChannelKind } from '../../../shared/alerts/channel-input.js';
import { downMessage, hostBackMessage, hostLabel, hostQuietMessage, offlineSummary, plainText, upMessage, type AlertCheck, type AlertMessage } from '../../../shared/alerts/messages.js';
import { computeStatus } from '../../../shared/domain/check-state.js';
import type { FlipWriter } from '../core/flips.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { reasonWords } from '../../../shared/domain/reasons.js';
import { MINUTE, SECOND, HOUR, type FlipReason } from '../../../shared/domain/types.js';
import { writeTx } from '../db/open.js';
import type { CheckRow, Repos } from '../db/repos.js';
import type { Bus } from '../events.js';
import type { Log } from '../log.js';
import { bodyText, type Urls } from '../serialize.js';
import type { Sender, SendResult } from './channels/types.js';
import type { AlertStore, ChannelRow, DeliveryRow, PendingFlip } from './store.js';
import type { HostGroup, HostGroups } from './host-groups.js';
import { CONSOLE_PATHS } from '../../../shared/api/console-routes.js';

/**
 * Waits between attempts of a failed send; after the last one the delivery gives up
 * (about 4 h 11 min after the first try), recorded as `failed` with its last error.
 */
export const RETRY_DELAYS_MS = [10 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR];

/** Crash-injection switches for the exactly-once tests (env `LUBDUB_FAULT`). */
export type Fault = 'exit-before-delivery' | 'exit-after-claim' | null;

/** What the outbox needs. */
export interface OutboxDeps {
  repos: Repos;
  store: AlertStore;
  /** claims flips (the flip writer owns every write to `flips`) */
  flips: FlipWriter;
  bus: Bus;
  clock: Clock;
  log: Log;
  urls: Urls;
  senders: Record<ChannelKind, Sender>;
  /** is this check snoozed (globally or alone) at time `at`? */
  isMuted: (checkId: number, at: number) => boolean;
  /** the earliest pending retry may have changed: re-arm the scheduler */
  poke: () => void;
  fault?: Fault;
  /** sends at once (default `MAX_IN_FLIGHT`) */
  maxInFlight?: number;
  /** host-quiet grouping: which flips wait and which alert together */
  hosts?: HostGroups;
}

/**
 * Sends in flight at once. Why this many: each refill of the free slots costs a commit, so
 * when a thousand deadlines fall in the same second the slots decide how many round trips
 * the wave takes; 64 open requests are still nothing for a receiver or for us.
 */
const MAX_IN_FLIGHT = 64;

/** How a delivery row reads in the API and the event stream. */
export function deliveryJson(d: DeliveryRow): DeliveryJson {
  return {
    id: d.id,
    message: d.messageUuid,
    kind: d.kind,
    title: d.message.title,
    body: d.message.body,
    check: d.checkUuid ?? d.message.check?.uuid ?? null,
    flip_id: d.flipId,
    channel: d.channelUuid,
    channel_kind: d.channelKind,
    status: d.status,
    attempts: d.attempts,
    last_error: d.lastError,
    next_attempt: d.nextAttempt === null ? null : isoMillis(d.nextAttempt),
    created: isoMillis(d.created),
    sent: d.sent === null ? null : isoMillis(d.sent),
  };
}

/** How long a check was down; unknown when a late ping's up flip predates the down flip. */
function downFor(upAt: number, downAt: number | null): number | null {
  return downAt === null || upAt < downAt ? null : upAt - downAt;
}

function killSelf(log: Log, why: string): never {
  log.fatal(`fault injection (${why}): killing the process with SIGKILL`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

/**
 * The alert outbox: flips become messages, messages become one delivery per channel, and
 * each delivery is sent until it succeeds or gives up. Every step is a committed row, so a
 * crash at any point resumes where it stopped after restart.
 *
 * Claim (one BEGIN IMMEDIATE transaction, like healthchecks' sendalerts):
 * 1. read unprocessed flips (`processed IS NULL`) in id order;
 * 2. decide per flip: history only (to/from new or paused), muted (snoozed: recorded, not
 *    sent), part of a monitor-offline gap (one summary per gap), waiting for its host's
 *    window (left unclaimed), part of a host group (one alert per host), or an alert;
 * 3. render each alert once and insert one pending delivery per channel of the check;
 * 4. mark the flips processed with a compare-and-swap on `processed IS NULL`.
 * Deliver:
 * 5. take due pending deliveries, mark each `sending` with attempts+1 (committed before
 *    the network call), send, then mark `sent`, or back to `pending` with the next backoff,
 *    or `failed` after the last one; each result is an event on the stream.
 * A crash between 4 and 5 leaves pending rows: sent after restart. A crash during a send
 * leaves a `sending` row: sent again after restart, with the same `delivery_id`.
 */
export class Outbox {
  private inFlight = new Map<number, Promise<void>>();
  private pumpQueued = false;
  private stopped = false;

  constructor(private deps: OutboxDeps) {}

  /** Something was written (a flip, a message): claim and send soon, after the current turn. */
  wake(): void {
    if (this.pumpQueued || this.stopped) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Claims everything unprocessed, then sends what is due. */
  pump(): void {
    if (this.stopped) return;
    try {
      while (this.claim(this.deps.clock.now()) > 0) {
        // keep claiming in batches
      }
    } catch (e) {
      this.deps.log.error(`outbox claim failed: ${(e as Error).message}`);
    }
    this.deliverDue();
  }

  /** The earliest pending delivery (for the scheduler); none while every send slot is busy. */
  next(): number | null {
    if (this.inFlight.size >= (this.deps.maxInFlight ?? MAX_IN_FLIGHT)) return null;
    return this.deps.store.earliestPending();
  }

  /** On start: sends interrupted by a crash go out again. */
  recover(now: number): number {
    return writeTx(this.deps.repos.db, () => this.deps.store.resetSending(now));
  }

  /** Waits (at most `ms`) for sends in flight, then refuses new work. */
  async stop(ms = 3000): Promise<void> {
    this.stopped = true;
    const all = Promise.allSettled([...this.inFlight.values()]);
    await Promise.race([all, new Promise((r) => setTimeout(r, ms).unref())]);
  }

  // ---- claim -------------------------------------------------------------

  /** Steps 1-4; returns how many flips were processed. */
  claim(now: number): number {
    const { store, repos } = this.deps;
    const peek = store.unprocessedFlips(200);
    if (peek.length === 0) return 0;
    if (this.deps.fault === 'exit-before-delivery' && peek.some((f) => f.newStatus === 'down')) {
      killSelf(this.deps.log, 'exit-before-delivery, after the flip commit and before any delivery');
    }
    let created = 0;
    const n = writeTx(repos.db, () => {
      const flips = store.unprocessedFlips(200);
      // A gap's flips all join its one summary, even beyond this batch.
      const gapIds = new Set(flips.filter((f) => f.gapId !== null).map((f) => f.gapId as number));
      const extra = [...gapIds].flatMap((g) => store.unprocessedFlipsOfGap(g)).filter((f) => !flips.some((x) => x.id === f.id));
      const gaps = new Map<number, { flip: PendingFlip; check: CheckRow }[]>();
      const plan = this.deps.hosts?.plan(flips, now);
      const hostGroups = new Map<HostGroup, { flip: PendingFlip; check: CheckRow }[]>();
      for (const f of [...flips, ...extra]) {
        if (plan?.held.has(f.id)) continue;
        const check = repos.checks.byId(f.checkId);
        const alertable = f.newStatus === 'down' || (f.newStatus === 'up' && f.oldStatus !== 'new' && f.oldStatus !== 'paused');
        const muted = alertable && this.deps.isMuted(f.checkId, f.at);
        if (!this.deps.flips.claim(f.id, now, muted)) continue;
        if (!check || !alertable || muted) continue;
        if (f.gapId !== null && f.newStatus === 'down') {
          const list = gaps.get(f.gapId) ?? [];
          list.push({ flip: f, check });
          gaps.set(f.gapId, list);
          continue;
        }
        const group = plan?.groupOf.get(f.id);
        if (group) {
          hostGroups.set(group, [...(hostGroups.get(group) ?? []), { flip: f, check }]);
          continue;
        }
        created += this.alertOne(f, check, now);
      }
      for (const [gapId, items] of gaps) created += this.enqueueGapSummary(gapId, items, now);
      for (const [group, items] of hostGroups) {
        // a group that muting left with one job alerts as that job
        if (items.length < 2) for (const i of items) created += this.alertOne(i.flip, i.check, now);
        else created += this.enqueueHostGroup(group, items, now);
      }
      return flips.length + extra.length - (plan?.held.size ?? 0);
    });
    if (created > 0) {
      if (this.deps.fault === 'exit-after-claim') killSelf(this.deps.log, 'exit-after-claim, after the deliveries were committed');
      this.deps.poke();
    }
    return n;
  }

  /** One flip's own alert (inside the claim's transaction); returns the deliveries created. */
  private alertOne(f: PendingFlip, check: CheckRow, now: number): number {
    const info = this.checkInfo(check, now, f.newStatus, f.reason);
    const at = isoSeconds(f.at) as string;
    const msg =
      f.newStatus === 'down' ? downMessage(info, at) : upMessage(info, downFor(f.at, this.deps.store.lastDownAt(f.checkId, f.id)), at);
    return this.enqueue(msg, this.channelsOf(check), check.id, f.id, now);
  }

  private enqueueHostGroup(group: HostGroup, items: { flip: PendingFlip; check: CheckRow }[], now: number): number {
    const host = hostLabel(group.addr, this.deps.hosts?.nameOf(group.addr) ?? null);
    const at = isoSeconds(items[0].flip.at) as string;
    const render = group.kind === 'down' ? (c: AlertCheck[]) => hostQuietMessage(host, c, at) : (c: AlertCheck[]) => hostBackMessage(host, c, at);
    return this.enqueueSummaries(
      items.map((i) => i.check),
      now,
      render,
      group.kind,
    );
  }

  private enqueueGapSummary(gapId: number, items: { flip: PendingFlip; check: CheckRow }[], now: number): number {
    const gap = this.deps.store.gap(gapId);
    const from = gap?.started ?? items[0].flip.at;
    const to = gap?.ended ?? items[0].flip.at;
    const at = isoSeconds(items[0].flip.at) as string;
    // One summary per gap: each channel gets one message listing its own checks.
    return this.enqueueSummaries(
      items.map((i) => i.check),
      now,
      (checks) => offlineSummary(checks, from, to, at),
    );
  }

  /**
   * One summary message per channel, listing the down checks that channel watches
   * (inside a transaction); returns the deliveries created.
   */
  enqueueSummaries(checks: CheckRow[], now: number, render: (checks: AlertCheck[]) => AlertMessage, status: 'down' | 'up' = 'down'): number {
    const byChannel = new Map<string, { channel: ChannelRow; checks: AlertCheck[] }>();
    for (const c of checks) {
      const info = this.checkInfo(c, now, status);
      for (const ch of this.channelsOf(c)) {
        const e = byChannel.get(ch.uuid) ?? { channel: ch, checks: [] };
        e.checks.push(info);
        byChannel.set(ch.uuid, e);
      }
    }
    let n = 0;
    for (const { channel, checks: list } of byChannel.values()) n += this.enqueue(render(list), [channel], null, null, now);
    return n;
  }

  /** Inserts a message and one pending delivery per channel (call inside a transaction). */
  enqueue(msg: AlertMessage, channels: ChannelRow[], checkId: number | null, flipId: number | null, now: number): number {
    if (channels.length === 0) return 0;
    const id = this.deps.store.insertMessage(crypto.randomUUID(), msg, checkId, flipId, now);
    for (const ch of channels) this.deps.store.insertDelivery(id, ch, now);
    return channels.length;
  }

  /** The channels of a check that still exist. */
  channelsOf(c: CheckRow): ChannelRow[] {
    const out: ChannelRow[] = [];
    for (const uuid of new Set(c.channels.split(',').filter(Boolean))) {
      const ch = this.deps.store.channelByUuid(uuid);
      if (ch) out.push(ch);
    }
    return out;
  }

  /**
   * A check as alerts describe it: every string from a user or a ping made plain text.
   * The flip's reason code gives the words when the check has moved on since its flip.
   */
  checkInfo(c: CheckRow, now: number, status?: string, flipReason: FlipReason = ''): AlertCheck {
    const last = this.deps.store.lastPing(c.id);
    const shown = status ?? computeStatus(c, now);
    return {
      uuid: c.uuid,
      name: plainText(c.name, 100),
      status: shown,
      reason: shown === 'down' ? plainText(c.downReason || reasonWords(flipReason), 200) : '',
      reason_code: shown === 'down' ? (c.status === 'down' ? c.downReasonCode : flipReason) : '',
      last_ping: isoSeconds(c.lastPing),
      last_body: last ? plainText(firstLine(bodyText(last.body)), 200) : '',
      console_url: this.deps.urls.ui + CONSOLE_PATHS.alertLink(c.uuid),
    };
  }

  // ---- deliver -----------------------------------------------------------

  /** Step 5 for every due delivery, up to the in-flight limit. */
  deliverDue(): void {
    if (this.stopped) return;
    const max = this.deps.maxInFlight ?? MAX_IN_FLIGHT;
    const room = max - this.inFlight.size;
    if (room <= 0) return;
    const now = this.deps.clock.now();
    // One commit marks the whole batch `sending` before any request leaves.
    const batch = writeTx(this.deps.repos.db, () =>
      this.deps.store.dueDeliveries(now, room).filter((d) => !this.inFlight.has(d.id) && this.deps.store.markSending(d.id)),
    );
    for (const d of batch) {
      const p = this.sendOne({ ...d, attempts: d.attempts + 1, status: 'sending' });
      this.inFlight.set(d.id, p);
    }
  }

  private async sendOne(d: DeliveryRow): Promise<void> {
    const channel = this.deps.store.channelByUuid(d.channelUuid);
    let result: SendResult;
    if (!channel) result = { ok: false, error: 'channel was deleted', permanent: true };
    else {
      try {
        result = await this.deps.senders[channel.kind].send(d.message, { messageUuid: d.messageUuid, channel, attempt: d.attempts });
      } catch (e) {
        result = { ok: false, error: (e as Error).message };
      }
    }
    // Why batched: results that finish together share one commit (one fsync), as pings do.
    await new Promise<void>((resolve) => {
      this.finished.push({ d, result, resolve });
      if (this.finished.length === 1) setImmediate(() => this.recordResults());
    });
  }

  private finished: { d: DeliveryRow; result: SendResult; resolve: () => void }[] = [];

  private recordResults(): void {
    const done = this.finished;
    this.finished = [];
    const { store } = this.deps;
    if (!this.deps.repos.db.open) {
      done.forEach((x) => x.resolve());
      return;
    }
    const now = this.deps.clock.now();
    writeTx(this.deps.repos.db, () => {
      for (const { d, result } of done) {
        const error = result.error ? plainText(result.error, 300) : null;
        if (result.ok) store.markSent(d.id, now, error);
        else if (result.permanent || d.attempts > RETRY_DELAYS_MS.length) store.markFailed(d.id, error ?? 'failed');
        else store.markRetry(d.id, now + RETRY_DELAYS_MS[d.attempts - 1], error ?? 'failed');
      }
    });
    for (const { d, result, resolve } of done) {
      this.inFlight.delete(d.id);
      resolve();
      const row = store.delivery(d.id);
      if (!row) continue;
      if (row.status === 'failed') {
        this.deps.log.error(`gave up sending "${row.message.title}" to ${row.channelKind} channel ${row.channelUuid} after ${row.attempts} attempts: ${row.lastError}`);
      }
      this.deps.bus.emit('public', {
        type: 'delivery',
        data: { ...deliveryJson(row), flip_id: row.flipId ?? 0, channel: row.channelUuid, ok: result.ok, error: row.lastError, attempts: row.attempts },
      });
    }
    this.deps.poke();
    this.deliverDue();
  }
}
