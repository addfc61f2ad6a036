import { nextExpected } from './schedule.js';
import {
  MAX_RUN_DURATION,
  type CheckState,
  type FlipEvent,
  type FlipReason,
  type PingKind,
  type Status,
  type StoredStatus,
} from './types.js';

/**
 * What the shown status and its changes by the clock are decided from: the part of a check
 * that `shownStatus` and `nextStatusChange` read (a listing of every check reads no more).
 */
export type StatusInputs = Pick<CheckState, 'status' | 'lastPing' | 'lastStart' | 'grace' | 'kind' | 'timeout' | 'schedule' | 'tz'>;

/**
 * When the grace period starts (healthchecks `Check.get_grace_start`), or null when the
 * check is not waiting for anything (new, paused or down, and no run open).
 * A start never pushes the schedule deadline back: the earlier of the two wins.
 */
export function graceStart(c: StatusInputs, withStarted = true): number | null {
  let result: number | null = null;
  if (c.status === 'up' && c.lastPing !== null) {
    result = nextExpected(c, c.lastPing);
  }
  if (withStarted && c.lastStart !== null && c.status !== 'down') {
    result = result === null ? c.lastStart : Math.min(result, c.lastStart);
  }
  return result;
}

/** The instant the check goes down if nothing arrives (`alert_after`), or null. */
export function alertAfter(c: StatusInputs): number | null {
  const start = graceStart(c);
  return start === null ? null : start + c.grace * 1000;
}

/** The next ping expected (`next_ping` of the API): the grace start without runs. */
export function nextPing(c: StatusInputs): number | null {
  return graceStart(c, true);
}

/**
 * Status for display at `now` (healthchecks `Check.get_status`): grace and down are
 * computed from the clock, so they show even before the scheduler has flipped the row.
 */
export function computeStatus(c: StatusInputs, now: number, withStarted = false): Status {
  if (c.lastStart !== null) {
    if (now >= c.lastStart + c.grace * 1000) return 'down';
    if (withStarted) return 'started';
  }
  if (c.status === 'new' || c.status === 'paused' || c.status === 'down') return c.status;
  const start = graceStart(c, false);
  if (start === null) return 'up'; // a schedule that never runs again: nothing is overdue (healthchecks)
  if (now >= start + c.grace * 1000) return 'down';
  if (now >= start) return 'grace';
  return 'up';
}

/**
 * The instants at which `computeStatus(c, t, true)` (the status the API shows) changes as
 * time passes with nothing new arriving, earliest first. Mirrors `computeStatus`: a run
 * turns down when it exceeds its grace; an up check turns grace at its grace start and
 * down at its end; new, paused and down rows do not change by the clock.
 */
export function statusChanges(c: StatusInputs): number[] {
  if (c.lastStart !== null) return [c.lastStart + c.grace * 1000];
  if (c.status !== 'up') return [];
  const start = graceStart(c, false);
  return start === null ? [] : [start, start + c.grace * 1000];
}

/** The first instant after `now` at which the shown status changes by the clock alone, or null. */
export function nextStatusChange(c: StatusInputs, now: number): number | null {
  return statusChanges(c).find((t) => t > now) ?? null;
}

/**
 * A check's monitor-offline hold: the end of an interval Lubdub was not watching and the
 * end of the catch-up window after it (stored on the check row while it lasts).
 */
export interface OfflineHold {
  gapEnd: number;
  until: number;
}

/**
 * Is the check held in grace at `now` because its deadline (`alertAfter`, as stored) passed
 * while Lubdub was not watching? Only until the catch-up window ends, and never for a check
 * already down or one whose new deadline (after a late ping) lies after the gap.
 */
export function offlineHeld(c: StatusInputs, deadline: number | null, hold: OfflineHold | null, now: number): boolean {
  if (hold === null || c.status === 'down' || deadline === null) return false;
  return hold.until > now && deadline <= hold.gapEnd && deadline <= now;
}

/** The status the API, console and tray show at `now`, and whether a monitor-offline hold made it grace. */
export interface ShownStatus {
  status: Status;
  monitorOffline: boolean;
}

/**
 * The one place the shown status is decided: the clock-derived status (`computeStatus` with
 * runs), with a check held after a monitor-offline gap shown as grace instead of down.
 */
export function shownStatus(c: StatusInputs, deadline: number | null, hold: OfflineHold | null, now: number): ShownStatus {
  const monitorOffline = offlineHeld(c, deadline, hold, now);
  const status = computeStatus(c, now, true);
  return { status: monitorOffline && status === 'down' ? 'grace' : status, monitorOffline };
}

/** A classified ping as the state machine sees it. */
export interface PingEvent {
  kind: PingKind;
  /** when the event happened (the receive time, or `?ts=` for late pings) */
  at: number;
  rid: string | null;
  /** start time of the run with this rid, when the caller found one (overlapping runs) */
  runStart?: number | null;
  /** why a success was turned into a failure (assertions), recorded on the flip */
  failReason?: FlipReason;
  /** the words shown to users for that failure ("backup wrote 0 bytes (bytes > 0)") */
  failText?: string;
  /** when Lubdub received it; differs from `at` for late pings (`?ts=`) */
  received?: number;
}

