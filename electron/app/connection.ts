import { EventEmitter } from 'node:events';
import { summarize } from '../../shared/api/summary.js';
import type { CheckJson, NotificationJson, ServiceEvent, Summary } from '../../shared/api/types.js';
import type { PowerEvent } from '../../shared/api/routes.js';
import { STREAM_IDLE_MS, type EventStream, type ServiceClient } from './client.js';

/** What the connection tells the rest of the shell. */
export interface ConnectionEvents {
  /** connected/disconnected, or the checks or snooze changed */
  change: [];
  /** the service's desktop channel decided to show this (after its snooze/mute rules) */
  notification: [NotificationJson];
  /** office mode changed (sharing, a desk waiting for its code); the code itself is not on the stream */
  office: [{ share: boolean; pairing_pending: boolean }];
}

/** Tuning of reconnects (tests shorten them). */
export interface ConnectionOptions {
  /** a stream silent this long is dropped (the service keeps it alive every 25 s) */
  streamIdleMs?: number;
  /** first reconnect delay; doubles up to `maxBackoffMs` */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * The shell's live view of the service: one event stream (reconnected with backoff), a
 * snapshot of the checks and summary taken each time the stream opens, and the events
 * applied on top. Holds no business rule and no timer of its own: statuses come from the
 * service, which announces every change (also those that happen by the clock alone, such
 * as a check turning late), and the summary from the shared `summarize`. While nothing
 * changes it makes no request.
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
  private seenNotifications: string[] = [];
  private readonly opts: Required<ConnectionOptions>;

  constructor(
    readonly client: ServiceClient,
    opts: ConnectionOptions = {},
  ) {
    super();
    this.opts = { minBackoffMs: 500, maxBackoffMs: 30_000, streamIdleMs: STREAM_IDLE_MS, ...opts };
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

  /** Closes the stream and the reconnect timer. */
  stop(): void {
    this.stopped = true;
    this.clearReconnect();
    this.stream?.close();
    this.stream = null;
  }

  /** Drops the wait and reconnects at once (tray "Reconnect now", after resume). */
  reconnectNow(): void {
    if (this.stopped) return;
    if (this.isConnected) return;
    this.clearReconnect();
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
    this.clearReconnect();
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

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
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
    } catch {
      // The stream is up but the API is not answering: drop it and retry with backoff.
      if (this.stream === stream) stream.close();
    }
  }

  private onEvent(e: ServiceEvent): void {
    if (!this.snapshotDone) {
      // Notifications are shown at once; state changes wait for the snapshot.
      if (e.type === 'notification') this.notify(e.data);
      else if (e.type === 'office') this.emit('office', e.data);
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
      case 'office':
        this.emit('office', e.data);
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
