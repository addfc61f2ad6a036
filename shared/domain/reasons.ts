/**
 * The words of every down reason. The service stores them with the check when it flips,
 * and the API, webhook, ntfy, desktop notification, tray and console all show exactly
 * these; clients branch on the `FlipReason` code, never on the words.
 */
import { applyDeadline, graceStart } from './check-state.js';
import { formatMs } from './duration.js';
import type { CheckState, FlipReason, PingAction } from './types.js';

/** Why a check is down: the code clients may branch on and the words every side shows. */
export interface DownReason {
  code: FlipReason;
  text: string;
}

/** Words for a code alone: a flip in the history, or a check row whose words were never kept. */
export const REASON_WORDS: Record<FlipReason, string> = {
  '': 'down',
  fail: 'fail signal',
  assertion: 'assertion failed',
  timeout: 'no ping in time',
  'run exceeded grace': 'run did not finish in time',
  'missed while Lubdub was offline': 'missed while Lubdub was offline',
};

/** What a ping that turned a check down said, as far as its reason goes. */
export interface FailedPing {
  /** the code the state machine wrote on the flip (`fail` or `assertion`) */
  failReason?: FlipReason;
  /** an assertion's own words ("backup wrote 0 B (written_bytes > 0)") */
  failText?: string;
  /** the URL's exit status, or null */
  exitStatus: number | null;
  /** what the URL asked for: a "success" that failed was turned by a keyword filter */
  action: PingAction;
}

/** Why a ping turned the check down: "exit status 3", "keyword filter", "fail signal", or an assertion's words. */
export function pingDownReason(p: FailedPing): DownReason {
  const code: FlipReason = p.failReason ?? 'fail';
  if (p.failText) return { code, text: p.failText };
  if (p.exitStatus !== null && p.exitStatus !== 0) return { code, text: `exit status ${p.exitStatus}` };
  if (p.action === 'success') return { code, text: 'keyword filter' };
  return { code, text: REASON_WORDS.fail };
}

/** "03:00" in the check's zone (its schedule's wall clock). */
function clockTime(ms: number, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

/**
 * Why the scheduler turned a check down at `at`: healthchecks says only "timeout"; users
 * want to read which run was missed ("missed 03:00 run (Europe/Berlin)"), how long it was
 * silent ("no ping for 1 h 10 min"), or how long a run has been going.
 */
export function deadlineDownReason(c: CheckState, code: FlipReason, at: number): DownReason {
  if (code === 'missed while Lubdub was offline') return OFFLINE_DOWN_REASON;
  if (code === 'run exceeded grace' && c.lastStart !== null) {
    return { code, text: `run started ${formatMs(at - c.lastStart)} ago did not finish` };
  }
  const expected = graceStart({ ...c, lastStart: null }, false);
  if (c.kind === 'cron' && expected !== null) return { code, text: `missed ${clockTime(expected, c.tz)} run (${c.tz})` };
  if (c.lastPing !== null) return { code, text: `no ping for ${formatMs(at - c.lastPing)}` };
  return { code, text: 'no ping' };
}

/** A check still missing when the catch-up window after a monitor-offline gap ends. */
export const OFFLINE_DOWN_REASON: DownReason = {
  code: 'missed while Lubdub was offline',
  text: REASON_WORDS['missed while Lubdub was offline'],
};

/** The words to show: the stored ones, or the code's own when none were kept. */
export function reasonWords(code: FlipReason, text = ''): string {
  return text || REASON_WORDS[code];
}

/**
 * Why a check shown down at `now` is down: the reason stored when it flipped, or, in the
 * moment before the scheduler flips a check the clock already shows down, the words that
 * flip will store.
 */
export function shownDownReason(c: CheckState & { downReason: string; downReasonCode: FlipReason }, now: number): DownReason {
  if (c.status === 'down') return { code: c.downReasonCode, text: reasonWords(c.downReasonCode, c.downReason) };
  const pending = applyDeadline(c, now);
  return pending ? deadlineDownReason(c, pending.flip.reason, now) : { code: '', text: reasonWords('') };
}

/** Was this a deadline that passed without a ping (drawn as a gap), rather than a reported failure? */
export function isMissedDeadline(code: FlipReason): boolean {
  return code === 'timeout' || code === 'missed while Lubdub was offline';
}

/** Did a ping report this failure (it already has its own pill and log line)? */
export function isReportedFailure(code: FlipReason): boolean {
  return code === 'fail' || code === 'assertion';
}