/** What a ping did to a check (`next`: a copy of the row given, of the same type). */
export interface PingOutcome<T extends CheckState = CheckState> {
  next: T;
  flip: FlipEvent | null;
  /** ms from the run's start to this end, when paired (≤ 72 h) */
  duration: number | null;
  /** false when a late ping was older than the check's newest event and only logged */
  applied: boolean;
}

/**
 * Applies one classified ping (healthchecks `Check.ping`). Pure: returns the new state.
 * - start: opens a run (last_start, rid); last_ping unchanged.
 * - success/fail: sets last_ping; closes the open run only when the rid matches, so a
 *   success of another run keeps it open; status becomes up/down with a flip on change.
 * - log and ign: only counted in n_pings.
 * A late ping (`at` older than the newest start/end) is logged without rolling state back.
 */
export function applyPing<T extends CheckState>(c: T, ev: PingEvent): PingOutcome<T> {
  // One copy of the whole row: the caller's columns beyond CheckState come along, so it
  // need not copy the row again (a ping is the hot path; the row has ~50 columns).
  const next: T = { ...c, nPings: c.nPings + 1 };
  const newest = Math.max(c.lastPing ?? -Infinity, c.lastStart ?? -Infinity);
  const stateful = ev.kind === 'start' || ev.kind === 'success' || ev.kind === 'fail';
  if (!stateful) return { next, flip: null, duration: null, applied: true };
  if (ev.at < newest) {
    return { next, flip: null, duration: pairDuration(c, ev), applied: false };
  }
  if (ev.kind === 'start') {
    next.lastStart = ev.at;
    next.lastStartRid = ev.rid;
    return { next, flip: null, duration: null, applied: true };
  }
  const duration = pairDuration(c, ev);
  next.lastPing = ev.at;
  next.lastDuration = duration;
  if (c.lastStart !== null && c.lastStartRid === ev.rid) {
    next.lastStart = null;
    next.lastStartRid = null;
  }
  let newStatus: StoredStatus = ev.kind === 'fail' ? 'down' : 'up';
  // A late success that is itself already overdue (its next deadline passed before it was
  // received) does not bring a down check back up only to flip it down again at once.
  if (newStatus === 'up' && c.status === 'down' && ev.received !== undefined && ev.received > ev.at) {
    if (computeStatus({ ...next, status: 'up' }, ev.received) === 'down') newStatus = 'down';
  }
  let flip: FlipEvent | null = null;
  if (c.status !== newStatus) {
    const reason: FlipReason = ev.kind === 'fail' ? (ev.failReason ?? 'fail') : '';
    flip = { at: ev.at, oldStatus: c.status, newStatus, reason };
    next.status = newStatus;
  }
  return { next, flip, duration, applied: true };
}

/** ms from the run's start to this success/fail (rid pairing, ≤ 72 h), or null when unpaired. */
export function pairDuration(c: CheckState, ev: PingEvent): number | null {
  if (ev.kind !== 'success' && ev.kind !== 'fail') return null;
  const start = c.lastStart !== null && c.lastStartRid === ev.rid ? c.lastStart : (ev.runStart ?? null);
  if (start === null) return null;
  const d = ev.at - start;
  return d >= 0 && d <= MAX_RUN_DURATION ? d : null;
}

/**
 * The scheduler's step for one check whose alert_after has passed (healthchecks
 * `sendalerts`): if the clock says down and the row does not, flip it down.
 * Returns null when nothing changes.
 */
export function applyDeadline(c: CheckState, now: number): { next: CheckState; flip: FlipEvent } | null {
  if (c.status === 'down') return null;
  if (computeStatus(c, now) !== 'down') return null;
  const runOverdue = c.lastStart !== null && now >= c.lastStart + c.grace * 1000;
  const reason: FlipReason = runOverdue ? 'run exceeded grace' : 'timeout';
  return {
    next: { ...c, status: 'down' },
    flip: { at: now, oldStatus: c.status, newStatus: 'down', reason },
  };
}

/** Pausing (API `pause`): stops monitoring until the next ping or a resume. */
export function pause(c: CheckState, now: number): { next: CheckState; flip: FlipEvent | null } {
  const next: CheckState = { ...c, status: 'paused', lastStart: null, lastStartRid: null };
  const flip = c.status === 'paused' ? null : { at: now, oldStatus: c.status, newStatus: 'paused' as const, reason: '' as const };
  return { next, flip };
}

/** Resuming a paused check (API `resume`): back to `new`, waiting for its first ping. */
export function resume(c: CheckState, now: number): { next: CheckState; flip: FlipEvent } {
  return {
    next: { ...c, status: 'new', lastStart: null, lastStartRid: null, lastPing: null },
    flip: { at: now, oldStatus: c.status, newStatus: 'new', reason: '' },
  };
}
