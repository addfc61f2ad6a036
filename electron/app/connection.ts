import { EventEmitter } from 'node:events';
import { summarize } from '../../shared/api/summary.js';
import type { CheckJson, NotificationJson, ServiceEvent, Summary } from '../../shared/api/types.js';
import type { Clock } from '../../shared/domain/clock.js';
import { STREAM_IDLE_MS, type EventStream, type PowerEvent, type ServiceClient } from './client.js';

/** What the connection tells the rest of the shell. */
export interface ConnectionEvents {
  /** connected/disconnected, or the checks or snooze changed */
  change: [];
  /** the service's desktop channel decided to show this (after its snooze/mute rules) */
  notification: [NotificationJson];
}

/** Tuning of reconnects and refreshes (tests shorten them). */
export interface ConnectionOptions {
  /** a stream silent this long is dropped (the service keeps it alive every 25 s) */
  streamIdleMs?: number;
  /** first reconnect delay; doubles up to `maxBackoffMs` */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** longest time between two full refreshes while connected */
  maxRefreshMs?: number;
}

/**
 * When to re-read the checks although no event came: the service computes `grace` from
 * the clock when a read happens, so it does not push an event the moment a check becomes
 * late. The next such moment is the soonest `next_ping` of a check that is up (it may turn
 * late) or `alert_after` of one that is late (it may turn down, if the scheduler did not
 * push that). Returns a delay in ms, between 1 s and `max`.
 */
export function nextRefreshDelay(checks: Iterable<CheckJson>, now: number, max = 10 * 60_000): number {
  let soonest = Infinity;
  for (const c of checks) {
    const at = c.status === 'up' || c.status === 'started' ? c.next_ping : c.status === 'grace' ? c.alert_after : null;
    const t = at ? Date.parse(at) : NaN;
    if (Number.isFinite(t) && t < soonest) soonest = t;
  }
  // One second after the instant: the service's status flips at it, not before.
  return Math.min(max, Math.max(1000, soonest - now + 1000));
}

/**
 * The shell's live view of the service: one event stream (reconnected with backoff), a
 * snapshot of the checks and summary taken each time the stream opens, and the events
 * applied on top. Holds no business rule: statuses come from the service, the summary
 * from the shared `summarize`.
 */
export class ShellConnection extends EventEmitter<ConnectionEvents> {
  private stream: EventStream | null = null;
  private stopped = true;
  private connected = false;
  private snapshotDone = false;
  private pending: ServiceEvent[] = [];
  private checkMap = new Map<string, CheckJson>();
  private mutedUntil: string | null = null;
  private backoff: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private refreshAt = Infinity;
  private seenNotifications: string[] = [];
  private readonly opts: Required<ConnectionOptions>;

  constructor(
    readonly client: ServiceClient,
    private readonly clock: Clock,
    opts: ConnectionOptions = {},
  ) {
    super();
    this.opts = { minBackoffMs: 500, maxBackoffMs: 30_000, maxRefreshMs: 10 * 60_000, streamIdleMs: STREAM_IDLE_MS, ...opts };
    this.backoff = this.opts.minBackoffMs;
  }

  /** The service's summary, or null while not connected (the tray shows "disconnected"). */
  get summary(): Summary | null {
    if (!this.connected || !this.snapshotDone) return null;
    return summarize([...this.checkMap.values()], this.mutedUntil);
  }

  /** The checks as last seen. */
  get checks(): CheckJson[] {
    return [...this.checkMap.values()];
  }

  /** Is the event stream open and the snapshot loaded? */
  get isConnected(): boolean {
    return this.connected && this.snapshotDone;
  }

