import { isoSeconds } from '../../../shared/api/format.js';
import { reminderMessage, snoozeSummary } from '../../../shared/alerts/messages.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { reminderEveryMs } from '../../../shared/domain/reminders.js';
import { writeTx } from '../db/open.js';
import type { CheckRow, Repos } from '../db/repos.js';
import type { Bus } from '../events.js';
import type { FlipWriter } from '../core/flips.js';
import type { WakeSource } from '../core/scheduler.js';
import { checkJson, type ReadContext } from '../serialize.js';
import type { Outbox } from './outbox.js';
import type { AlertStore } from './store.js';

const UNTIL_KEY = 'alerts.muted_until';
const SINCE_KEY = 'alerts.muted_since';

/** What snooze and reminders need. */
export interface SnoozeDeps {
  repos: Repos;
  store: AlertStore;
  /** moves `next_reminder` after each reminder (the flip writer owns that column) */
  flips: FlipWriter;
  bus: Bus;
  clock: Clock;
  outbox: Outbox;
  poke: (source: string) => void;
  readContext: () => ReadContext;
}

/**
 * Snooze: a global "mute until T" (from the tray or API) and a per-check mute. While muted,
 * flips are still written (history, the console) but not sent; when a mute ends, one
 * summary of what is still down goes out instead of the alerts that were held back.
 */
export class Snooze {
  private until: number | null = null;
  private since = 0;

  constructor(private deps: SnoozeDeps) {
    const { settings } = deps.repos;
    const u = Number(settings.get(UNTIL_KEY) || NaN);
    this.until = Number.isFinite(u) ? u : null;
    this.since = Number(settings.get(SINCE_KEY) || 0);
  }

  /** The global snooze end, or null (also after it ended and before its summary ran). */
  mutedUntil(): number | null {
    return this.until !== null && this.until > this.deps.clock.now() ? this.until : null;
  }

  /** Was this check's alert at `at` snoozed, globally or on its own? */
  isMuted(checkId: number, at: number): boolean {
    if (this.until !== null && at >= this.since && at < this.until) return true;
    const own = this.deps.store.checkMutedUntil(checkId);
    return own !== null && at < own;
  }

  /** Sets or ends the global snooze; ending it (null or a past time) sends the summary now. */
  setGlobal(until: number | null): void {
    const now = this.deps.clock.now();
    if (until === null || until <= now) {
      if (this.until !== null) this.endGlobal(now);
      return;
    }
    writeTx(this.deps.repos.db, () => {
      if (this.until === null) {
        this.since = now;
        this.deps.repos.settings.set(SINCE_KEY, String(now));
      }
      this.deps.repos.settings.set(UNTIL_KEY, String(until));
    });
    this.until = until;
    this.publish();
    this.deps.poke('snooze');
  }

  /** Mutes one check until `until`, or unmutes it (null); unmuting a down check sends a summary. */
  setCheck(c: CheckRow, until: number | null): void {
    const now = this.deps.clock.now();
    if (until === null || until <= now) {
      this.endChecks([c.id], now);
    } else {
      writeTx(this.deps.repos.db, () => this.deps.store.setCheckMute(c.id, until));
      this.deps.poke('check-mute');
      const fresh = this.deps.repos.checks.byId(c.id);
      if (fresh) this.deps.bus.emit('public', { type: 'check', data: checkJson(fresh, this.deps.readContext()) });
    }
  }

  private publish(): void {
    const u = this.mutedUntil();
    this.deps.bus.emit('public', { type: 'settings', data: { muted_until: u === null ? null : isoSeconds(u) } });
  }

  private endGlobal(now: number): void {
    const { store, repos, outbox } = this.deps;
    let queued = 0;
    writeTx(repos.db, () => {
      repos.settings.set(UNTIL_KEY, '');
      this.until = null;
      const checks: CheckRow[] = [];
      for (const id of store.downChecks()) {
        const c = repos.checks.byId(id);
        const own = store.checkMutedUntil(id);
        if (c && !(own !== null && own > now)) checks.push(c);
      }
      queued = this.summarize(checks, now);
    });
    if (queued) outbox.wake();
    this.publish();
  }

  private endChecks(ids: number[], now: number): void {
    const { store, repos, outbox } = this.deps;
    let queued = 0;
    const changed: CheckRow[] = [];
    writeTx(repos.db, () => {
      const still: CheckRow[] = [];
      for (const id of ids) {
        store.clearCheckMute(id);
        const c = repos.checks.byId(id);
        if (!c) continue;
        changed.push(c);
        if (c.status === 'down' && this.mutedUntil() === null) still.push(c);
      }
      queued = this.summarize(still, now);
    });
    if (queued) outbox.wake();
    const ctx = this.deps.readContext();
    for (const c of changed) this.deps.bus.emit('public', { type: 'check', data: checkJson(c, ctx) });
  }

  /** One summary per channel listing that channel's checks (inside a transaction). */
  private summarize(checks: CheckRow[], now: number): number {
    const at = isoSeconds(now) as string;
    return this.deps.outbox.enqueueSummaries(checks, now, (infos) => snoozeSummary(infos, at));
  }

  /** Scheduler sources: the global snooze end and per-check mute ends. */
  sources(): WakeSource[] {
    return [
      { name: 'snooze', next: () => this.until, run: (now) => this.endGlobal(now) },
      {
        name: 'check-mute',
        next: () => this.deps.store.earliestMuteEnd(),
        run: (now) => this.endChecks(this.deps.store.dueMuteEnds(now, 500), now),
      },
    ];
  }
}

/**
 * Repeat reminders: a down check with `reminder_every` (seconds) gets "still down" every
 * that long after its down flip (the flip writer, core/flips.ts, arms `next_reminder`
 * whichever path wrote the flip). Reminders while snoozed are skipped, not queued; a reminder that
 * falls due after a long sleep is sent once, not once per missed period.
 */
export function reminderSource(deps: SnoozeDeps, snooze: Snooze): WakeSource {
  const { store, repos, outbox, flips } = deps;
  return {
    name: 'reminders',
    next: () => store.earliestReminder(),
    run: (now) => {
      let queued = 0;
      writeTx(repos.db, () => {
        for (const { id, next } of store.dueReminders(now, 500)) {
          const c = repos.checks.byId(id);
          if (c && c.status === 'down' && reminderEveryMs(c.extra) > 0 && !snooze.isMuted(id, now)) {
            const downAt = store.lastDownAt(id) ?? next;
            queued += outbox.enqueue(reminderMessage(outbox.checkInfo(c, now, 'down'), now - downAt, isoSeconds(now) as string), outbox.channelsOf(c), c.id, null, now);
          }
          flips.reminded(c, id, next, now);
        }
      });
      if (queued) outbox.wake();
    },
  };
}
