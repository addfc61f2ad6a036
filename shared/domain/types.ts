/** Status stored on a check row (healthchecks' `Check.status`). */
export type StoredStatus = 'new' | 'up' | 'down' | 'paused';
/** Status as shown to users: the stored one plus the ones computed from the clock. */
export type Status = StoredStatus | 'grace' | 'started';
/** What a received ping means once classified (healthchecks' `Ping.kind`, with `success` explicit). */
export type PingKind = 'success' | 'fail' | 'start' | 'log' | 'ign';
/** What the URL asked for, before methods/keyword/pause rules are applied. */
export type PingAction = 'success' | 'fail' | 'start' | 'log';
/** The two schedule kinds of healthchecks. */
export type CheckKind = 'simple' | 'cron';

/**
 * Why a check changed status, written on every flip: a code clients may branch on, never
 * words to show (those come from `reasons.ts`). The stored values predate the codes, so
 * two of them read like words; they stay as they are for API and database compatibility.
 */
export const FLIP_REASONS = ['', 'fail', 'assertion', 'timeout', 'run exceeded grace', 'missed while Lubdub was offline'] as const;
/** One of `FLIP_REASONS`. */
export type FlipReason = (typeof FLIP_REASONS)[number];

/** The user-editable part of a check that the domain rules read. Durations in seconds. */
export interface CheckConfig {
  kind: CheckKind;
  timeout: number;
  grace: number;
  schedule: string;
  tz: string;
  manualResume: boolean;
  methods: '' | 'POST';
  filterHttpBody: boolean;
  successKw: string;
  failureKw: string;
  startKw: string;
  filterDefaultFail: boolean;
}

/** The runtime part of a check, changed by pings and the scheduler. Times in epoch ms. */
export interface CheckRuntime {
  status: StoredStatus;
  lastPing: number | null;
  lastStart: number | null;
  lastStartRid: string | null;
  /** ms; null when the last success/fail did not close a run */
  lastDuration: number | null;
  nPings: number;
}

/** Everything the state machine needs about one check. */
export type CheckState = CheckConfig & CheckRuntime;

/** A status change, as the state machine reports it (persisted as a flip row). */
export interface FlipEvent {
  at: number;
  oldStatus: StoredStatus;
  newStatus: StoredStatus;
  reason: FlipReason;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Max time between a start and its end for them to count as one run (healthchecks MAX_DURATION). */
export const MAX_RUN_DURATION = 72 * HOUR;

/** Defaults of a new check, as healthchecks: one day period, one hour grace. */
export const DEFAULT_CONFIG: CheckConfig = {
  kind: 'simple',
  timeout: 86400,
  grace: 3600,
  schedule: '* * * * *',
  tz: 'UTC',
  manualResume: false,
  methods: '',
  filterHttpBody: false,
  successKw: '',
  failureKw: '',
  startKw: '',
  filterDefaultFail: false,
};