  /** Opens the stream and keeps it open until `stop()`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  /** Closes the stream and every timer. */
  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.stream?.close();
    this.stream = null;
  }

  /** Drops the wait and reconnects at once (tray "Reconnect now", after resume). */
  reconnectNow(): void {
    if (this.stopped) return;
    if (this.isConnected) return;
    this.clearTimers();
    this.stream?.close();
    this.stream = null;
    this.backoff = this.opts.minBackoffMs;
    this.open();
  }

  /**
   * Drops the stream even if it looks open and reconnects at once (after the machine woke
   * up: the old connection is most likely dead without knowing it).
   */
  restart(): void {
    if (this.stopped) return;
    this.clearTimers();
    const old = this.stream;
    this.stream = null;
    old?.close();
    if (this.connected) {
      this.connected = false;
      this.snapshotDone = false;
      this.emit('change');
    }
    this.backoff = this.opts.minBackoffMs;
    this.open();
  }

  /** Snoozes notifications until `until` (ms) or ends the snooze (null), then re-reads the summary. */
  async setMute(until: number | null): Promise<void> {
    await this.client.mute(until);
    const s = await this.client.summary();
    this.mutedUntil = s.muted_until;
    this.emit('change');
  }

  /** Reports a power event to the service. */
  power(event: PowerEvent): Promise<void> {
    return this.client.power(event);
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.reconnectTimer = this.refreshTimer = null;
  }

  private open(): void {
    this.snapshotDone = false;
    this.pending = [];
    const stream = this.client.events(
      (e) => this.onEvent(e),
      () => {
        this.connected = true;
        this.backoff = this.opts.minBackoffMs;
        void this.snapshot(stream);
      },
      this.opts.streamIdleMs,
    );
    this.stream = stream;
    void stream.closed.then(() => {
      if (this.stream !== stream) return;
      this.stream = null;
      const was = this.isConnected;
      this.connected = false;
      this.snapshotDone = false;
      if (this.refreshTimer) clearTimeout(this.refreshTimer);
      this.refreshTimer = null;
      if (was) this.emit('change');
      if (this.stopped) return;
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        if (!this.stopped) this.open();
      }, this.backoff);
      this.backoff = Math.min(this.opts.maxBackoffMs, this.backoff * 2);
    });
  }

  /**
   * Loads checks and summary after the stream opened. Events that arrive meanwhile are
   * held and applied on top, so a change between the two is never overwritten by an older
   * snapshot.
   */
  private async snapshot(stream: EventStream): Promise<void> {
    try {
      const [summary, checks] = await Promise.all([this.client.summary(), this.client.checks()]);
      if (this.stream !== stream) return;
      this.checkMap = new Map(checks.map((c) => [c.uuid, c]));
      this.mutedUntil = summary.muted_until;
      this.snapshotDone = true;
      const held = this.pending;
      this.pending = [];
      for (const e of held) this.apply(e);
      this.emit('change');
      this.armRefresh();
    } catch {
      // The stream is up but the API is not answering: drop it and retry with backoff.
      if (this.stream === stream) stream.close();
    }
  }

  /** Arms the refresh timer from all checks, or only sooner when `one` check changed. */
  private armRefresh(one?: CheckJson): void {
    const now = this.clock.now();
    const at = now + nextRefreshDelay(one ? [one] : this.checkMap.values(), now, this.opts.maxRefreshMs);
    // A burst of check events (a ping storm) must not rescan every check each time.
    if (one && this.refreshTimer && at >= this.refreshAt) return;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshAt = at;
    this.refreshTimer = setTimeout(() => void this.refresh(), at - now);
    this.refreshTimer.unref?.();
  }

  /** Re-reads checks and summary (also used after a flip). */
  async refresh(): Promise<void> {
    if (!this.isConnected) return;
    const stream = this.stream;
    try {
      const [summary, checks] = await Promise.all([this.client.summary(), this.client.checks()]);
      if (this.stream !== stream || !this.isConnected) return;
      this.checkMap = new Map(checks.map((c) => [c.uuid, c]));
      this.mutedUntil = summary.muted_until;
      this.emit('change');
    } catch {
      // A failed refresh leaves the last view; the stream's health decides "disconnected".
    }
    if (this.isConnected && this.stream === stream) this.armRefresh();
  }

  private onEvent(e: ServiceEvent): void {
    if (!this.snapshotDone) {
      // Notifications are shown at once; state changes wait for the snapshot.
      if (e.type === 'notification') this.notify(e.data);
      else this.pending.push(e);
      return;
    }
    this.apply(e);
  }

  private apply(e: ServiceEvent): void {
    switch (e.type) {
      case 'check':
        this.checkMap.set(e.data.uuid, e.data);
        this.emit('change');
        this.armRefresh(e.data);
        return;
      case 'check-deleted':
        if (this.checkMap.delete(e.data.uuid)) this.emit('change');
        return;
      case 'flip': {
        // The flip tells the new status at once; the check event that follows it brings the
        // reason's words, so the shell never makes up its own.
        const c = this.checkMap.get(e.data.check);
        const status = e.data.flip.new_status;
        if (c && (status === 'up' || status === 'down' || status === 'new' || status === 'paused') && c.status !== status) {
          this.checkMap.set(c.uuid, { ...c, status, down_reason: '', down_reason_code: status === 'down' ? e.data.flip.reason : '' });
          this.emit('change');
        }
        return;
      }
      case 'settings':
        if ('muted_until' in e.data) {
          const m = e.data.muted_until;
          this.mutedUntil = typeof m === 'string' ? m : null;
          this.emit('change');
        }
        return;
      case 'notification':
        this.notify(e.data);
        return;
      default:
        return;
    }
  }

  private notify(n: NotificationJson): void {
    if (typeof n.id !== 'string' || typeof n.title !== 'string' || typeof n.body !== 'string') return;
    // The same notification can be seen twice only across a reconnect; show it once.
    if (this.seenNotifications.includes(n.id)) return;
    this.seenNotifications.push(n.id);
    if (this.seenNotifications.length > 500) this.seenNotifications.shift();
    this.emit('notification', n);
  }
}
